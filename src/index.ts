// What the built CLI is made of, so that bin/run.js loads one bundle (scripts/bundle.js): the commands,
// for oclif's explicit command strategy (package.json oclif.commands; the auth commands are the auth plugin's,
// worded for Strava), the hooks (oclif.hooks: command_not_found, and oauth:preset, which hands the plugin's
// commands the Strava preset), the help class (oclif.helpClass), oclif's entry point and the stdout error handler.
import {createRequire} from 'node:module'

import Auth from './commands/auth/index.js'
import AuthKey from './commands/auth/key.js'
import AuthLogout from './commands/auth/logout.js'
import AuthStatus from './commands/auth/status.js'
import Generate from './commands/generate.js'
import Import from './commands/import.js'
import Sync from './commands/sync.js'

export const COMMANDS = {
  auth: Auth,
  'auth:key': AuthKey,
  'auth:logout': AuthLogout,
  'auth:status': AuthStatus,
  generate: Generate,
  import: Import,
  sync: Sync,
  // `weeknotes help` is @oclif/plugin-help's command, loaded when it runs: listed as a plugin, its package and
  // manifest were read at every start, a tenth of the CPU time of `generate --help`.
  get help(): typeof import('@oclif/plugin-help').commands.help {
    return (createRequire(import.meta.url)('@oclif/plugin-help') as typeof import('@oclif/plugin-help')).commands.help
  },
}
export {default as COMMAND_NOT_FOUND} from './hooks/command-not-found.js'
export {default as HELP} from './help.js'
export {default as OAUTH_PRESET} from './hooks/oauth-preset.js'
export {execute} from '@oclif/core/execute'
export {handleStdoutErrors} from './stdout-errors.js'
