import {BaseCommand} from '../../base-command.js'

export default class AuthLogout extends BaseCommand {
  static description = `Revokes weeknotes' access at Strava, then deletes the saved secrets and the login settings. When Strava cannot be reached or refuses, the local login is removed anyway, with a warning. Logging out when not logged in is not an error.`
  static examples = [{command: '<%= config.bin %> <%= command.id %>', description: 'Log out and revoke access.'}]
  static summary = 'Log out of Strava'

  async run(): Promise<void> {
    await this.parse(AuthLogout)
    const [{logout}, {stravaProvider}, {postForm}] = await Promise.all([
      import('../../auth/logout.js'),
      import('../../auth/provider.js'),
      import('../../http/keep-alive.js'),
    ])
    const result = await logout({
      configDir: this.config.configDir,
      http: postForm,
      env: process.env,
      provider: stravaProvider(process.env.STRAVA_OAUTH_URL || undefined),
      warn: (message) => this.warn(message),
    })
    if (!result.wasLoggedIn) this.log('Not logged in; nothing to do.')
    else this.log(result.revoked ? 'Logged out; access revoked at Strava.' : 'Logged out on this machine.')
  }
}
