// The `weeknotes generate` use case: the activities of the weeks asked for from one source (the archive,
// synced first, or Strava directly), then a digest per week, rendered and printed or written.
// Collaborators come in as arguments so tests run it with fakes.
import {dirname, isAbsolute, join} from 'node:path'

import {describeLocalFailure} from './local-io.js'
import type {ActivitySource} from './notes/activity-source.js'
import {activityIdOf, detailsFromStrava, type DetailSource} from './notes/details.js'
import {buildDigest, groupByWeek, selectActivities, unitsFor, type DigestContext, type Units} from './notes/digest.js'
import {historyStart} from './notes/history.js'
import {OutputExistsError} from './notes/output.js'
import type {PictureFile, PictureOptions} from './notes/pictures.js'
import type {RenderDigest} from './notes/render.js'
import {DETAIL_FIELDS, HISTORY_FIELDS, PICTURE_FIELDS, usesAny} from './notes/template-uses.js'
import {fetchWindow, type WeekRange} from './notes/week.js'
import type {StravaClient} from './strava/client.js'
import type {SummaryActivity} from './strava/types.js'

/**
 * Where notes go: printed (one week), one file (one week), or one file per week in a directory; `bundle`
 * gives each week a directory of its own (a page bundle) with the note's pictures beside it.
 */
export type NoteDestination =
  {kind: 'print'} | {kind: 'file'; path: string} | {kind: 'dir'; dir: string; filename: string; bundle?: boolean}

export interface GenerateNotesOptions {
  weeks: WeekRange[]
  destination: NoteDestination
  /** The athlete saved at login; fetched from Strava only when absent (CI mode). */
  athlete?: Record<string, unknown>
  /** Default: the athlete's measurement preference. */
  units?: Units
  excludePrivate?: boolean
  excludeSportTypes?: string[]
  /** Replace existing files instead of refusing (one file) or skipping them (a directory). */
  force: boolean
  /** Print contexts rather than Markdown (only for the print destination: files always get Markdown). */
  json?: boolean
  generatedAt: Date
  /** The command line's arguments, repeated in the resume command of an interrupted backfill. */
  argv?: string[]
  /** Maps and their privacy, for page bundles whose template shows pictures. */
  pictures?: PictureOptions
}

export interface GenerateCollaborators {
  strava: Pick<StravaClient, 'getAthlete'> & Partial<Pick<StravaClient, 'getActivity'>>
  /** The archive (synced as needed, or read only with --offline), or Strava itself. */
  activities: ActivitySource
  /** Compiles the template; called before any API call so a broken template costs none. */
  loadRenderer: () => Promise<RenderDigest>
  /** Detailed activities; default: one GET /activities/{id} each through `strava`. */
  details?: DetailSource
  writeFile: (path: string, content: string, options: {force: boolean}) => Promise<void>
  fileExists: (path: string) => Promise<boolean>
  /** Before each file is written: the week, its position and how many will be written. */
  onWrite?: (week: WeekRange, position: number, count: number) => void
}

export interface NoteOutcome {
  week: string
  context?: DigestContext
  /** The Markdown, for the print destination without --json. */
  markdown?: string
  path?: string
  status: 'printed' | 'written' | 'skipped'
}

export class GenerateUsageError extends Error {
  readonly exitCode = 2
  constructor(
    message: string,
    readonly suggestions?: string[],
  ) {
    super(message)
    this.name = 'GenerateUsageError'
  }
}

/**
 * A multi-week run stopped part way (rate limit, Strava down, disk full). The notes written so far stay;
 * `resumeFrom` is the first week not written. Keeps the exit code of the failure.
 */
export class BackfillInterruptedError extends Error {
  readonly exitCode: number
  readonly suggestions?: string[]

  constructor(
    readonly reason: Error & {exitCode?: number; suggestions?: string[]},
    readonly written: NoteOutcome[],
    readonly resumeFrom: WeekRange,
    resumeCommand: string,
  ) {
    const count = written.length === 1 ? '1 note was' : `${written.length} notes were`
    const wrote = written.length === 0 ? 'No note was written' : `${count} written up to ${written.at(-1)!.week}`
    // A disk that filled up part way is the machine's problem, with its own code and sentence.
    const local = reason.exitCode === undefined ? describeLocalFailure(reason) : undefined
    super(`${local?.message ?? reason.message} ${wrote}; resume with --from ${resumeFrom.id}.`)
    this.name = 'BackfillInterruptedError'
    this.exitCode = reason.exitCode ?? local?.exit ?? 1
    this.suggestions = [...(reason.suggestions ?? []), `Resume with: ${resumeCommand}`]
  }
}

const PLACEHOLDER = /{{\s*([\w.]+)\s*}}/g

/** The context's own value at a dotted path: nothing inherited (`constructor`, `__proto__`) resolves. */
function ownValue(context: Record<string, unknown>, path: string): unknown {
  let node: unknown = context
  for (const key of path.split('.')) {
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, key)) return undefined
    node = (node as Record<string, unknown>)[key]
  }

  return node
}

/**
 * `{{week.id}}.md` -> `2024-W10.md`: Handlebars-style placeholders over the context, without loading Handlebars.
 * The name must stay inside --out-dir: no absolute path, no `.` or `..` part, not empty.
 */
export function renderFilename(template: string, context: Record<string, unknown>): string {
  const name = template.replace(PLACEHOLDER, (_match, path: string) => {
    const value = ownValue(context, path)
    if (value === undefined || value === null || typeof value === 'object') {
      throw new GenerateUsageError(`--filename uses {{${path}}}, which is not a value of the note's context.`, [
        'Use week.id, week.year, week.number, week.start or week.end, e.g. --filename "{{week.id}}.md".',
      ])
    }

    return String(value)
  })
  const parts = name.split(/[\\/]/)
  if (!name.trim() || isAbsolute(name) || parts.some((part) => part === '' || part === '.' || part === '..')) {
    throw new GenerateUsageError(
      `--filename "${template}" gives "${name}", which is not a file name inside --out-dir (no leading /, no empty, . or .. parts).`,
      ['Use a relative name such as "{{week.id}}.md" or "{{week.year}}/{{week.id}}.md".'],
    )
  }

  return name
}

function plannedPaths(weeks: WeekRange[], destination: Extract<NoteDestination, {kind: 'dir'}>): Map<string, string> {
  const paths = new Map(
    weeks.map((week) => [week.id, join(destination.dir, renderFilename(destination.filename, {week}))]),
  )
  if (new Set(paths.values()).size < paths.size) {
    throw new GenerateUsageError(`--filename "${destination.filename}" gives several weeks the same file name.`, [
      'Include the week in it, e.g. --filename "{{week.id}}.md".',
    ])
  }

  if (destination.bundle && new Set([...paths.values()].map((path) => dirname(path))).size < paths.size) {
    throw new GenerateUsageError(
      `--bundle needs a directory per week, but --filename "${destination.filename}" shares one.`,
      ['Put the week in the directory, e.g. --filename "{{week.id}}/index.md" (the default with --bundle).'],
    )
  }

  return paths
}

/**
 * Weeks whose every activity is surely fetched. With `after`, Strava lists activities oldest first by UTC
 * start, so none that started before the last one fetched is missing, and a week is complete once its
 * padded window ends by then. That proof holds only while the answers kept that order: a server that
 * answered out of order proves no week complete.
 */
export function completeWeeks(weeks: WeekRange[], fetched: SummaryActivity[]): WeekRange[] {
  const starts = fetched.map((activity) => Date.parse(activity.start_date) / 1000)
  if (starts.some((start, i) => !(start >= (i === 0 ? start : starts[i - 1])))) return []
  const lastStart = starts.at(-1) ?? Number.NEGATIVE_INFINITY
  return weeks.filter((week) => fetchWindow(week, week).before <= lastStart)
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

/** Without --force, weeks whose file exists are skipped; they are not even fetched. */
async function partitionExisting(
  weeks: WeekRange[],
  paths: Map<string, string>,
  c: GenerateCollaborators,
): Promise<{toWrite: WeekRange[]; skipped: NoteOutcome[]}> {
  const exists = await Promise.all(weeks.map((week) => c.fileExists(paths.get(week.id)!)))
  return {
    toWrite: weeks.filter((_week, i) => !exists[i]),
    skipped: weeks
      .filter((_week, i) => exists[i])
      .map((week) => ({week: week.id, path: paths.get(week.id), status: 'skipped' as const})),
  }
}

/** The summaries of the activities a note shows (after its exclusions): only those need details. */
function shown(activities: SummaryActivity[], selected: {id: string}[]): SummaryActivity[] {
  const ids = new Set(selected.map((activity) => activity.id))
  return activities.filter((activity) => ids.has(activityIdOf(activity)))
}

function filters(o: GenerateNotesOptions) {
  return {excludePrivate: o.excludePrivate, excludeSportTypes: o.excludeSportTypes}
}

function stravaDetails(strava: GenerateCollaborators['strava']): DetailSource | undefined {
  const {getActivity} = strava
  return getActivity && detailsFromStrava({getActivity: (id) => getActivity.call(strava, id)})
}

/**
 * Builds a week's context and its pictures, reading what the template uses and nothing more: details
 * (one request per activity, or the archive's copies), the weeks before (from `fetched`), pictures.
 */
function noteMaker(
  o: GenerateNotesOptions,
  c: GenerateCollaborators,
  shared: {athlete: Record<string, unknown>; units: Units; uses: readonly string[]},
) {
  const details = usesAny(shared.uses, DETAIL_FIELDS) ? (c.details ?? stravaDetails(c.strava)) : undefined
  const needsHistory = usesAny(shared.uses, HISTORY_FIELDS)
  const bundle = o.destination.kind === 'dir' && o.destination.bundle
  const pictures = bundle && usesAny(shared.uses, PICTURE_FIELDS) ? o.pictures : undefined
  return async (week: WeekRange, activities: SummaryActivity[], fetched: SummaryActivity[]) => {
    const {athlete, units} = shared
    const base = {week, athlete, units, activities, generatedAt: o.generatedAt, ...filters(o)}
    const context = buildDigest({
      ...base,
      details: details && (await details(shown(activities, selectActivities(activities, week, base)))),
      history: needsHistory ? {from: historyStart(week), activities: fetched} : undefined,
    })
    const files: PictureFile[] = pictures
      ? await (await import('./notes/pictures.js')).drawPictures(context, activities, pictures)
      : []
    return {context, files}
  }
}

export async function generateNotes(o: GenerateNotesOptions, c: GenerateCollaborators): Promise<NoteOutcome[]> {
  if (o.weeks.length === 0) return []
  const {destination} = o
  if (destination.kind !== 'dir' && o.weeks.length > 1) {
    throw new GenerateUsageError('A range of weeks needs --out-dir, one note per week.')
  }

  // Checked before any API call; the atomic write checks again, for a file created in between.
  if (destination.kind === 'file' && !o.force && (await c.fileExists(destination.path))) {
    throw new OutputExistsError(destination.path)
  }

  const paths = destination.kind === 'dir' ? plannedPaths(o.weeks, destination) : new Map<string, string>()
  if (destination.kind === 'file') paths.set(o.weeks[0].id, destination.path)
  const {toWrite: weeks, skipped} =
    destination.kind === 'dir' && !o.force
      ? await partitionExisting(o.weeks, paths, c)
      : {toWrite: o.weeks, skipped: []}
  // Nothing left to write: no need to spend the rate limit.
  if (weeks.length === 0) return skipped

  const render = o.json && destination.kind === 'print' ? undefined : await c.loadRenderer()
  // --json prints every field a template could use, except pictures (there is no file to put them in).
  const uses = render ? (render.uses ?? []) : [...DETAIL_FIELDS, ...HISTORY_FIELDS]
  const needsHistory = usesAny(uses, HISTORY_FIELDS)
  // The profile, when needed, is asked for beside the first list page: one round trip for both.
  const athleteAnswer = o.athlete ? undefined : c.strava.getAthlete()
  // Filled page by page, so that a backfill stopped part way can still write the weeks already complete.
  const fetched: SummaryActivity[] = []
  // The comparisons with the weeks before come from the same list, from further back (four weeks, or
  // 1 January): the archive holds them after the first run, and Strava's pages hold 200 activities.
  const first = needsHistory ? {...weeks[0], start: historyStart(weeks[0])} : weeks[0]
  const listing = c.activities.listActivities({
    ...fetchWindow(first, weeks.at(-1)!),
    onPage: (_page, _total, batch) => fetched.push(...batch),
  })
  // Awaited in the try below; should the profile fail first, the listing's failure is not unhandled.
  listing.catch(() => {})
  const athlete = o.athlete ?? ((await athleteAnswer) as unknown as Record<string, unknown>)
  const note = noteMaker(o, c, {athlete, units: o.units ?? unitsFor(athlete), uses})

  const written: NoteOutcome[] = []
  const writeWeeks = async (ready: WeekRange[], activities: SummaryActivity[]) => {
    const byWeek = groupByWeek(activities, ready)
    for (const [index, week] of ready.entries()) {
      const path = paths.get(week.id)!
      const {context, files} = await note(week, byWeek.get(week.id) ?? [], activities)
      c.onWrite?.(week, index + 1, ready.length)
      // Pictures first, so a note never links one that is missing; they belong to the note being written.
      for (const file of files) await c.writeFile(join(dirname(path), file.name), file.content, {force: true})
      await c.writeFile(path, render!(context), {force: o.force})
      written.push({week: week.id, path, status: 'written'})
    }
  }

  let activities: SummaryActivity[] | undefined
  try {
    activities = await listing
    if (destination.kind === 'print') {
      const {context} = await note(weeks[0], groupByWeek(activities, weeks).get(weeks[0].id) ?? [], activities)
      return [{week: weeks[0].id, context, markdown: render?.(context), status: 'printed'}]
    }

    await writeWeeks(weeks, activities)
    return [...written, ...skipped]
  } catch (error) {
    if (destination.kind !== 'dir' || o.weeks.length === 1 || !(error instanceof Error)) throw error
    // The failure to report is the first one; `written` tells how far the writing got.
    if (!activities && fetched.length > 0) await writeWeeks(completeWeeks(weeks, fetched), fetched).catch(() => {})
    const resumeFrom = weeks[written.length]
    throw new BackfillInterruptedError(
      error,
      written,
      resumeFrom,
      resumeCommand(o.argv ?? ['--out-dir', destination.dir], resumeFrom, o.weeks.at(-1)!),
    )
  }
}
