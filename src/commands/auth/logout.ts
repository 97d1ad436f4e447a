import * as Flags from '@oclif/core/flags'
import Logout from 'oclif-plugin-oauth/commands/auth/logout'
import type {LogoutResult} from 'oclif-plugin-oauth/logout'

import type {ExitCodeError} from 'oclif-plugin-oauth/errors'

import {hostFailure} from '../../base-command.js'

/** The plugin's logout, which also deletes the athlete's archived activities, as Strava's API terms ask. */
export default class AuthLogout extends Logout {
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

  protected async afterLogout(result: LogoutResult, flags: {'keep-data'?: boolean}): Promise<void> {
    if (!result.athlete || flags['keep-data']) return
    const [{forgetAthlete}, {athleteIdOf}] = await Promise.all([
      import('../../archive/archive.js'),
      import('../../archive/source.js'),
    ])
    const athleteId = athleteIdOf(result.athlete)
    const removed = forgetAthlete(this.config.dataDir, athleteId)
    if (removed !== undefined)
      this.log(`Deleted ${removed} archived ${removed === 1 ? 'activity' : 'activities'} of athlete ${athleteId}.`)
  }

  protected asExitCodeError(error: Error): ExitCodeError | undefined {
    return hostFailure(error)
  }
}
