// `weeknotes import`: Strava's bulk export merged into the archive, in transactions of a few hundred
// activities. The same Activity ID is one row whichever way it arrived. An activity the API sync already
// stored keeps the API's fields; the export only adds fields the API row lacks (the description and the
// private note, which Strava's activity list does not return). A newer export updates the rows an
// earlier export wrote; importing the same export again changes nothing.
import type {ActivityArchive} from '../archive.js'
import {stringifyStravaJson} from '../../strava/json.js'
import type {SummaryActivity} from '../../strava/types.js'
import {ExportFormatError} from './errors.js'
import type {ExportAthlete} from './profile.js'
import {type ExportActivity, type ExportReadOptions, type ExportSummary, StravaExport} from './reader.js'

export interface ImportOptions extends ExportReadOptions {
  /** Read and count only; the archive is not touched. */
  dryRun?: boolean
  now?: () => number
}

export interface ImportResult extends ExportSummary {
  athlete?: {id: string; firstname?: string; lastname?: string}
  dryRun: boolean
  /** New rows. */
  added: number
  /** Rows of an earlier export whose fields changed. */
  updated: number
  /** Rows the archive already held exactly so. */
  unchanged: number
  /** Activities the API sync had stored: their fields win; `completed` of them got fields the API row lacked. */
  fromApi: number
  completed: number
}

const BATCH = 250
/** Batches whose starts span more than this are matched against the archive one activity at a time. */
const LOOKUP_SPAN_S = 31 * 86_400

/** Reads the export and merges it into the archive (or only reads it, for a dry run). */
export async function importStravaExport(
  path: string,
  archive: ActivityArchive | undefined,
  options: ImportOptions = {},
): Promise<ImportResult> {
  const reader = await StravaExport.open(path, options)
  try {
    const athlete = reader.athlete
    const dryRun = options.dryRun === true || archive === undefined
    if (!athlete && !dryRun) {
      throw new ExportFormatError(
        `${path} has no profile.csv naming the athlete, so weeknotes cannot tell whose archive the activities belong to. Import the whole ZIP Strava sent, not activities.csv alone.`,
      )
    }

    const counts = {added: 0, updated: 0, unchanged: 0, fromApi: 0, completed: 0}
    const merger = dryRun ? undefined : new ArchiveMerger(archive!, athlete!.id_str, counts)
    let batch: ExportActivity[] = []
    for await (const activity of reader.activities()) {
      if (!merger) continue
      batch.push(activity)
      if (batch.length >= BATCH) {
        merger.write(batch)
        batch = []
      }
    }

    if (merger) {
      merger.write(batch)
      merger.finish(athlete!, reader.summary.activities, (await reader.exportedAt()) ?? (options.now ?? Date.now)())
    }

    const who = athlete && {id: athlete.id_str, firstname: athlete.firstname, lastname: athlete.lastname}
    return {...reader.summary, athlete: who, dryRun, ...counts}
  } finally {
    reader.close()
  }
}

type Counts = Pick<ImportResult, 'added' | 'updated' | 'unchanged' | 'fromApi' | 'completed'>

const startOf = (activity: SummaryActivity) => Math.floor(Date.parse(activity.start_date) / 1000)
const idOf = (activity: SummaryActivity) => activity.id_str ?? String(activity.id)
/** Rows the import wrote carry the rule that decided their local date; the API's never do. */
const isExportRow = (activity: SummaryActivity) => 'start_date_local_source' in activity

class ArchiveMerger {
  private latest = Number.NEGATIVE_INFINITY

  constructor(
    private readonly archive: ActivityArchive,
    private readonly athleteId: string,
    private readonly counts: Counts,
  ) {}

  /** One transaction per batch: an interrupted import keeps what it wrote, and a rerun finishes it. */
  write(batch: ExportActivity[]): void {
    if (batch.length === 0) return
    this.archive.transaction(() => {
      const held = this.heldFor(batch)
      const fromExport: SummaryActivity[] = []
      const fromApi: SummaryActivity[] = []
      for (const activity of batch) {
        this.latest = Math.max(this.latest, startOf(activity))
        const existing = held.get(idOf(activity))
        const merged = existing && !isExportRow(existing) ? this.completeApiRow(existing, activity) : activity
        if (existing && stringifyStravaJson(existing) === stringifyStravaJson(merged)) {
          this.counts.unchanged++
        } else if (existing && !isExportRow(existing)) {
          this.counts.completed++
          fromApi.push(merged)
        } else {
          this.counts[existing ? 'updated' : 'added']++
          fromExport.push(merged)
        }
      }

      this.archive.upsertInTransaction(this.athleteId, fromExport, {source: 'export'})
      this.archive.upsertInTransaction(this.athleteId, fromApi, {source: 'api'})
    })
  }

  /**
   * After the last batch: the athlete (unless the API sync stored a fuller profile) and the coverage of the
   * export, a complete listing of the history up to its newest activity, so --offline knows those weeks are held.
   */
  finish(athlete: ExportAthlete, activities: number, exportedAt: number): void {
    if (!this.archive.athlete(this.athleteId)) this.archive.saveAthlete({...athlete})
    if (activities === 0) return
    // The export lists the whole history up to when Strava wrote it; using that time (not the import's)
    // leaves the coverage as it was when the same export is imported again.
    const before = Math.max(this.latest + 1, Math.floor(exportedAt / 1000))
    this.archive.addCoverage(this.athleteId, {after: 0, before, listedAt: exportedAt})
  }

  /** The API row with the export's fields it lacks (description, private note); the API's own fields stay. */
  private completeApiRow(existing: SummaryActivity, activity: ExportActivity): SummaryActivity {
    this.counts.fromApi++
    const merged: Record<string, unknown> = {...existing}
    for (const field of ['description', 'private_note'] as const) {
      if (merged[field] == null && activity[field] !== undefined) merged[field] = activity[field]
    }

    return merged as unknown as SummaryActivity
  }

  /** The archive's rows for the batch's ids, found through the start-time index. */
  private heldFor(batch: ExportActivity[]): Map<string, SummaryActivity> {
    const starts = batch.map(startOf)
    const [first, last] = [Math.min(...starts), Math.max(...starts)]
    const windows =
      last - first <= LOOKUP_SPAN_S ? [[first, last]] : starts.map((start): [number, number] => [start, start])
    const held = new Map<string, SummaryActivity>()
    for (const [after, before] of windows) {
      // Strava's listing may hold a start a second or so off the export's: look a minute either side.
      for (const row of this.archive.activitiesBetween(this.athleteId, after - 60, before + 60))
        held.set(idOf(row), row)
    }

    return held
  }
}
