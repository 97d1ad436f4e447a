import {OAuthCommand, openTokenSession} from 'oclif-plugin-oauth'

/** What an API command of a host does: take an access token from the session (renewing it when due). */
export default class Token extends OAuthCommand {
  static description = 'Takes an access token from the saved login, renewing it when it is about to expire.'
  static examples = [{command: '<%= config.bin %> <%= command.id %>', description: 'Show the session.'}]
  static summary = 'Check that the login yields an access token'

  async run(): Promise<void> {
    await this.parse(Token)
    const session = await openTokenSession({
      configDir: this.config.configDir,
      preset: await this.preset(),
      env: process.env,
      warn: (message) => this.warn(message),
    })
    const token = await session.accessToken()
    // Never the token itself: a secret.
    this.log(
      JSON.stringify({storage: session.profile.storage, account: session.profile.athlete, token: token.length > 0}),
    )
  }
}
