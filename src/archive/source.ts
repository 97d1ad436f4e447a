// The archive as the notes' activity source: before reading a window, it syncs what the archive does not
// hold for good, then answers from the file. Offline (no lister) it only reads.
import {ExitCodeError} from 'oclif-plugin-oauth/errors'

import type {ListActivitiesOptions} from '../strava/client.js'
import type {SummaryActivity} from '../strava/types.js'
import type {ActivityArchive} from './archive.js'
import {holdsSettled, RECENT_WINDOW_S, syncActivities, type ActivityLister} from './sync.js'

export interface ArchiveSourceOptions {
  archive: ActivityArchive
  /** The athlete's id, or a way to learn it (CI mode asks Strava once, and only when activities are needed). */
  athleteId: string | (() => Promise<string>)
  /** Strava, to sync from; absent with --offline. */
  lister?: ActivityLister
  now?: () => number
}

/** Epoch seconds to epoch seconds: the part of a window an incremental sync will not list again. */
const heldBefore = (window: ListActivitiesOptions, syncAfter: number) => Math.min(window.before, syncAfter + 1)

/** Serves the notes' ActivitySource (src/notes/activity-source.ts) by shape: the archive does not import notes. */
export class ArchiveActivitySource {
  constructor(private readonly o: ArchiveSourceOptions) {}

  /**
   * The window's activities from the archive. With Strava at hand and the window not held for good, it
   * first syncs: incrementally once the whole history is in (one list round trip for a recent week),
   * otherwise just this window, as a listing without an archive would.
   */
  async listActivities(window: ListActivitiesOptions): Promise<SummaryActivity[]> {
    const {archive, lister} = this.o
    const athleteId = typeof this.o.athleteId === 'string' ? this.o.athleteId : await this.o.athleteId()
    if (!lister || holdsSettled(archive.coverage(athleteId), window)) {
      return archive.activitiesBetween(athleteId, window.after, window.before)
    }

    // What the caller is handed page by page is what it gets back, the same objects: a backfill keeps
    // one copy of its activities, not one from the pages and one read back from the file.
    const known: SummaryActivity[] = []
    const inWindow = (a: SummaryActivity) => {
      const start = Date.parse(a.start_date) / 1000
      return start > window.after && start < window.before
    }

    let pages = 0
    let listedAfter = window.after
    const historyComplete = archive.syncState(athleteId).historyComplete
    if (historyComplete) {
      // Held before the sync's `after` and not listed again: certain now, passed on first.
      const syncAfter = Math.max(0, (archive.latestStart(athleteId) ?? 0) - RECENT_WINDOW_S)
      known.push(...archive.activitiesBetween(athleteId, window.after, heldBefore(window, syncAfter)))
      window.onPage?.(0, known.length, known.slice())
      listedAfter = Math.max(window.after, syncAfter)
    }

    await syncActivities(archive, lister, {
      athleteId,
      window: historyComplete ? undefined : {after: window.after, before: window.before},
      now: this.o.now,
      onPage: (_progress, activities) => {
        known.push(...activities.filter(inWindow))
        window.onPage?.(++pages, known.length, activities)
      },
    })
    // A listing returns what Strava has; activities imported from the bulk export it did not list stay.
    const exported = archive.activitiesBetween(athleteId, listedAfter, window.before, 'export')
    return [...known, ...exported].sort((a, b) => Date.parse(a.start_date) - Date.parse(b.start_date))
  }

  /** Whether a complete listing ever covered the window (for --offline's warning about gaps). */
  holds(athleteId: string, window: {after: number; before: number}): boolean {
    const coverage = this.o.archive.coverage(athleteId)
    return holdsSettled(
      coverage.map((c) => ({...c, listedAt: c.listedAt + RECENT_WINDOW_S * 1000})),
      window,
    )
  }
}

/** Strava's athlete ids as the archive keys them. */
export const athleteIdOf = (athlete: Record<string, unknown>) => String(athlete.id_str ?? athlete.id)

/** Thrown when --offline finds nothing to render from. */
export class NothingArchivedError extends ExitCodeError {
  readonly exitCode = 2
  /** Always set: what to do next. */
  declare suggestions: string[]

  constructor(message: string) {
    super(message, {
      suggestions: ['Run `weeknotes sync` once (it needs a login), then --offline works without one.'],
    })
  }
}

/**
 * Whose activities --offline renders, with no login: the athlete of the saved login's settings (read
 * from the config file, no secrets), else the only athlete in the archive.
 */
export function offlineAthlete(archive: ActivityArchive, saved?: Record<string, unknown>): Record<string, unknown> {
  const ids = archive.athleteIds()
  const id = saved ? athleteIdOf(saved) : ids.length === 1 ? ids[0] : undefined
  if (id === undefined || !ids.includes(id)) {
    const why = ids.length > 1 ? 'holds several athletes and no login says which one' : 'holds no activities yet'
    throw new NothingArchivedError(`The activity archive ${archive.path} ${why}.`)
  }

  return archive.athlete(id) ?? saved ?? {id}
}
