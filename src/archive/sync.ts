// Syncing the archive with Strava. The first sync lists the whole history oldest first (`after`), storing
// each page with the point to continue from in one transaction, so an interrupted first sync resumes
// where it stopped. Later syncs list only from the latest start held minus a recent window (edits,
// late uploads and deletions show up there); `full` lists everything. A listing that completes removes,
// inside its window, what Strava no longer returned.
import {ExitCodeError} from 'oclif-plugin-oauth/errors'

import type {ActivityPage} from '../strava/client.js'
import {StravaError} from '../strava/errors.js'
import type {SummaryActivity} from '../strava/types.js'
import type {ActivityArchive, Coverage} from './archive.js'
import {collectGarbage, keepYoungGenerationSmall} from './memory.js'

/** Edits, late uploads and deletions are picked up this far back from the latest activity held. */
const RECENT_WINDOW_DAYS = 14
export const RECENT_WINDOW_S = RECENT_WINDOW_DAYS * 86_400
/** Pages between two full garbage collections (see memory.ts); a collection takes a few milliseconds. */
const GC_EVERY_PAGES = 10
/**
 * A listing over more than a quarter of a year is a long one (a backfill, a first sync): V8's heap is tuned
 * for it before the first page arrives (memory.ts). A shorter one (a week, with the weeks its comparisons
 * look back on; an incremental sync) leaves V8's flags alone: a change makes Node compile every built-in
 * module loaded afterwards (its own code cache no longer fits) and keeps bin/run.js from caching the run's code.
 */
const LONG_LISTING_S = 92 * 86_400
/** Coverage with no upper bound (a listing without `before`). */
const OPEN_END = Number.MAX_SAFE_INTEGER

export interface ActivityLister {
  activityPages(options: {after: number; before?: number}): AsyncIterable<ActivityPage>
}

export type SyncMode = 'first' | 'resume' | 'incremental' | 'full' | 'window'

export interface SyncProgress {
  mode: SyncMode
  pages: number
  listed: number
  added: number
}

export interface SyncResult extends SyncProgress {
  removed: number
  /** Epoch seconds the listing started after. */
  after: number
  before?: number
  startedAt: number
  finishedAt: number
}

export interface SyncOptions {
  athleteId: string
  /** Re-list the whole history and remove what Strava no longer has. */
  full?: boolean
  /** Only this UTC window (generate before the history is synced); recorded as coverage. */
  window?: {after: number; before: number}
  now?: () => number
  onPage?: (progress: SyncProgress, activities: SummaryActivity[]) => void
}

/** A sync stopped by a rate limit or an outage: what it stored stays, the next run continues. */
export class SyncInterruptedError extends ExitCodeError {
  readonly exitCode: number

  constructor(
    readonly reason: Error & {exitCode?: number; suggestions?: string[]},
    readonly progress: SyncProgress,
  ) {
    const kept = `${progress.listed} ${progress.listed === 1 ? 'activity' : 'activities'} listed before it stopped ${progress.listed === 1 ? 'is' : 'are'} kept in the archive`
    super(`${reason.message} The ${kept}; \`weeknotes sync\` continues from there.`, {
      suggestions: reason.suggestions,
    })
    this.exitCode = reason.exitCode ?? 1
  }
}

interface Plan {
  mode: SyncMode
  after: number
  before?: number
  /** Delete what the completed listing did not return. */
  reconcile: boolean
}

function plan(archive: ActivityArchive, o: SyncOptions): Plan {
  if (o.window) return {mode: 'window', ...o.window, reconcile: true}
  if (o.full) return {mode: 'full', after: 0, reconcile: true}
  const state = archive.syncState(o.athleteId)
  if (!state.historyComplete) {
    return state.resumeAfter === undefined
      ? {mode: 'first', after: 0, reconcile: false}
      : {mode: 'resume', after: state.resumeAfter, reconcile: false}
  }

  const latest = archive.latestStart(o.athleteId) ?? 0
  return {mode: 'incremental', after: Math.max(0, latest - RECENT_WINDOW_S), reconcile: true}
}

const startOf = (activity: SummaryActivity) => Math.floor(Date.parse(activity.start_date) / 1000)

/** Lists from Strava into the archive, one transaction per page. */
export async function syncActivities(
  archive: ActivityArchive,
  lister: ActivityLister,
  o: SyncOptions,
): Promise<SyncResult> {
  const now = o.now ?? Date.now
  const p = plan(archive, o)
  const startedAt = now()
  const progress: SyncProgress = {mode: p.mode, pages: 0, listed: 0, added: 0}
  const firstSync = p.mode === 'first' || p.mode === 'resume'
  if ((p.before ?? startedAt / 1000) - p.after > LONG_LISTING_S) keepYoungGenerationSmall()
  try {
    for await (const {activities} of lister.activityPages({after: p.after, before: p.before})) {
      archive.transaction(() => {
        progress.added += archive.upsertInTransaction(o.athleteId, activities, {listedAt: startedAt})
        // `after` is exclusive: one second back, so another activity of the same second is not skipped.
        // A page of only malformed activities (left out by the client) moves nothing on.
        if (firstSync && activities.length > 0) {
          archive.updateSyncState(o.athleteId, {resumeAfter: Math.max(...activities.map(startOf)) - 1})
        }
      })
      progress.pages++
      progress.listed += activities.length
      if (progress.pages % GC_EVERY_PAGES === 0) collectGarbage()
      o.onPage?.({...progress}, activities)
    }
  } catch (error) {
    // Strava's errors carry an exit code (rate limit, outage, login); anything else is a bug, passed on.
    if (error instanceof StravaError && p.mode !== 'window') throw new SyncInterruptedError(error, {...progress})
    throw error
  }

  return archive.transaction(() => {
    const removed = p.reconcile ? archive.deleteUnlisted(o.athleteId, p, startedAt) : 0
    const coverage: Coverage = {
      after: firstSync ? 0 : p.after,
      before: p.before ?? OPEN_END,
      listedAt: startedAt,
    }
    archive.addCoverage(o.athleteId, coverage)
    const result: SyncResult = {...progress, removed, after: p.after, before: p.before, startedAt, finishedAt: now()}
    if (p.mode === 'window') return result
    archive.updateSyncState(o.athleteId, {
      historyComplete: true,
      resumeAfter: null,
      lastSyncAt: result.finishedAt,
      lastSync: {...result},
    })
    return result
  })
}

/**
 * Whether the archive holds the window for good: a complete listing covered it, and long enough ago
 * after the window's end that late uploads and edits (RECENT_WINDOW_DAYS) have had their time.
 */
export function holdsSettled(coverage: Coverage[], window: {after: number; before: number}): boolean {
  const settled = coverage
    .map((c) => ({after: c.after, end: Math.min(c.before, Math.floor(c.listedAt / 1000) - RECENT_WINDOW_S)}))
    .filter((c) => c.end > c.after)
    .sort((a, b) => a.after - b.after)
  let reached = window.after
  for (const c of settled) {
    if (c.after > reached) break
    reached = Math.max(reached, c.end)
    if (reached >= window.before) return true
  }

  return false
}
