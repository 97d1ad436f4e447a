// Strava's bulk export ("Download or Delete Your Account", "Request your archive") as a stream of
// activities in the shape the archive stores for API activities (SummaryActivity, ids with exact
// digits), plus how each local start was decided. activities.csv is read row by row; each row's uploaded
// file is opened only for the hints it gives about the local time (see activity-file.ts, local-time.ts).
import type {Readable} from 'node:stream'

import type {SummaryActivity} from '../../strava/types.js'
import {type FileHints, readFileHints} from './activity-file.js'
import {type ExportRow, readRow} from './activity-row.js'
import {type ActivityColumns, resolveActivityColumns} from './columns.js'
import {type ExportContainer, openExport} from './container.js'
import {csvRows} from './csv.js'
import {ExportFormatError} from './errors.js'
import {LOCAL_DATE_RULES, type LocalDateRule, localStart, type ZoneFallback} from './local-time.js'
import {type ExportAthlete, readProfile} from './profile.js'

/** An activity of the export, in the archive's shape. Fields the export does not have are left out. */
export interface ExportActivity extends SummaryActivity {
  id_str: string
  description?: string
  private_note?: string
  /** Which rule decided `start_date_local` (the export has no time zone column). */
  start_date_local_source: LocalDateRule
}

export interface ExportProgress {
  activities: number
  /** Bytes of activities.csv read so far, and its size: a fraction for a progress bar. */
  bytes: number
  totalBytes?: number
}

export interface ExportReadOptions {
  /** --timezone: the zone of activities whose files tell nothing (validated by the caller). */
  timezone?: string
  /** The system's zone, the last resort; default: Intl's resolved zone. */
  systemZone?: string
  onProgress?: (progress: ExportProgress) => void
}

export interface ExportSummary {
  source: string
  language: {code: string; name: string}
  /** Columns of activities.csv (exports have had 10 to 103). */
  columns: number
  activities: number
  /** Activities per rule that decided the local start. */
  localDate: Record<LocalDateRule, number>
  /** The zone of activities whose files tell none, and which rule gave it. */
  fallbackZone: string
  fallbackRule: 'timezone-flag' | 'system-zone'
  /** Rows left out, by reason: 'error-row' (`#error#`), 'no-id', 'bad-date'. */
  skipped: Record<string, number>
  /** Rows whose Filename is not in the export. */
  missingFiles: number
  /** Localised activity types with no Strava sport type (imported as Workout), with their counts. */
  unknownTypes: Record<string, number>
}

/** Activity files read at once: their reads overlap while rows keep their order. */
const FILES_IN_FLIGHT = 4

export class StravaExport {
  readonly summary: ExportSummary

  private constructor(
    private readonly container: ExportContainer,
    private readonly columns: ActivityColumns,
    readonly athlete: ExportAthlete | undefined,
    private readonly fallback: ZoneFallback,
    private readonly options: ExportReadOptions,
  ) {
    this.summary = {
      source: container.path,
      language: {code: columns.language.code, name: columns.language.name},
      columns: columns.count,
      activities: 0,
      localDate: Object.fromEntries(LOCAL_DATE_RULES.map((rule) => [rule, 0])) as Record<LocalDateRule, number>,
      fallbackZone: fallback.zone,
      fallbackRule: fallback.rule,
      skipped: {},
      missingFiles: 0,
      unknownTypes: {},
    }
  }

  /** Opens the export and reads its header and profile; the activities come from `activities()`. */
  static async open(path: string, options: ExportReadOptions = {}): Promise<StravaExport> {
    const container = await openExport(path)
    try {
      const header = await readHeader(container)
      const columns = resolveActivityColumns(header)
      const athlete = await readProfile(container)
      const fallback: ZoneFallback = options.timezone
        ? {zone: options.timezone, rule: 'timezone-flag'}
        : {zone: options.systemZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone, rule: 'system-zone'}
      return new StravaExport(container, columns, athlete, fallback, options)
    } catch (error) {
      container.close()
      throw error
    }
  }

  /** The activities in the order of activities.csv; `summary` is complete once the iteration ends. */
  async *activities(): AsyncGenerator<ExportActivity> {
    const stream = await this.openCsv()
    const totalBytes = await this.container.size('activities.csv')
    const rows = csvRows(stream)
    const pending: Promise<ExportActivity>[] = []
    let header = true
    try {
      for await (const values of rows as AsyncIterable<string[]>) {
        if (header) {
          header = false
          continue
        }

        const result = readRow(values, this.columns)
        if ('skipped' in result) {
          this.summary.skipped[result.skipped] = (this.summary.skipped[result.skipped] ?? 0) + 1
          continue
        }

        pending.push(this.complete(result.row))
        if (pending.length >= FILES_IN_FLIGHT) yield this.count(await pending.shift()!, rows.info.bytes, totalBytes)
      }

      while (pending.length > 0) yield this.count(await pending.shift()!, rows.info.bytes, totalBytes)
    } finally {
      stream.destroy()
      // Reads still in flight (the consumer stopped early) must not reject unobserved.
      await Promise.allSettled(pending)
    }
  }

  close(): void {
    this.container.close()
  }

  /** When Strava wrote the export (activities.csv's modification time), epoch ms. */
  exportedAt(): Promise<number | undefined> {
    return this.container.modified('activities.csv')
  }

  private async openCsv(): Promise<Readable> {
    const stream = await this.container.open('activities.csv')
    if (!stream) throw new ExportFormatError(`${this.container.path} has no activities.csv.`)
    return stream
  }

  private count(activity: ExportActivity, bytes: number, totalBytes: number | undefined): ExportActivity {
    this.summary.activities++
    this.summary.localDate[activity.start_date_local_source]++
    this.options.onProgress?.({activities: this.summary.activities, bytes, totalBytes})
    return activity
  }

  private async complete(row: ExportRow): Promise<ExportActivity> {
    if (row.unknownType)
      this.summary.unknownTypes[row.unknownType] = (this.summary.unknownTypes[row.unknownType] ?? 0) + 1
    const hints = row.filename ? await this.hints(row.filename) : {}
    return toActivity(row, hints, this.fallback, this.athlete)
  }

  private async hints(filename: string): Promise<FileHints> {
    const name = filename.replaceAll('\\', '/').replace(/^\.?\//, '')
    const stream = await this.container.open(name).catch(() => undefined)
    if (!stream) {
      this.summary.missingFiles++
      return {}
    }

    return readFileHints(stream, name)
  }
}

async function readHeader(container: ExportContainer): Promise<string[]> {
  const stream = await container.open('activities.csv')
  if (!stream) {
    throw new ExportFormatError(
      `${container.path} has no activities.csv, so it is not a Strava account export. Request one at strava.com (Settings, My Account, Download or Delete Your Account) and name the ZIP it sends.`,
    )
  }

  try {
    for await (const values of csvRows(stream)) return values
  } finally {
    stream.destroy()
  }

  throw new ExportFormatError(`activities.csv in ${container.path} is empty.`)
}

function toActivity(row: ExportRow, hints: FileHints, fallback: ZoneFallback, athlete?: ExportAthlete): ExportActivity {
  const local = localStart(row.startEpochMs, hints, fallback)
  const activity: ExportActivity = {
    id: Number(row.id),
    id_str: row.id,
    name: row.name,
    type: row.sportType,
    sport_type: row.sportType,
    start_date: new Date(row.startEpochMs).toISOString().replace('.000Z', 'Z'),
    start_date_local: local.startDateLocal,
    utc_offset: local.utcOffset,
    distance: row.distance,
    moving_time: row.movingTime,
    elapsed_time: row.elapsedTime,
    total_elevation_gain: row.totalElevationGain,
    average_speed: row.averageSpeed ?? (row.movingTime > 0 ? row.distance / row.movingTime : 0),
    has_heartrate: row.averageHeartrate !== undefined,
    manual: row.filename === undefined,
    start_date_local_source: local.rule,
  }
  if (local.timezone) activity.timezone = local.timezone
  if (row.averageHeartrate !== undefined) activity.average_heartrate = row.averageHeartrate
  if (row.commute !== undefined) activity.commute = row.commute
  if (row.description !== undefined) activity.description = row.description
  if (row.privateNote !== undefined) activity.private_note = row.privateNote
  if (athlete) activity.athlete = {id: athlete.id}
  return activity
}
