import * as Flags from '@oclif/core/flags'
import Login from 'oclif-plugin-oauth/commands/auth/index'

import type {ExitCodeError} from 'oclif-plugin-oauth/errors'

import {hostFailure} from '../../base-command.js'

/** The plugin's login, worded for Strava and weeknotes; without the implicit grant, which Strava never offers. */
export default class Auth extends Login {
  static description = `Opens Strava's consent page in your browser (the URL is always printed too), receives the answer on a loopback address (http://127.0.0.1:PORT/callback) and keeps the login in the system keyring: the client secret, the refresh token and the current access token. Non-secret settings (client ID, athlete summary, scopes) go to config.json in the config directory.

The client ID comes from --client-id, STRAVA_CLIENT_ID, the saved settings, or a prompt. The client secret comes from --client-secret-stdin, STRAVA_CLIENT_SECRET, the saved login for the same client ID, or a hidden prompt; it is never accepted as a flag value. Running it again replaces the saved login only once the new one works.

With WEEKNOTES_STORE_KEY (or WEEKNOTES_STORE_KEY_FILE) set, the secrets go to credentials.sealed in the config directory instead, encrypted with that key (make one with \`weeknotes auth key\`): for servers without a keyring and for a blog repository's scheduled workflow (WEEKNOTES_CONFIG_DIR=.weeknotes). Each config directory holds its own login.

--insecure-storage keeps them in a plain 0600 file instead. For CI mode (STRAVA_CLIENT_ID, STRAVA_CLIENT_SECRET and STRAVA_REFRESH_TOKEN in the environment), --print-refresh-token logs in, prints the new login's refresh token and stores nothing.`
  static examples = [
    ...Login.examples,
    {
      command: '<%= config.bin %> <%= command.id %> --scope read,activity:read',
      description: 'Leave out private activities.',
    },
    {
      command:
        'WEEKNOTES_CONFIG_DIR=.weeknotes WEEKNOTES_STORE_KEY_FILE=~/.weeknotes-key <%= config.bin %> <%= command.id %>',
      description: "Inside a blog checkout: a login of the blog's own, sealed with the key in ~/.weeknotes-key.",
    },
    {
      command: '<%= config.bin %> <%= command.id %> --print-refresh-token | gh secret set STRAVA_REFRESH_TOKEN',
      description: 'A new login for CI mode, straight into a repository secret; nothing is stored here.',
    },
  ]
  static flags = {
    'client-id': Flags.string({description: 'Client ID of your Strava API application.', env: 'STRAVA_CLIENT_ID'}),
    'client-secret-stdin': Login.flags['client-secret-stdin'],
    'insecure-storage': Login.flags['insecure-storage'],
    'print-refresh-token': Flags.boolean({
      description:
        "Print the new login's refresh token (for CI mode's STRAVA_REFRESH_TOKEN) on stdout and store nothing.",
      exclusive: ['insecure-storage'],
    }),
    'no-browser': Login.flags['no-browser'],
    port: Login.flags.port,
    scope: Flags.string({
      default: 'read,activity:read,activity:read_all',
      description:
        'Scopes to request, separated by commas or spaces. With both activity scopes, unticking private activities on the consent page still leaves the others.',
    }),
    timeout: Login.flags.timeout,
  }
  static summary = 'Log in to Strava'

  protected asExitCodeError(error: Error): ExitCodeError | undefined {
    return hostFailure(error)
  }
}
