// The local activity archive: one SQLite file (node:sqlite) per data directory, holding every athlete's
// activities as Strava sent them (JSON with exact ids) beside the columns the queries need. WAL and a busy
// timeout let a cron run and a person use it at once; each write is one short IMMEDIATE transaction.
import {chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync} from 'node:fs'
import {join} from 'node:path'
import type {DatabaseSync, SQLInputValue} from 'node:sqlite'

import {parseStravaJson, stringifyStravaJson} from '../strava/json.js'
import type {SummaryActivity} from '../strava/types.js'
import {archiveError, ArchiveFileError, ArchiveTooNewError} from './errors.js'
import {migrations, SCHEMA_VERSION} from './schema.js'
import {loadSqlite} from './sqlite.js'

const ARCHIVE_FILE = 'archive.sqlite'
/** How long another process may hold the write lock before a write gives up (a page takes milliseconds). */
const BUSY_TIMEOUT_MS = 30_000
const SQLITE_BUSY = 5

export type ActivitySourceKind = 'api' | 'export'

export interface UpsertOptions {
  /** Default 'api'. An export row never replaces an API row; an API row replaces an export row. */
  source?: ActivitySourceKind
  /** Epoch ms of the listing that returned these activities (API listings only). */
  listedAt?: number
}

export interface SyncState {
  /** A sync has listed the whole history once. */
  historyComplete: boolean
  /** Epoch seconds: where an interrupted first sync continues (`after`). */
  resumeAfter?: number
  /** Epoch ms of the last sync that finished. */
  lastSyncAt?: number
  /** What that sync did, for `sync --status`. */
  lastSync?: Record<string, unknown>
}

/** A stretch of UTC start times (epoch seconds, exclusive bounds) that a complete listing covered at `listedAt` (ms). */
export interface Coverage {
  after: number
  before: number
  listedAt: number
}

export interface ArchiveSummary {
  path: string
  bytes: number
  count: number
  first?: string
  last?: string
  sports: {sportType: string; count: number}[]
}

export interface ArchiveOptions {
  now?: () => number
}

/** `start_date_local` without Strava's misleading Z: '2024-03-04T07:00:00'. */
const localStart = (activity: SummaryActivity) => activity.start_date_local.slice(0, 19)
const activityId = (activity: SummaryActivity) => activity.id_str ?? String(activity.id)

export class ActivityArchive {
  private constructor(
    readonly path: string,
    private readonly db: DatabaseSync,
    private readonly now: () => number,
  ) {}

  /** The archive file in a data directory (oclif's `config.dataDir`, or WEEKNOTES_DATA_DIR). */
  static pathIn(dataDir: string): string {
    return join(dataDir, ARCHIVE_FILE)
  }

  /**
   * Opens (creating if needed: directory 0700, file 0600) and migrates the archive. A file that is not a
   * database raises ArchiveDamagedError; it is never removed or replaced here.
   */
  static open(path: string, options: ArchiveOptions = {}): ActivityArchive {
    createPrivately(path)
    const {DatabaseSync} = loadSqlite()
    const giveUpAt = Date.now() + BUSY_TIMEOUT_MS
    for (let attempt = 1; ; attempt++) {
      let db: DatabaseSync | undefined
      try {
        db = new DatabaseSync(path)
        db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`)
        db.exec('PRAGMA journal_mode = WAL')
        db.exec('PRAGMA synchronous = NORMAL')
        migrate(db, path)
        return new ActivityArchive(path, db, options.now ?? Date.now)
      } catch (error) {
        db?.close()
        // Switching a new file to WAL, or recovering the WAL after a killed run, can answer SQLITE_BUSY at
        // once, without waiting on busy_timeout, while another process does the same: seen with two syncs
        // started together. Opening again shortly after finds the work done.
        if (isBusy(error) && Date.now() < giveUpAt) {
          pause(Math.min(25 * attempt, 250))
          continue
        }

        throw archiveError(error, path)
      }
    }
  }

  close(): void {
    if (this.db.isOpen) this.db.close()
  }

  /** Runs `work` in one IMMEDIATE transaction (the write lock is taken up front, so no deadlock on upgrade). */
  transaction<T>(work: () => T): T {
    return this.guard(() => {
      this.db.exec('BEGIN IMMEDIATE')
      try {
        const result = work()
        this.db.exec('COMMIT')
        return result
      } catch (error) {
        if (this.db.isTransaction) this.db.exec('ROLLBACK')
        throw error
      }
    })
  }

  /** Stores or replaces activities in one transaction; returns how many were new. */
  upsertActivities(athleteId: string, activities: SummaryActivity[], options: UpsertOptions = {}): number {
    return this.transaction(() => this.upsertInTransaction(athleteId, activities, options))
  }

  /** The same, for a caller already inside `transaction` (to store a page and its resume point together). */
  upsertInTransaction(athleteId: string, activities: SummaryActivity[], options: UpsertOptions = {}): number {
    const source = options.source ?? 'api'
    const now = this.now()
    const held = this.db.prepare('SELECT summary_json FROM activities WHERE athlete_id = ? AND activity_id = ?')
    const upsert = this.db.prepare(`
      INSERT INTO activities (athlete_id, activity_id, start_utc, start_local, start_local_date, sport_type,
        visibility, private, source, summary_json, summary_updated_at, listed_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (athlete_id, activity_id) DO UPDATE SET
        start_utc = excluded.start_utc, start_local = excluded.start_local,
        start_local_date = excluded.start_local_date, sport_type = excluded.sport_type,
        visibility = excluded.visibility, private = excluded.private, source = excluded.source,
        summary_updated_at = CASE WHEN summary_json = excluded.summary_json THEN summary_updated_at
          ELSE excluded.summary_updated_at END,
        summary_json = excluded.summary_json,
        -- The later listing wins: a concurrent sync that started earlier must not make a row look unlisted.
        listed_at = max(coalesce(excluded.listed_at, 0), coalesce(listed_at, 0))
      WHERE excluded.source = 'api' OR activities.source = 'export'`)
    let added = 0
    for (const activity of activities) {
      const id = activityId(activity)
      const row = held.get(athleteId, id) as {summary_json: string} | undefined
      if (!row) added++
      const start = localStart(activity)
      upsert.run(
        athleteId,
        id,
        Math.floor(Date.parse(activity.start_date) / 1000),
        start,
        start.slice(0, 10),
        activity.sport_type ?? activity.type ?? 'Workout',
        activity.visibility ?? null,
        activity.private || activity.visibility === 'only_me' ? 1 : 0,
        source,
        stringifyStravaJson(row ? keepOwnWords(activity, row.summary_json) : activity),
        now,
        options.listedAt ?? null,
      )
    }

    return added
  }

  /**
   * After a complete listing of (after, before) that started at `listedAt`: removes the athlete's API
   * activities in that window that the listing did not return (deleted on Strava, or made invisible to
   * this login). Rows listed by a later, concurrent run carry a later `listed_at` and stay.
   */
  deleteUnlisted(athleteId: string, window: {after: number; before?: number}, listedAt: number): number {
    return this.guard(
      () =>
        this.db
          .prepare(
            `DELETE FROM activities WHERE athlete_id = ? AND source = 'api' AND start_utc > ? AND start_utc < ?
              AND (listed_at IS NULL OR listed_at < ?)`,
          )
          .run(athleteId, window.after, window.before ?? Number.MAX_SAFE_INTEGER, listedAt).changes as number,
    )
  }

  /** Activities whose local start date lies in [firstDate, lastDate] ('YYYY-MM-DD'), ordered by UTC start. */
  activitiesInLocalRange(athleteId: string, firstDate: string, lastDate: string): SummaryActivity[] {
    return this.summaries(
      'SELECT summary_json FROM activities WHERE athlete_id = ? AND start_local_date BETWEEN ? AND ? ORDER BY start_utc',
      athleteId,
      firstDate,
      lastDate,
    )
  }

  /** Activities that started (UTC, epoch seconds) after `after` and before `before`, ordered by start; of one source if given. */
  activitiesBetween(athleteId: string, after: number, before: number, source?: ActivitySourceKind): SummaryActivity[] {
    return this.summaries(
      `SELECT summary_json FROM activities WHERE athlete_id = ? AND start_utc > ? AND start_utc < ?
        AND source = coalesce(?, source) ORDER BY start_utc`,
      athleteId,
      after,
      before,
      source ?? null,
    )
  }

  /** The latest UTC start held for the athlete (epoch seconds). */
  latestStart(athleteId: string): number | undefined {
    const row = this.guard(() =>
      this.db.prepare('SELECT max(start_utc) AS latest FROM activities WHERE athlete_id = ?').get(athleteId),
    )
    return (row?.latest as number | null) ?? undefined
  }

  /** Stores the detailed activity (GET /activities/{id}) beside the summary; false when the activity is not held. */
  setDetails(athleteId: string, id: string, details: unknown): boolean {
    const text = stringifyStravaJson(details)
    const result = this.guard(() =>
      this.db
        .prepare(
          'UPDATE activities SET details_json = ?, details_updated_at = ? WHERE athlete_id = ? AND activity_id = ?',
        )
        .run(text, this.now(), athleteId, id),
    )
    return result.changes === 1
  }

  /** The detailed activity and when it was stored, next to when the summary last changed (epoch ms). */
  details(
    athleteId: string,
    id: string,
  ): {details?: Record<string, unknown>; detailsUpdatedAt?: number; summaryUpdatedAt: number} | undefined {
    const row = this.guard(() =>
      this.db
        .prepare(
          'SELECT details_json, details_updated_at, summary_updated_at FROM activities WHERE athlete_id = ? AND activity_id = ?',
        )
        .get(athleteId, id),
    )
    if (!row) return undefined
    return {
      details: row.details_json ? (parseStravaJson(row.details_json as string) as Record<string, unknown>) : undefined,
      detailsUpdatedAt: (row.details_updated_at as number | null) ?? undefined,
      summaryUpdatedAt: row.summary_updated_at as number,
    }
  }

  saveAthlete(athlete: Record<string, unknown>): void {
    const id = String(athlete.id_str ?? athlete.id)
    this.guard(() =>
      this.db
        .prepare(
          `INSERT INTO athletes (athlete_id, json, updated_at) VALUES (?, ?, ?)
           ON CONFLICT (athlete_id) DO UPDATE SET json = excluded.json, updated_at = excluded.updated_at`,
        )
        .run(id, stringifyStravaJson(athlete), this.now()),
    )
  }

  athlete(athleteId: string): Record<string, unknown> | undefined {
    const row = this.guard(() => this.db.prepare('SELECT json FROM athletes WHERE athlete_id = ?').get(athleteId))
    return row ? (parseStravaJson(row.json as string) as Record<string, unknown>) : undefined
  }

  /** Athletes with anything stored, for `--offline` without a login. */
  athleteIds(): string[] {
    const rows = this.guard(() =>
      this.db
        .prepare('SELECT athlete_id FROM athletes UNION SELECT DISTINCT athlete_id FROM activities ORDER BY 1')
        .all(),
    )
    return rows.map((row) => row.athlete_id as string)
  }

  syncState(athleteId: string): SyncState {
    const row = this.guard(() => this.db.prepare('SELECT * FROM sync_state WHERE athlete_id = ?').get(athleteId))
    if (!row) return {historyComplete: false}
    return {
      historyComplete: row.history_complete === 1,
      resumeAfter: (row.resume_after as number | null) ?? undefined,
      lastSyncAt: (row.last_sync_at as number | null) ?? undefined,
      lastSync: row.last_sync_json ? (JSON.parse(row.last_sync_json as string) as Record<string, unknown>) : undefined,
    }
  }

  /** Changes the given fields of the sync state (`null` clears one); safe inside `transaction`. */
  updateSyncState(athleteId: string, patch: {[K in keyof SyncState]?: SyncState[K] | null}): void {
    const columns: [string, SQLInputValue][] = []
    if (patch.historyComplete !== undefined) columns.push(['history_complete', patch.historyComplete ? 1 : 0])
    if (patch.resumeAfter !== undefined) columns.push(['resume_after', patch.resumeAfter])
    if (patch.lastSyncAt !== undefined) columns.push(['last_sync_at', patch.lastSyncAt])
    if (patch.lastSync !== undefined) columns.push(['last_sync_json', patch.lastSync && JSON.stringify(patch.lastSync)])
    if (columns.length === 0) return
    const names = columns.map(([name]) => name)
    this.guard(() =>
      this.db
        .prepare(
          `INSERT INTO sync_state (athlete_id, ${names.join(', ')}) VALUES (?${', ?'.repeat(names.length)})
           ON CONFLICT (athlete_id) DO UPDATE SET ${names.map((name) => `${name} = excluded.${name}`).join(', ')}`,
        )
        .run(athleteId, ...columns.map(([, value]) => value)),
    )
  }

  /** Records a complete listing; intervals it contains that were listed earlier are dropped. */
  addCoverage(athleteId: string, coverage: Coverage): void {
    this.guard(() => {
      this.db
        .prepare('DELETE FROM coverage WHERE athlete_id = ? AND after_utc >= ? AND before_utc <= ? AND listed_at <= ?')
        .run(athleteId, coverage.after, coverage.before, coverage.listedAt)
      this.db
        .prepare('INSERT INTO coverage (athlete_id, after_utc, before_utc, listed_at) VALUES (?, ?, ?, ?)')
        .run(athleteId, coverage.after, coverage.before, coverage.listedAt)
    })
  }

  coverage(athleteId: string): Coverage[] {
    const rows = this.guard(() =>
      this.db
        .prepare('SELECT after_utc, before_utc, listed_at FROM coverage WHERE athlete_id = ? ORDER BY after_utc')
        .all(athleteId),
    )
    return rows.map((row) => ({
      after: row.after_utc as number,
      before: row.before_utc as number,
      listedAt: row.listed_at as number,
    }))
  }

  /** File size, activities held, their date range and the count per sport (all athletes unless one is given). */
  summary(athleteId?: string): ArchiveSummary {
    const where = athleteId === undefined ? '' : 'WHERE athlete_id = ?'
    const args = athleteId === undefined ? [] : [athleteId]
    return this.guard(() => {
      const totals = this.db
        .prepare(
          `SELECT count(*) AS count, min(start_local) AS first, max(start_local) AS last FROM activities ${where}`,
        )
        .get(...args)!
      const sports = this.db
        .prepare(
          `SELECT sport_type, count(*) AS count FROM activities ${where} GROUP BY sport_type ORDER BY count DESC, sport_type`,
        )
        .all(...args)
      return {
        path: this.path,
        bytes: fileBytes(this.path),
        count: totals.count as number,
        first: (totals.first as string | null) ?? undefined,
        last: (totals.last as string | null) ?? undefined,
        sports: sports.map((row) => ({sportType: row.sport_type as string, count: row.count as number})),
      }
    })
  }

  /** Removes everything held about an athlete (activities, profile, sync state); returns the activities removed. */
  deleteAthlete(athleteId: string): number {
    const removed = this.transaction(() => {
      const {changes} = this.db.prepare('DELETE FROM activities WHERE athlete_id = ?').run(athleteId)
      for (const table of ['athletes', 'sync_state', 'coverage']) {
        this.db.prepare(`DELETE FROM ${table} WHERE athlete_id = ?`).run(athleteId)
      }

      return changes as number
    })
    // Deleted rows can linger in free pages and the WAL: rewrite the file so they are gone from disk too.
    this.guard(() => {
      this.db.exec('PRAGMA wal_checkpoint(TRUNCATE)')
      this.db.exec('VACUUM')
    })
    return removed
  }

  /** Row by row, so that a year's JSON text is never held all at once beside the objects parsed from it. */
  private summaries(sql: string, ...args: SQLInputValue[]): SummaryActivity[] {
    return this.guard(() => {
      const activities: SummaryActivity[] = []
      for (const row of this.db.prepare(sql).iterate(...args)) {
        activities.push(parseStravaJson(row.summary_json as string) as SummaryActivity)
      }

      return activities
    })
  }

  private guard<T>(work: () => T): T {
    try {
      return work()
    } catch (error) {
      throw archiveError(error, this.path)
    }
  }
}

function isBusy(error: unknown): boolean {
  const {code, errcode} = error as {code?: string; errcode?: number}
  return code === 'ERR_SQLITE_ERROR' && errcode !== undefined && (errcode & 0xff) === SQLITE_BUSY
}

/** A synchronous pause: node:sqlite is synchronous, and so is opening the archive. */
function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)
}

/** Directory 0700 and file 0600 before SQLite touches them (its -wal and -shm files copy the file's mode). */
function createPrivately(path: string): void {
  const dir = join(path, '..')
  try {
    const created = mkdirSync(dir, {recursive: true, mode: 0o700})
    if (created) chmodSync(dir, 0o700)
    closeSync(openSync(path, 'a', 0o600))
    chmodSync(path, 0o600)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error)
    throw new ArchiveFileError(path, code)
  }
}

function migrate(db: DatabaseSync, path: string): void {
  const version = db.prepare('PRAGMA user_version').get()!.user_version as number
  if (version > SCHEMA_VERSION) throw new ArchiveTooNewError(path, version, SCHEMA_VERSION)
  for (let next = version; next < SCHEMA_VERSION; next++) {
    db.exec('BEGIN IMMEDIATE')
    try {
      // Another process may have migrated while this one waited for the lock.
      const current = db.prepare('PRAGMA user_version').get()!.user_version as number
      if (current === next) {
        migrations[next](db)
        db.exec(`PRAGMA user_version = ${next + 1}`)
      }

      db.exec('COMMIT')
    } catch (error) {
      if (db.isTransaction) db.exec('ROLLBACK')
      throw error
    }
  }
}

function fileBytes(path: string): number {
  let bytes = 0
  for (const suffix of ['', '-wal']) {
    try {
      bytes += statSync(path + suffix).size
    } catch {
      // no WAL file: nothing to add
    }
  }

  return bytes
}

/**
 * Deletes an athlete's data from the archive in a data directory, without creating one where there is
 * none. Returns the activities removed, or undefined when there was no archive.
 */
export function forgetAthlete(dataDir: string, athleteId: string): number | undefined {
  const path = ActivityArchive.pathIn(dataDir)
  if (!existsSync(path)) return undefined
  const archive = ActivityArchive.open(path)
  try {
    return archive.deleteAthlete(athleteId)
  } finally {
    archive.close()
  }
}

/**
 * Strava's activity list carries no description or private note; an imported export (or the import's
 * completion of an API row) may have stored them. A later listing of the same activity keeps them.
 */
function keepOwnWords(activity: SummaryActivity, storedJson: string): SummaryActivity {
  const incoming = activity as SummaryActivity & {description?: unknown; private_note?: unknown}
  if (incoming.description != null && incoming.private_note != null) return activity
  const stored = JSON.parse(storedJson) as {description?: unknown; private_note?: unknown}
  const kept = {
    ...(incoming.description == null && typeof stored.description === 'string'
      ? {description: stored.description}
      : {}),
    ...(incoming.private_note == null && typeof stored.private_note === 'string'
      ? {private_note: stored.private_note}
      : {}),
  }
  return Object.keys(kept).length === 0 ? activity : {...activity, ...kept}
}
