import * as Flags from '@oclif/core/flags'
import type {FlagInput} from '@oclif/core/interfaces'
import {join} from 'node:path'

import {OAuthCommand} from '../../base-command.js'
import type {OAuthPreset} from '../../preset.js'
import {providerName} from '../../provider.js'
import type {AuthStatus as Status} from '../../status.js'

export default class LoginStatus extends OAuthCommand {
  static description = `Shows whether there is a login: the account, the granted scopes, when the current access token expires (it is renewed automatically) and where the secrets are kept (keyring, sealed file, plain file or environment). Exits with 3 when not logged in, also with --json.`
  static enableJsonFlag = true
  static examples = [
    {command: '<%= config.bin %> <%= command.id %>', description: 'Show the login.'},
    {command: '<%= config.bin %> <%= command.id %> --json', description: 'The same as JSON, for scripts.'},
  ]
  static flags: FlagInput = {
    'show-refresh-token': Flags.boolean({
      description: 'Also print the saved refresh token (a secret). CI mode should get a login of its own.',
    }),
  }
  static summary = 'Show the login'

  async run(): Promise<unknown> {
    const {flags} = (await this.parse(this.ctor)) as unknown as {flags: {'show-refresh-token'?: boolean}}
    const preset = await this.preset()
    const {readAuthStatus, readStoredRefreshToken} = await import('../../status.js')
    const status = await readAuthStatus({configDir: this.config.configDir, preset, env: process.env})
    if (!status.loggedIn) return this.notLoggedIn(preset, status)

    let refreshToken: string | undefined
    if (flags['show-refresh-token'] && status.storage !== 'environment') {
      const warn = (message: string) => this.warn(message)
      refreshToken = await readStoredRefreshToken({configDir: this.config.configDir, preset, env: process.env, warn})
      this.warn(
        `The refresh token is a secret: keep it only in a secret store. It belongs to the login saved here: used elsewhere too (CI), whichever side ${providerName(preset.provider(process.env))} rotates it for breaks the other. \`${preset.cli.loginCommand} --print-refresh-token\` gives CI a login of its own.`,
      )
    }

    if (this.jsonEnabled()) return refreshToken ? {...status, refreshToken} : status
    this.describe(preset, status, refreshToken)
    return status
  }

  /** Exit 3 without an error message: the status itself is the answer. */
  private notLoggedIn(preset: OAuthPreset, status: Status): undefined {
    process.exitCode = 3
    const name = providerName(preset.provider(process.env))
    if (this.jsonEnabled()) this.logJson(status)
    else if (status.missing) {
      const [many, missing] = [status.missing.length > 1, status.missing.join(' and ')]
      this.log(
        `Not logged in: CI mode is incomplete. ${preset.env.refreshToken} is set, but ${missing} ${many ? 'are' : 'is'} not; set ${many ? 'them' : 'it'} from your ${name} API application's settings.`,
      )
    } else this.log(`Not logged in to ${name}. Run \`${preset.cli.loginCommand}\` to log in.`)
    return undefined
  }

  private describe(preset: OAuthPreset, status: Status, refreshToken: string | undefined): void {
    const name = providerName(preset.provider(process.env))
    const where = {
      keyring: 'the system keyring',
      file: 'a plain file (--insecure-storage)',
      sealed: `sealed file ${join(this.config.configDir, 'credentials.sealed')}`,
      environment: 'the environment (CI mode)',
    }
    this.log(
      status.athlete ? `Logged in to ${name} ${preset.account.describe(status.athlete)}.` : `Logged in to ${name}.`,
    )
    if (status.clientId) this.log(`Client ID: ${status.clientId}`)
    this.log(`Scopes: ${status.scopes.length > 0 ? status.scopes.join(',') : 'unknown'}`)
    if (status.expiresAt) this.log(`Access token expires: ${status.expiresAt} (renewed automatically)`)
    this.log(`Secrets kept in: ${where[status.storage!]}`)
    if (refreshToken) this.log(`Refresh token: ${refreshToken}`)
  }
}
