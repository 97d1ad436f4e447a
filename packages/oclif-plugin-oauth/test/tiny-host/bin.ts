// The tiny host's bin/run.js. NODE_ENV=test lets oclif load the plugin's commands from its TypeScript sources
// (its tsconfig maps dist/ to src/), as `oclif generate`'s bin/dev.js does, without dev mode's stack traces.
import {execute} from '@oclif/core/execute'

process.env.NODE_ENV = 'test'
await execute({dir: import.meta.url})
