#!/usr/bin/env node

import {execute} from '@oclif/core/execute'

import {handleStdoutErrors} from '../dist/stdout-errors.js'

handleStdoutErrors()
await execute({dir: import.meta.url})
