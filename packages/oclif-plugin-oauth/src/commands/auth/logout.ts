import {OAuthCommand} from '../../base-command.js'
import type {LogoutResult} from '../../logout.js'
import {providerName} from '../../provider.js'

export default class Logout extends OAuthCommand {
  static description = `Revokes the CLI's access at the provider, then deletes the saved secrets and the login settings. When the provider cannot be reached or refuses, the local login is removed anyway, with a warning. Logging out when not logged in is not an error.`
  static examples = [{command: '<%= config.bin %> <%= command.id %>', description: 'Log out and revoke access.'}]
  static summary = 'Log out'

  async run(): Promise<void> {
    const {flags} = await this.parse(this.ctor)
    const preset = await this.preset()
    const [{logout}, http] = await Promise.all([import('../../logout.js'), preset.httpClient?.()])
    const result = await logout({
      configDir: this.config.configDir,
      preset,
      env: process.env,
      http,
      warn: (message) => this.warn(message),
    })
    if (!result.wasLoggedIn) {
      this.log('Not logged in; nothing to do.')
      return
    }

    const name = providerName(preset.provider(process.env))
    this.log(result.revoked ? `Logged out; access revoked at ${name}.` : 'Logged out on this machine.')
    await this.afterLogout(result, flags)
  }

  /** What a host does once the login is gone (delete what it kept about the account); nothing by default. */
  protected async afterLogout(_result: LogoutResult, _flags: Record<string, unknown>): Promise<void> {}
}
