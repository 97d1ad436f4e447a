// The `weeknotes generate` use case: the activities of the weeks asked for from one activity source (the
// archive, synced first, or Strava directly), then a digest per week, rendered and printed or written.
// Collaborators come in as arguments so tests run it with fakes; the command composes them and presents.
import {dirname, join} from 'node:path'

import {ExitCodeError} from 'oclif-plugin-oauth/errors'

import {describeLocalFailure} from '../local-io.js'
import type {SummaryActivity} from '../strava/types.js'
import type {ActivitySource} from './activity-source.js'
import {activityIdOf, type DetailSource} from './details.js'
import {buildDigest, groupByWeek, selectActivities, unitsFor, type Units} from './digest.js'
import {historyStart} from './history.js'
import {
  checkOneNotePerFile,
  partitionExisting,
  plannedPaths,
  type NoteDestination,
  type NoteOutcome,
} from './note-files.js'
import {OutputExistsError} from './output.js'
import type {PictureFile, PictureOptions} from './pictures.js'
import type {RenderDigest} from './render.js'
import {DETAIL_FIELDS, HISTORY_FIELDS, PICTURE_FIELDS, usesAny} from './template-uses.js'
import {fetchWindow, type WeekRange} from './week.js'

export interface GenerateWeeksRequest {
  weeks: WeekRange[]
  destination: NoteDestination
  /** Default: the athlete's measurement preference. */
  units?: Units
  excludePrivate?: boolean
  excludeSportTypes?: string[]
  /** Replace existing files instead of refusing (one file) or skipping them (a directory). */
  force: boolean
  /** Print contexts rather than Markdown (only for the print destination: files always get Markdown). */
  json?: boolean
  generatedAt: Date
  /** Maps and their privacy, for page bundles whose template shows pictures. */
  pictures?: PictureOptions
}

/** Where a run's athlete, activities and details come from: the archive (synced as needed, or read only). */
export interface NoteSources {
  /** The athlete whose notes these are: the saved login's, or asked for once (CI mode). */
  athlete: () => Promise<Record<string, unknown>>
  activities: ActivitySource
  /** Detailed activities, read only when the template shows them; without one, notes have no details. */
  details?: DetailSource
}

export interface GenerateCollaborators {
  /** Compiles the template: called first, so a broken template is reported before anything needs a login. */
  loadRenderer: () => Promise<RenderDigest>
  /** Opens the sources (a login, the archive) once the template compiled, before anything is read. */
  openSources: () => Promise<NoteSources>
  writeFile: (path: string, content: string, options: {force: boolean}) => Promise<void>
  fileExists: (path: string) => Promise<boolean>
  /** Before each file is written: the week, its position and how many will be written. */
  onWrite?: (week: WeekRange, position: number, count: number) => void
}

/**
 * A multi-week run stopped part way (rate limit, Strava down, disk full). The notes written so far stay;
 * `resumeFrom` is the first week not written, `lastWeek` the end of the range. Keeps the exit code of the
 * failure; the command adds the command line that resumes.
 */
export class BackfillInterruptedError extends ExitCodeError {
  readonly exitCode: number
  declare suggestions: string[]

  constructor(
    readonly reason: Error & {exitCode?: number; suggestions?: string[]},
    readonly written: NoteOutcome[],
    readonly resumeFrom: WeekRange,
    readonly lastWeek: WeekRange,
  ) {
    const count = written.length === 1 ? '1 note was' : `${written.length} notes were`
    const wrote = written.length === 0 ? 'No note was written' : `${count} written up to ${written.at(-1)!.week}`
    // A disk that filled up part way is the machine's problem, with its own code and sentence.
    const local = reason.exitCode === undefined ? describeLocalFailure(reason) : undefined
    super(`${local?.message ?? reason.message} ${wrote}; resume with --from ${resumeFrom.id}.`, {
      suggestions: [...(reason.suggestions ?? [])],
    })
    this.exitCode = reason.exitCode ?? local?.exit ?? 1
  }
}

/**
 * Weeks whose every activity is surely fetched. With `after`, Strava lists activities oldest first by UTC
 * start, so none that started before the last one fetched is missing, and a week is complete once its
 * padded window ends by then. That proof holds only while the answers kept that order: a server that
 * answered out of order proves no week complete.
 */
function completeWeeks(weeks: WeekRange[], fetched: SummaryActivity[]): WeekRange[] {
  const starts = fetched.map((activity) => Date.parse(activity.start_date) / 1000)
  if (starts.some((start, i) => !(start >= (i === 0 ? start : starts[i - 1])))) return []
  const lastStart = starts.at(-1) ?? Number.NEGATIVE_INFINITY
  return weeks.filter((week) => fetchWindow(week, week).before <= lastStart)
}

/** The summaries of the activities a note shows (after its exclusions): only those need details. */
function shown(activities: SummaryActivity[], selected: {id: string}[]): SummaryActivity[] {
  const ids = new Set(selected.map((activity) => activity.id))
  return activities.filter((activity) => ids.has(activityIdOf(activity)))
}

interface NoteShared {
  athlete: Record<string, unknown>
  units: Units
  uses: readonly string[]
}

/**
 * Builds a week's context and its pictures, reading what the template uses and nothing more: details
 * (one request per activity, or the archive's copies), the weeks before (from `fetched`), pictures.
 */
function noteMaker(o: GenerateWeeksRequest, sources: NoteSources, shared: NoteShared) {
  const details = usesAny(shared.uses, DETAIL_FIELDS) ? sources.details : undefined
  const needsHistory = usesAny(shared.uses, HISTORY_FIELDS)
  const bundle = o.destination.kind === 'dir' && o.destination.bundle
  const pictures = bundle && usesAny(shared.uses, PICTURE_FIELDS) ? o.pictures : undefined
  const filters = {excludePrivate: o.excludePrivate, excludeSportTypes: o.excludeSportTypes}
  return async (week: WeekRange, activities: SummaryActivity[], fetched: SummaryActivity[]) => {
    const {athlete, units} = shared
    const base = {week, athlete, units, activities, generatedAt: o.generatedAt, ...filters}
    const context = buildDigest({
      ...base,
      details: details && (await details(shown(activities, selectActivities(activities, week, base)))),
      history: needsHistory ? {from: historyStart(week), activities: fetched} : undefined,
    })
    const files: PictureFile[] = pictures
      ? await (await import('./pictures.js')).drawPictures(context, activities, pictures)
      : []
    return {context, files}
  }
}

/** The weeks still to write and each one's file: --output's checked first, --out-dir's existing ones skipped. */
async function planWeeks(o: GenerateWeeksRequest, c: GenerateCollaborators) {
  const {destination} = o
  // Checked before any API call; the atomic write checks again, for a file created in between.
  if (destination.kind === 'file' && !o.force && (await c.fileExists(destination.path))) {
    throw new OutputExistsError(destination.path)
  }

  const paths = destination.kind === 'dir' ? plannedPaths(o.weeks, destination) : new Map<string, string>()
  if (destination.kind === 'file') paths.set(o.weeks[0].id, destination.path)
  const {toWrite, skipped} =
    destination.kind === 'dir' && !o.force
      ? await partitionExisting(o.weeks, paths, c.fileExists)
      : {toWrite: o.weeks, skipped: []}
  return {weeks: toWrite, skipped, paths}
}

export async function generateWeeks(o: GenerateWeeksRequest, c: GenerateCollaborators): Promise<NoteOutcome[]> {
  checkOneNotePerFile(o.weeks, o.destination)
  const renderer = await c.loadRenderer()
  const sources = await c.openSources()
  if (o.weeks.length === 0) return []
  const plan = await planWeeks(o, c)
  // Nothing left to write: no need to spend the rate limit.
  if (plan.weeks.length === 0) return plan.skipped
  // --json prints the context, not the Markdown.
  const render = o.json && o.destination.kind === 'print' ? undefined : renderer
  return new NoteRun(o, c, sources, plan, render).run()
}

/** One run over the weeks to write: a single listing, then a note per week, printed or written in order. */
class NoteRun {
  /** Filled page by page, so that a backfill stopped part way can still write the weeks already complete. */
  private readonly fetched: SummaryActivity[] = []
  private readonly written: NoteOutcome[] = []

  constructor(
    private readonly o: GenerateWeeksRequest,
    private readonly c: GenerateCollaborators,
    private readonly sources: NoteSources,
    private readonly plan: {weeks: WeekRange[]; skipped: NoteOutcome[]; paths: Map<string, string>},
    private readonly render: RenderDigest | undefined,
  ) {}

  async run(): Promise<NoteOutcome[]> {
    const {weeks} = this.plan
    // --json prints every field a template could use, except pictures (there is no file to put them in).
    const uses = this.render ? (this.render.uses ?? []) : [...DETAIL_FIELDS, ...HISTORY_FIELDS]
    // The profile is asked for beside the first list page: one round trip for both.
    const athleteAnswer = this.sources.athlete()
    // The comparisons with the weeks before come from the same list, from further back (four weeks, or
    // 1 January): the archive holds them after the first run, and Strava's pages hold 200 activities.
    const first = usesAny(uses, HISTORY_FIELDS) ? {...weeks[0], start: historyStart(weeks[0])} : weeks[0]
    const listing = this.sources.activities.listActivities({
      ...fetchWindow(first, weeks.at(-1)!),
      onPage: (_page, _total, batch) => this.fetched.push(...batch),
    })
    // Awaited in the try below; should the profile fail first, the listing's failure is not unhandled.
    listing.catch(() => {})
    const athlete = await athleteAnswer
    const note = noteMaker(this.o, this.sources, {athlete, units: this.o.units ?? unitsFor(athlete), uses})
    let activities: SummaryActivity[] | undefined
    try {
      activities = await listing
      if (this.o.destination.kind === 'print') {
        const {context} = await note(weeks[0], groupByWeek(activities, weeks).get(weeks[0].id) ?? [], activities)
        return [{week: weeks[0].id, context, markdown: this.render?.(context), status: 'printed'}]
      }

      await this.writeWeeks(note, weeks, activities)
      return [...this.written, ...this.plan.skipped]
    } catch (error) {
      throw await this.interrupted(error, note, activities)
    }
  }

  private async writeWeeks(note: ReturnType<typeof noteMaker>, ready: WeekRange[], activities: SummaryActivity[]) {
    const byWeek = groupByWeek(activities, ready)
    for (const [index, week] of ready.entries()) {
      const path = this.plan.paths.get(week.id)!
      const {context, files} = await note(week, byWeek.get(week.id) ?? [], activities)
      this.c.onWrite?.(week, index + 1, ready.length)
      // Pictures first, so a note never links one that is missing; they belong to the note being written.
      for (const file of files) await this.c.writeFile(join(dirname(path), file.name), file.content, {force: true})
      await this.c.writeFile(path, this.render!(context), {force: this.o.force})
      this.written.push({week: week.id, path, status: 'written'})
    }
  }

  /** A backfill stopped part way writes the weeks it holds whole, then says where to resume. */
  private async interrupted(
    error: unknown,
    note: ReturnType<typeof noteMaker>,
    activities: SummaryActivity[] | undefined,
  ): Promise<unknown> {
    const {o, fetched} = this
    if (o.destination.kind !== 'dir' || o.weeks.length === 1 || !(error instanceof Error)) return error
    const {weeks} = this.plan
    // The failure to report is the first one; `written` tells how far the writing got.
    if (!activities && fetched.length > 0) {
      await this.writeWeeks(note, completeWeeks(weeks, fetched), fetched).catch(() => {})
    }

    return new BackfillInterruptedError(error, this.written, weeks[this.written.length], o.weeks.at(-1)!)
  }
}
