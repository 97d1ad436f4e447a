import * as Flags from '@oclif/core/flags'
import LoginStatus from 'oclif-plugin-oauth/commands/auth/status'

import type {ExitCodeError} from 'oclif-plugin-oauth/errors'

import {hostFailure} from '../../base-command.js'

export default class AuthStatus extends LoginStatus {
  static description = `Shows whether weeknotes has a Strava login: the athlete, the granted scopes, when the current access token expires (it is renewed automatically) and where the secrets are kept (keyring, sealed file, plain file or environment). Exits with 3 when not logged in, also with --json.`
  static examples = [
    {command: '<%= config.bin %> <%= command.id %>', description: 'Show the login.'},
    {command: '<%= config.bin %> <%= command.id %> --json', description: 'The same as JSON, for scripts.'},
    {
      command: '<%= config.bin %> <%= command.id %> --show-refresh-token',
      description:
        "Print the saved login's refresh token. For CI mode prefer `weeknotes auth --print-refresh-token`, a login of CI's own.",
    },
  ]
  static flags = {
    'show-refresh-token': Flags.boolean({
      description:
        'Also print the saved refresh token (a secret). CI mode should get a login of its own: `weeknotes auth --print-refresh-token`.',
    }),
  }
  static summary = 'Show the Strava login'

  protected asExitCodeError(error: Error): ExitCodeError | undefined {
    return hostFailure(error)
  }
}
