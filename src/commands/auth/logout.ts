import * as Flags from '@oclif/core/flags'

import {BaseCommand} from '../../base-command.js'

export default class AuthLogout extends BaseCommand {
  static description = `Revokes weeknotes' access at Strava, then deletes the saved secrets and the login settings. When Strava cannot be reached or refuses, the local login is removed anyway, with a warning. Logging out when not logged in is not an error.

Strava's API terms ask that an app delete an athlete's data once access is revoked, so logout also deletes that athlete's activities from the local archive (see \`weeknotes sync\`); --keep-data keeps them for --offline use.`
  static examples = [
    {
      command: '<%= config.bin %> <%= command.id %>',
      description: 'Log out, revoke access, delete the archived activities.',
    },
    {command: '<%= config.bin %> <%= command.id %> --keep-data', description: 'Log out but keep the archive.'},
  ]
  static flags = {
    'keep-data': Flags.boolean({summary: "Keep the athlete's activities in the local archive."}),
  }
  static summary = 'Log out of Strava'

  async run(): Promise<void> {
    const {flags} = await this.parse(AuthLogout)
    const [{logout}, {stravaProvider}, {postForm}] = await Promise.all([
      import('oclif-plugin-oauth/logout'),
      import('oclif-plugin-oauth/provider'),
      import('../../http/keep-alive.js'),
    ])
    const result = await logout({
      configDir: this.config.configDir,
      http: postForm,
      env: process.env,
      provider: stravaProvider(process.env.STRAVA_OAUTH_URL || undefined),
      warn: (message) => this.warn(message),
    })
    if (!result.wasLoggedIn) {
      this.log('Not logged in; nothing to do.')
      return
    }

    this.log(result.revoked ? 'Logged out; access revoked at Strava.' : 'Logged out on this machine.')
    if (result.athlete && !flags['keep-data']) await this.deleteArchived(result.athlete)
  }

  private async deleteArchived(athlete: Record<string, unknown>): Promise<void> {
    const [{forgetAthlete}, {athleteIdOf}] = await Promise.all([
      import('../../archive/archive.js'),
      import('../../archive/source.js'),
    ])
    const removed = forgetAthlete(this.config.dataDir, athleteIdOf(athlete))
    if (removed !== undefined)
      this.log(
        `Deleted ${removed} archived ${removed === 1 ? 'activity' : 'activities'} of athlete ${athleteIdOf(athlete)}.`,
      )
  }
}
