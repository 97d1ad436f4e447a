#!/usr/bin/env -S node --conditions=oauth-plugin-source --import tsx --disable-warning=ExperimentalWarning

import {execute} from '@oclif/core'

await execute({development: true, dir: import.meta.url})
