import * as Flags from '@oclif/core/flags'

import {BaseCommand} from '../base-command.js'
import {maxWaitFlag, verboseFlag} from '../flags.js'
import type {ActivityArchive} from '../archive/archive.js'
import type {SyncProgress, SyncResult} from '../archive/sync.js'

// Only types are imported at the top: `sync --help` loads none of the archive, Strava or auth code.

export default class Sync extends BaseCommand {
  static override description = `Keeps a local archive of your Strava activities (SQLite, in the data directory: $XDG_DATA_HOME/weeknotes/archive.sqlite, or WEEKNOTES_DATA_DIR), so that generate renders any week without asking Strava again, and --offline with no network at all.

The first run lists your whole history, oldest first, 200 activities per request; if it stops (rate limit, network, Ctrl-C) the pages stored stay and the next run continues where it stopped. Later runs ask only for what is new, re-reading the last 14 days before the latest activity held, so renamed, edited, late-uploaded and deleted activities are picked up. --full lists everything again and removes what Strava no longer has.

Rate limits as in generate: waits for the 15-minute window within --max-wait; the daily limit stops the run (exit 4) and says when to run again. Exit codes: 3 login needed; 4 rate limit; 5 Strava unreachable; 6 the archive file is damaged or cannot be written.`

  static override enableJsonFlag = true

  static override examples = [
    {
      command: '<%= config.bin %> <%= command.id %>',
      description: 'Fetch what is new (the whole history the first time)',
    },
    {
      command: '<%= config.bin %> <%= command.id %> --full',
      description: 'Re-list everything; drop what Strava deleted',
    },
    {command: '<%= config.bin %> <%= command.id %> --status', description: 'What the archive holds; no network'},
    {command: '<%= config.bin %> <%= command.id %> --json', description: 'The sync result as JSON, for scripts'},
  ]

  static override flags = {
    full: Flags.boolean({summary: 'List the whole history again and remove what Strava no longer has.'}),
    status: Flags.boolean({
      summary: 'Show the archive (file, size, range, activities per sport, last sync) without syncing.',
      exclusive: ['full'],
    }),
    'max-wait': maxWaitFlag(),
    verbose: verboseFlag(),
  }

  static override summary = 'Sync your Strava activities into the local archive'

  async run(): Promise<unknown> {
    const {flags} = await this.parse(Sync)
    const {ActivityArchive} = await import('../archive/archive.js')
    const maxWait = flags['max-wait'].ms / 1000

    const archive = ActivityArchive.open(ActivityArchive.pathIn(this.config.dataDir))
    try {
      if (flags.status) return await this.status(archive)
      return await this.sync(archive, {full: flags.full, maxWait, verbose: flags.verbose})
    } finally {
      archive.close()
    }
  }

  private async sync(
    archive: ActivityArchive,
    o: {full: boolean; maxWait: number; verbose: boolean},
  ): Promise<SyncResult & {held: number}> {
    const {syncAthlete} = await import('../archive/athlete-sync.js')
    const {session, strava} = await this.connectToStrava({
      maxWait: o.maxWait,
      verbose: o.verbose,
    })
    const tty = process.stderr.isTTY
    const result = await syncAthlete(archive, strava, {
      athlete: session.profile.athlete,
      full: o.full,
      onPage: tty ? (progress) => process.stderr.write(`\r\u001B[K${describeProgress(progress)}`) : undefined,
    }).finally(() => tty && process.stderr.write('\r\u001B[K'))
    if (!this.jsonEnabled()) this.logToStderr(describeResult(result, result.held))
    return result
  }

  private async status(archive: ActivityArchive): Promise<unknown> {
    const [{readConfig}, {archiveStatus}] = await Promise.all([
      import('../strava/auth.js'),
      import('../archive/athlete-sync.js'),
    ])
    const status = archiveStatus(archive, (await readConfig(this.config.configDir)).session?.athlete)
    if (!this.jsonEnabled()) {
      this.log(`Archive: ${status.path} (${(status.bytes / 1024 / 1024).toFixed(1)} MiB)`)
      if (status.athletes.length === 0) this.log('Nothing synced yet: run `weeknotes sync`.')
      for (const a of status.athletes) {
        const range = a.count > 0 ? `${a.first!.slice(0, 10)} to ${a.last!.slice(0, 10)}` : 'nothing held'
        this.log(`Athlete ${a.athleteId}: ${a.count} activities, ${range}`)
        this.log(`  Last sync: ${a.lastSyncAt ?? 'never'}${a.historyComplete ? '' : ' (first sync not finished)'}`)
        for (const sport of a.sports) this.log(`  ${sport.sportType}: ${sport.count}`)
      }
    }

    return status
  }
}

function describeProgress(p: SyncProgress): string {
  return `Syncing: page ${p.pages}, ${p.listed} activities listed, ${p.added} new`
}

const MODES: Record<string, string> = {
  first: 'first sync, whole history',
  resume: 'first sync, continued',
  incremental: 'new and recent activities',
  full: 'whole history again',
}

function describeResult(r: SyncResult, held: number): string {
  const removed = r.removed > 0 ? `, ${r.removed} removed` : ''
  return `Synced (${MODES[r.mode] ?? r.mode}): ${r.listed} activities listed in ${r.pages + 1} requests, ${r.added} new${removed}; the archive holds ${held}.`
}
