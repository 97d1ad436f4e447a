// The `weeknotes generate` use case: one paged fetch over the weeks asked for, then a digest per week,
// rendered and printed or written. Collaborators come in as arguments so tests run it with fakes.
import {join} from 'node:path'

import {buildDigest, groupByWeek, unitsFor, type DigestContext, type Units} from './notes/digest.js'
import {fetchWindow, type WeekRange} from './notes/week.js'
import type {StravaClient} from './strava/client.js'
import type {SummaryActivity} from './strava/types.js'

/** Where notes go: printed (one week), one file (one week), or one file per week in a directory. */
export type NoteDestination =
  {kind: 'print'} | {kind: 'file'; path: string} | {kind: 'dir'; dir: string; filename: string}

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
}

export interface GenerateCollaborators {
  strava: Pick<StravaClient, 'getAthlete' | 'listActivities'>
  /** Compiles the template; called before any API call so a broken template costs none. */
  loadRenderer: () => Promise<(context: DigestContext) => string>
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
    super(`${reason.message} ${wrote}; resume with --from ${resumeFrom.id}.`)
    this.name = 'BackfillInterruptedError'
    this.exitCode = reason.exitCode ?? 1
    this.suggestions = [...(reason.suggestions ?? []), `Resume with: ${resumeCommand}`]
  }
}

const PLACEHOLDER = /{{\s*([\w.]+)\s*}}/g

/** `{{week.id}}.md` -> `2024-W10.md`: Handlebars-style placeholders over the context, without loading Handlebars. */
export function renderFilename(template: string, context: Record<string, unknown>): string {
  return template.replace(PLACEHOLDER, (_match, path: string) => {
    const value = path
      .split('.')
      .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], context)
    if (value === undefined || value === null || typeof value === 'object') {
      throw new GenerateUsageError(`--filename uses {{${path}}}, which is not a value of the note's context.`, [
        'Use week.id, week.year, week.number, week.start or week.end, e.g. --filename "{{week.id}}.md".',
      ])
    }

    return String(value)
  })
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

  return paths
}

/** Weeks whose every activity is surely fetched: ascending order means nothing earlier than the last start is missing. */
function completeWeeks(weeks: WeekRange[], fetched: SummaryActivity[]): WeekRange[] {
  const lastStart = Math.max(...fetched.map((activity) => Date.parse(activity.start_date) / 1000))
  return weeks.filter((week) => fetchWindow(week, week).before <= lastStart)
}

export async function generateNotes(o: GenerateNotesOptions, c: GenerateCollaborators): Promise<NoteOutcome[]> {
  if (o.weeks.length === 0) return []
  const {destination} = o
  if (destination.kind !== 'dir' && o.weeks.length > 1) {
    throw new GenerateUsageError('A range of weeks needs --out-dir, one note per week.')
  }

  const paths = destination.kind === 'dir' ? plannedPaths(o.weeks, destination) : undefined
  const skipped: NoteOutcome[] = []
  let weeks = o.weeks
  if (destination.kind === 'file' && !o.force && (await c.fileExists(destination.path))) {
    throw new GenerateUsageError(`${destination.path} already exists; it was left untouched.`, [
      'Add --force to replace it, or choose another --output.',
    ])
  }

  if (paths && !o.force) {
    const exists = await Promise.all(weeks.map((week) => c.fileExists(paths.get(week.id)!)))
    skipped.push(
      ...weeks
        .filter((_week, i) => exists[i])
        .map((week) => ({week: week.id, path: paths.get(week.id), status: 'skipped' as const})),
    )
    weeks = weeks.filter((_week, i) => !exists[i])
    // Nothing left to write: no need to spend the rate limit.
    if (weeks.length === 0) return skipped
  }

  const render = o.json && destination.kind === 'print' ? undefined : await c.loadRenderer()
  const athlete = o.athlete ?? ((await c.strava.getAthlete()) as unknown as Record<string, unknown>)
  const units = o.units ?? unitsFor(athlete)
  const digest = (week: WeekRange, activities: SummaryActivity[]) =>
    buildDigest({
      week,
      athlete,
      units,
      activities,
      generatedAt: o.generatedAt,
      excludePrivate: o.excludePrivate,
      excludeSportTypes: o.excludeSportTypes,
    })

  const resumeCommand = (from: WeekRange) =>
    `weeknotes generate --from ${from.id} --to ${o.weeks.at(-1)!.id} --out-dir ${JSON.stringify((destination as {dir: string}).dir)}`
  const fetched: SummaryActivity[] = []
  const written: NoteOutcome[] = []
  const writeWeeks = async (toWrite: WeekRange[], activities: SummaryActivity[]) => {
    const byWeek = groupByWeek(activities, toWrite)
    for (const [index, week] of toWrite.entries()) {
      const context = digest(week, byWeek.get(week.id) ?? [])
      const path = destination.kind === 'file' ? destination.path : paths!.get(week.id)!
      c.onWrite?.(week, index + 1, toWrite.length)
      await c.writeFile(path, render!(context), {force: o.force})
      written.push({week: week.id, path, status: 'written'})
    }
  }

  let activities: SummaryActivity[]
  try {
    activities = await c.strava.listActivities({
      ...fetchWindow(weeks[0], weeks.at(-1)!),
      onPage: (_page, _total, batch) => fetched.push(...batch),
    })
  } catch (error) {
    if (destination.kind !== 'dir' || o.weeks.length === 1 || !(error instanceof Error)) throw error
    // Keep what the pages so far fully cover, then say where to pick up.
    const ready = fetched.length > 0 ? completeWeeks(weeks, fetched) : []
    try {
      await writeWeeks(ready, fetched)
    } catch {
      // The fetch failure is the one to report; `written` tells how far the writing got.
    }

    throw new BackfillInterruptedError(error, written, weeks[written.length], resumeCommand(weeks[written.length]))
  }

  if (destination.kind === 'print') {
    const context = digest(weeks[0], activities)
    return [{week: weeks[0].id, context, markdown: render?.(context), status: 'printed'}]
  }

  try {
    await writeWeeks(weeks, activities)
  } catch (error) {
    if (destination.kind !== 'dir' || o.weeks.length === 1 || !(error instanceof Error)) throw error
    throw new BackfillInterruptedError(error, written, weeks[written.length], resumeCommand(weeks[written.length]))
  }

  return [...written, ...skipped]
}
