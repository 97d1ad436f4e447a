// Detailed activities (description, photos, private note) kept in the archive beside the summaries:
// read from Strava the first time a note needs them, then again only when the summary changed since,
// or, for activities of the recent window (where athletes still edit descriptions and add photos),
// when the copy is more than an hour old. Offline, the copies are all there is.
import pLimit from 'p-limit'

import type {DetailedActivity, SummaryActivity} from '../strava/types.js'
import type {ActivityArchive} from './archive.js'
import {RECENT_WINDOW_S} from './sync.js'

/** Repeated runs (a template being tweaked) reuse a recent activity's details for this long. */
export const DETAILS_RECHECK_MS = 60 * 60 * 1000

/**
 * Detail requests in flight at once when they share one HTTP/2 connection: a first run's ~30 cost about
 * four round trips instead of thirty, while Strava sees no more than a browser tab would send.
 */
export const DETAIL_REQUESTS_AT_ONCE = 8

/** Strava, as the details need it: absent with --offline. */
export interface DetailReader {
  getActivity(id: string): Promise<DetailedActivity>
  /** Whether requests travel together (HTTP/2); over HTTP/1.1 a second request would only queue, so they go one by one. */
  sendsTogether?(): Promise<boolean>
}

export interface ArchivedDetailsOptions {
  archive: ActivityArchive
  athleteId: string | (() => Promise<string>)
  reader?: DetailReader
  now?: () => number
}

const idOf = (activity: SummaryActivity) => activity.id_str ?? String(activity.id)

type Stored = ReturnType<ActivityArchive['details']>

function isFresh(stored: Stored, activity: SummaryActivity, now: number): boolean {
  if (!stored?.details || stored.detailsUpdatedAt === undefined) return false
  if (stored.detailsUpdatedAt < stored.summaryUpdatedAt) return false
  const recent = Date.parse(activity.start_date) > now - RECENT_WINDOW_S * 1000
  return !recent || now - stored.detailsUpdatedAt < DETAILS_RECHECK_MS
}

/**
 * The notes' DetailSource (src/notes/details.ts), served by shape: at most one request per activity,
 * none for an activity whose stored copy is still good, a few at a time (each stored as it arrives, so a
 * run stopped half-way keeps what it read). An activity Strava no longer has (404) keeps the copy it had,
 * if any.
 */
export function archivedDetails(o: ArchivedDetailsOptions) {
  const now = o.now ?? Date.now
  return async (activities: readonly SummaryActivity[]): Promise<Map<string, DetailedActivity>> => {
    const athleteId = typeof o.athleteId === 'string' ? o.athleteId : await o.athleteId()
    const copies = new Map<string, DetailedActivity | undefined>()
    const due = new Set<string>()
    for (const activity of activities) {
      const id = idOf(activity)
      const stored = o.archive.details(athleteId, id)
      copies.set(id, stored?.details as DetailedActivity | undefined)
      if (o.reader && !isFresh(stored, activity, now())) due.add(id)
    }

    if (o.reader && due.size > 0) {
      await readEach(o.reader, [...due], (id, fresh) => {
        o.archive.setDetails(athleteId, id, fresh)
        copies.set(id, fresh)
      })
    }

    const details = new Map<string, DetailedActivity>()
    for (const [id, copy] of copies) if (copy) details.set(id, copy)
    return details
  }
}

/**
 * Reads `ids`, up to DETAIL_REQUESTS_AT_ONCE at a time over HTTP/2. After the first failure no further
 * request starts; those under way are let finish (no request outlives the call), then that first failure
 * is the one thrown. Rate-limit waits are the client's: it holds every request while it waits out a limit.
 */
async function readEach(reader: DetailReader, ids: string[], keep: (id: string, fresh: DetailedActivity) => void) {
  const together = ids.length > 1 && (await reader.sendsTogether?.())
  const limit = pLimit(together ? DETAIL_REQUESTS_AT_ONCE : 1)
  let failure: {error: unknown} | undefined
  const readOne = async (id: string) => {
    if (failure) return
    try {
      const fresh = await readDetails(reader, id)
      if (fresh) keep(id, fresh)
    } catch (error) {
      failure ??= {error}
    }
  }

  await Promise.all(ids.map((id) => limit(() => readOne(id))))
  if (failure) throw failure.error
}

async function readDetails(reader: DetailReader, id: string) {
  try {
    return await reader.getActivity(id)
  } catch (error) {
    if ((error as {status?: unknown}).status === 404) return undefined
    throw error
  }
}
