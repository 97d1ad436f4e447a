import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'

import {BaseCommand} from '../base-command.js'
import type {ExportProgress} from '../archive/export/reader.js'

// Only types are imported at the top: `import --help` must not load the archive or the export readers.

export default class Import extends BaseCommand {
  static override args = {
    export: Args.string({
      description: 'The ZIP Strava sent (export_NNNN.zip), or the folder it was unpacked into.',
      required: true,
    }),
  }

  static override description = `Reads the archive Strava sends on request ("Download or Delete Your Account", "Request your archive") and merges its activities into the local archive, so notes can be written with \`generate --offline\` with no Strava API application, no login and no network.

The ZIP is read one file at a time, never whole into memory. Importing the same export again changes nothing; a newer one adds and updates. An activity \`weeknotes sync\` already stored keeps the API's fields.

The export gives start times in UTC only. The local date (which decides the week) comes from the activity file: a FIT file's local time offset, else the time zone at the first GPS position; else --timezone, else the system's time zone. The summary says how many activities each rule decided.

The export has no visibility per activity: \`generate --exclude-private\` cannot leave imported activities out unless \`weeknotes sync\` fills their visibility in later.

Exit codes: 2 not an export weeknotes can read (with the reason), 6 the archive file cannot be written.`

  static override enableJsonFlag = true

  static override examples = [
    {command: '<%= config.bin %> <%= command.id %> ~/Downloads/export_1234567.zip', description: 'Import an export'},
    {
      command: '<%= config.bin %> <%= command.id %> export_1234567 --timezone Europe/Berlin',
      description: 'An unpacked export; activities without a file or GPS use Berlin time',
    },
    {
      command: '<%= config.bin %> <%= command.id %> export_1234567.zip --dry-run --json',
      description: 'Read it and print the counts, without writing',
    },
  ]

  static override flags = {
    timezone: Flags.string({
      summary:
        'Time zone (IANA name, e.g. Europe/Berlin) of activities whose file tells none; default: the system zone.',
    }),
    'dry-run': Flags.boolean({summary: 'Read the export and print what it holds; write nothing.'}),
  }

  static override summary = "Import Strava's bulk export (ZIP or folder) into the local archive"

  async run(): Promise<unknown> {
    const {args, flags} = await this.parse(Import)
    const [{importInWorker}, {isKnownZone}, {describeImport, VISIBILITY_NOTICE}, {ActivityArchive}] = await Promise.all(
      [
        import('../archive/export/import-in-worker.js'),
        import('../archive/export/local-time.js'),
        import('../archive/export/summary.js'),
        import('../archive/archive.js'),
      ],
    )
    if (flags.timezone && !isKnownZone(flags.timezone)) {
      this.error(
        `--timezone "${flags.timezone}" is not a time zone; use an IANA name such as Europe/Berlin or America/Los_Angeles.`,
        {exit: 2},
      )
    }

    // The archive is opened in the import's worker thread (see import-in-worker.ts).
    const archivePath = flags['dry-run'] ? undefined : ActivityArchive.pathIn(this.config.dataDir)
    const progress = process.stderr.isTTY && !this.jsonEnabled() ? progressLine() : undefined
    try {
      const request = {path: args.export, archivePath, timezone: flags.timezone}
      const result = await importInWorker(request, progress?.update)
      progress?.clear()
      this.warn(VISIBILITY_NOTICE)
      if (!this.jsonEnabled()) for (const line of describeImport(result)) this.log(line)
      return result
    } finally {
      progress?.clear()
    }
  }
}

/** One self-overwriting line on stderr, at most ten updates a second. */
function progressLine() {
  let last = 0
  return {
    update(progress: ExportProgress) {
      const now = Date.now()
      if (now - last < 100) return
      last = now
      const share = progress.totalBytes ? ` (${Math.floor((100 * progress.bytes) / progress.totalBytes)}%)` : ''
      process.stderr.write(`\r\u001B[KImporting: ${progress.activities.toLocaleString('en-US')} activities${share}`)
    },
    clear() {
      if (last > 0) process.stderr.write('\r\u001B[K')
      last = 0
    },
  }
}
