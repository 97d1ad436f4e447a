import * as Flags from '@oclif/core/flags'
import {join} from 'node:path'

import {BaseCommand} from '../../base-command.js'

export default class AuthStatus extends BaseCommand {
  static description = `Shows whether weeknotes has a Strava login: the athlete, the granted scopes, when the current access token expires (it is renewed automatically) and where the secrets are kept (keyring, sealed file, plain file or environment). Exits with 3 when not logged in, also with --json.`
  static enableJsonFlag = true
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

  async run(): Promise<unknown> {
    const {flags} = await this.parse(AuthStatus)
    const {readAuthStatus, readStoredRefreshToken} = await import('oclif-plugin-oauth/status')
    const status = await readAuthStatus({configDir: this.config.configDir, env: process.env})
    if (!status.loggedIn) {
      // Exit 3 without an error message: the status itself is the answer.
      process.exitCode = 3
      if (this.jsonEnabled()) this.logJson(status)
      else if (status.missing) {
        this.log(
          `Not logged in: CI mode is incomplete. STRAVA_REFRESH_TOKEN is set, but ${status.missing.join(' and ')} ${status.missing.length > 1 ? 'are' : 'is'} not; set ${status.missing.length > 1 ? 'them' : 'it'} from your Strava API application's settings.`,
        )
      } else this.log('Not logged in to Strava. Run `weeknotes auth` to log in.')
      return undefined
    }

    let refreshToken: string | undefined
    if (flags['show-refresh-token'] && status.storage !== 'environment') {
      const warn = (message: string) => this.warn(message)
      refreshToken = await readStoredRefreshToken({configDir: this.config.configDir, env: process.env, warn})
      this.warn(
        'The refresh token is a secret: keep it only in a secret store. It belongs to the login saved here: used elsewhere too (CI), whichever side Strava rotates it for breaks the other. `weeknotes auth --print-refresh-token` gives CI a login of its own.',
      )
    }

    if (this.jsonEnabled()) return refreshToken ? {...status, refreshToken} : status
    const {athlete} = status
    const where = {
      keyring: 'the system keyring',
      file: 'a plain file (--insecure-storage)',
      sealed: `sealed file ${join(this.config.configDir, 'credentials.sealed')}`,
      environment: 'the environment (CI mode)',
    }
    this.log(
      athlete
        ? `Logged in to Strava as ${athlete.firstname} ${athlete.lastname} (athlete ${athlete.id}).`
        : 'Logged in to Strava.',
    )
    if (status.clientId) this.log(`Client ID: ${status.clientId}`)
    this.log(`Scopes: ${status.scopes.length > 0 ? status.scopes.join(',') : 'unknown'}`)
    if (status.expiresAt) this.log(`Access token expires: ${status.expiresAt} (renewed automatically)`)
    this.log(`Secrets kept in: ${where[status.storage!]}`)
    if (refreshToken) this.log(`Refresh token: ${refreshToken}`)
    return status
  }
}
