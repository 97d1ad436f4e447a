import * as Flags from '@oclif/core/flags'
import type {InferredFlags} from '@oclif/core/interfaces'

import {BaseCommand} from '../base-command.js'
import {maxWaitFlag, verboseFlag} from '../flags.js'
import type {ActivityArchive} from '../archive/archive.js'
import type {GenerateWeeksRequest, NoteSources} from '../notes/generate-weeks.js'
import type {NoteDestination, NoteOutcome} from '../notes/note-files.js'
import type {WeekRange} from '../notes/week.js'

// Only types are imported at the top: `generate --help` must not load the notes, Strava or auth code.

export default class Generate extends BaseCommand {
  static override description = `Renders the week's activities from the local archive (see \`weeknotes sync\`), syncing first what the week needs: one list round trip for a recent week, none for a week that ended more than 14 days before the last sync. Before the first full sync it fetches just the weeks asked for, in as few requests as possible (200 per page). With --offline it reads the archive only: no network, no login.

The note is rendered with a Handlebars template: the default one writes YAML front matter for Hugo, Jekyll and Eleventy, a summary, a table per sport and each day's activities. An activity belongs to the week of its local start time.

Backfill a series with --from/--to and --out-dir: one note per week from a single fetch over the whole range; existing notes are skipped unless --force, and an interrupted run says where to resume.

With --json, one week prints its template context instead of the Markdown; with --output or --out-dir, the notes written and skipped.

When Strava's 15-minute rate limit is reached, it waits for the next quarter hour if that is within --max-wait; the daily limit stops the run (exit 4). Exit codes: 2 bad flags, week or template, or refusing to overwrite; 3 login needed; 4 rate limit; 5 Strava unreachable; 6 a local file could not be written (disk full, read-only, permission).`

  static override enableJsonFlag = true

  static override examples = [
    {command: '<%= config.bin %> <%= command.id %>', description: "Print last week's note"},
    {
      command: '<%= config.bin %> <%= command.id %> --week 2024-W10 --output notes/2024-W10.md',
      description: 'Write one week to a file',
    },
    {
      command:
        '<%= config.bin %> <%= command.id %> --week last --out-dir content/weeknotes --filename "{{week.year}}/{{week.id}}.md"',
      description: 'What a Monday cron job runs',
    },
    {
      command: '<%= config.bin %> <%= command.id %> --from 2024-W01 --to 2024-W52 --out-dir content/weeknotes',
      description: 'Backfill a year, one note per week, from one fetch',
    },
    {
      command:
        '<%= config.bin %> <%= command.id %> --week 2024-03-06 --units imperial --exclude-private --exclude-sport Walk --template my.md.hbs',
      description: 'The week containing a date, in miles, with a custom template',
    },
    {
      command: '<%= config.bin %> <%= command.id %> --week 2024-W10 --offline',
      description: 'From the local archive only: no network, no login',
    },
    {
      command: '<%= config.bin %> <%= command.id %> --week last --out-dir content/weeknotes --bundle --map-trim 500',
      description: 'A page bundle per week (WEEK/index.md, chart.svg, route maps trimmed by 500 m at each end)',
    },
    {
      command: '<%= config.bin %> <%= command.id %> --week this --json',
      description: "The template context of this week's note as JSON",
    },
  ]

  static override flags = {
    week: Flags.string({
      char: 'w',
      summary: 'Week to write: 2024-W10, 2024-10 (ISO week 10), last (default), this, or a date such as 2024-03-06.',
      exclusive: ['from', 'to'],
    }),
    from: Flags.string({summary: 'First week of a backfill range (needs --out-dir).', exclusive: ['week']}),
    to: Flags.string({
      summary: 'Last week of a backfill range; default: last (the last complete week).',
      dependsOn: ['from'],
      exclusive: ['week'],
    }),
    template: Flags.string({summary: 'Handlebars template file; default: the bundled weeknotes.md.hbs.'}),
    units: Flags.string({
      summary: "Units for distance, pace, speed and elevation; default: the athlete's Strava preference.",
      options: ['metric', 'imperial'],
    }),
    'exclude-private': Flags.boolean({summary: 'Leave out activities only you can see (visibility only_me).'}),
    'exclude-sport': Flags.string({
      summary: 'Leave out a sport type such as Walk or VirtualRide; repeatable.',
      multiple: true,
    }),
    output: Flags.string({
      char: 'o',
      summary: 'Write the note to this file instead of stdout (`-` is stdout); only a regular file is replaced.',
      exclusive: ['out-dir'],
    }),
    'out-dir': Flags.string({
      summary: 'Write each note into this directory, named by --filename.',
      exclusive: ['output'],
    }),
    filename: Flags.string({
      summary:
        'File name inside --out-dir, with placeholders such as {{week.id}}, {{week.year}}, {{week.start}}; default: {{week.id}}.md ({{week.id}}/index.md with --bundle).',
      dependsOn: ['out-dir'],
    }),
    bundle: Flags.boolean({
      summary:
        "Page bundles: each week's note as WEEK/index.md with its pictures beside it (a chart of the week, route maps).",
      dependsOn: ['out-dir'],
    }),
    maps: Flags.boolean({
      summary: 'Route maps in page bundles; --no-maps leaves them out.',
      allowNo: true,
      default: true,
    }),
    'map-trim': Flags.integer({
      summary: 'Metres of every route left off at its start and its end, so a start at home is not shown; default 200.',
      min: 0,
      max: 100_000,
    }),
    'private-maps': Flags.boolean({
      summary: 'Draw route maps for activities only you can see too (left out by default).',
    }),
    force: Flags.boolean({
      summary:
        'Replace existing notes; without it an existing --output file stops the run and existing notes in --out-dir are skipped.',
    }),
    'max-wait': maxWaitFlag(),
    offline: Flags.boolean({
      summary: 'Render from the local archive only: no network, no login (run `weeknotes sync` first).',
      exclusive: ['verbose'],
    }),
    verbose: verboseFlag(),
  }

  static override summary = 'Write the weekly Markdown note from your Strava activities'

  async run(): Promise<unknown> {
    const {flags} = await this.parse(Generate)
    const {weeksAsked} = await import('../notes/week.js')
    const weeks = weeksAsked(flags, new Date())
    const maxWait = flags['max-wait'].ms / 1000

    const [{generateWeeks, BackfillInterruptedError}, {loadTemplate}, {fileExists, writeFileAtomic}] =
      await Promise.all([
        import('../notes/generate-weeks.js'),
        import('../notes/render.js'),
        import('../notes/output.js'),
      ])
    const request = requestOf(flags, weeks, this.jsonEnabled())
    // On a terminal, a status line (what it waits for, which note it writes); in logs (cron, CI) nothing extra.
    const status = process.stderr.isTTY ? (line: string) => process.stderr.write(`\r\u001B[K${line}`) : undefined
    const archive = new ArchiveHandle(this.config.dataDir)
    try {
      const outcomes = await generateWeeks(request, {
        loadRenderer: () => loadTemplate(flags.template, {cacheDir: this.config.cacheDir}),
        openSources: async () =>
          flags.offline
            ? this.offlineSources(await archive.open(), weeks)
            : this.onlineSources(await archive.open(), {maxWait, verbose: flags.verbose, status}),
        writeFile: writeFileAtomic,
        fileExists,
        onWrite:
          status && weeks.length > 1 ? (week, at, count) => status(`Writing ${week.id} (${at}/${count})`) : undefined,
      }).finally(() => status?.(''))
      return this.present(outcomes, request.destination)
    } catch (error) {
      if (error instanceof BackfillInterruptedError) {
        error.suggestions.push(`Resume with: ${resumeCommand(this.argv, error.resumeFrom, error.lastWeek)}`)
      }

      throw error
    } finally {
      archive.close()
    }
  }

  /** Strava through the login, the archive synced before it is read. */
  private async onlineSources(
    archive: ActivityArchive,
    o: {maxWait: number; verbose: boolean; status?: (line: string) => void},
  ): Promise<NoteSources> {
    const [{ArchiveActivitySource, athleteIdOf}, {archivedDetails}] = await Promise.all([
      import('../archive/source.js'),
      import('../archive/details.js'),
    ])
    const {session, strava} = await this.connectToStrava({
      maxWait: o.maxWait,
      verbose: o.verbose,
      onProgress: o.status && !o.verbose ? (message) => o.status!(`${message}...`) : undefined,
    })
    // CI mode has no saved athlete: asked once, and only when a note is to be written.
    let athlete: Promise<Record<string, unknown>> | undefined
    const getAthlete = () =>
      (athlete ??= (async () => {
        const found = session.profile.athlete ?? ((await strava.getAthlete()) as unknown as Record<string, unknown>)
        archive.saveAthlete(found)
        return found
      })())
    const athleteId = async () => athleteIdOf(await getAthlete())
    return {
      athlete: getAthlete,
      activities: new ArchiveActivitySource({archive, athleteId, lister: strava}),
      details: archivedDetails({archive, athleteId, reader: strava}),
    }
  }

  /** The archive alone: no network, no login, no keyring. Warns when the archive never covered the weeks. */
  private async offlineSources(archive: ActivityArchive, weeks: WeekRange[]): Promise<NoteSources> {
    const [{readConfig}, {ArchiveActivitySource, athleteIdOf, offlineAthlete}, {fetchWindow}, {archivedDetails}] =
      await Promise.all([
        import('../strava/auth.js'),
        import('../archive/source.js'),
        import('../notes/week.js'),
        import('../archive/details.js'),
      ])
    const athlete = offlineAthlete(archive, (await readConfig(this.config.configDir)).session?.athlete)
    const athleteId = athleteIdOf(athlete)
    const activities = new ArchiveActivitySource({archive, athleteId})
    if (!activities.holds(athleteId, fetchWindow(weeks[0], weeks.at(-1)!))) {
      this.warn(
        `The archive has not synced all of ${weeks[0].id}${weeks.length > 1 ? `..${weeks.at(-1)!.id}` : ''}; the note shows what it holds. Run \`weeknotes sync\` when online.`,
      )
    }

    const details = archivedDetails({archive, athleteId})
    return {athlete: async () => athlete, activities, details}
  }

  private present(outcomes: NoteOutcome[], destination: NoteDestination): unknown {
    if (destination.kind === 'print') {
      const [note] = outcomes
      if (this.jsonEnabled()) return note.context
      process.stdout.write(note.markdown ?? '')
      return note.context
    }

    const written = outcomes.filter((note) => note.status === 'written')
    const skipped = outcomes.filter((note) => note.status === 'skipped')
    const summary = (list: NoteOutcome[]) => list.map(({week, path}) => ({week, path}))
    if (destination.kind === 'file') {
      this.logToStderr(`Wrote ${destination.path}`)
    } else {
      const notes = written.length === 1 ? 'note' : 'notes'
      this.logToStderr(`Wrote ${written.length} ${notes} to ${destination.dir}.`)
      if (skipped.length > 0) {
        this.logToStderr(
          `Skipped ${skipped.length} that already existed (${skipped.map((note) => note.week).join(', ')}); add --force to replace them.`,
        )
      }
    }

    return {written: summary(written), skipped: summary(skipped)}
  }
}

type GenerateFlags = InferredFlags<typeof Generate.flags>

/** What the flags ask for, as the use case takes it. */
function requestOf(flags: GenerateFlags, weeks: WeekRange[], json: boolean): GenerateWeeksRequest {
  return {
    weeks,
    destination: destinationOf(flags),
    units: flags.units as 'metric' | 'imperial' | undefined,
    excludePrivate: flags['exclude-private'],
    excludeSportTypes: flags['exclude-sport'],
    force: flags.force,
    json,
    generatedAt: new Date(),
    pictures: {maps: flags.maps, trimMetres: flags['map-trim'] ?? 200, privateMaps: flags['private-maps']},
  }
}

function destinationOf(flags: GenerateFlags): NoteDestination {
  if (flags['out-dir']) {
    const filename = flags.filename ?? (flags.bundle ? '{{week.id}}/index.md' : '{{week.id}}.md')
    return {kind: 'dir', dir: flags['out-dir'], filename, bundle: flags.bundle}
  }

  return flags.output && flags.output !== '-' ? {kind: 'file', path: flags.output} : {kind: 'print'}
}

/** The archive, opened when the sources are (after the template compiled) and closed whatever happens. */
class ArchiveHandle {
  private archive?: ActivityArchive

  constructor(private readonly dataDir: string) {}

  async open(): Promise<ActivityArchive> {
    const {ActivityArchive} = await import('../archive/archive.js')
    this.archive ??= ActivityArchive.open(ActivityArchive.pathIn(this.dataDir))
    return this.archive
  }

  close(): void {
    this.archive?.close()
  }
}

const SHELL_SAFE = /^[\w@%+=:,./-]+$/

/** The user's own command line with the range moved to start at `from`, so every other flag carries over. */
export function resumeCommand(argv: string[], from: WeekRange, to: WeekRange): string {
  const kept: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const range = /^--(?:from|to)(=|$)/.exec(argv[i])
    if (!range) kept.push(argv[i])
    // `--from 2024-W01` also drops its value; `--from=2024-W01` is one argument.
    else if (range[1] === '') i++
  }

  const quote = (arg: string) => (SHELL_SAFE.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`)
  return ['weeknotes generate', ...kept.map(quote), '--from', from.id, '--to', to.id].join(' ')
}
