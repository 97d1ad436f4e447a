// Detailed activities (description, photos, private note) kept in the archive beside the summaries:
// read from Strava the first time a note needs them, then again only when the summary changed since,
// or, for activities of the recent window (where athletes still edit descriptions and add photos),
// when the copy is more than an hour old. Offline, the copies are all there is.
import type {DetailedActivity, SummaryActivity} from '../strava/types.js'
import type {ActivityArchive} from './archive.js'
import {RECENT_WINDOW_S} from './sync.js'

/** Repeated runs (a template being tweaked) reuse a recent activity's details for this long. */
export const DETAILS_RECHECK_MS = 60 * 60 * 1000

export interface ArchivedDetailsOptions {
  archive: ActivityArchive
  athleteId: string | (() => Promise<string>)
  /** Strava; absent with --offline. */
  reader?: {getActivity(id: string): Promise<DetailedActivity>}
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
 * none for an activity whose stored copy is still good. An activity Strava no longer has (404) keeps the
 * copy it had, if any.
 */
export function archivedDetails(o: ArchivedDetailsOptions) {
  const now = o.now ?? Date.now
  return async (activities: readonly SummaryActivity[]): Promise<Map<string, DetailedActivity>> => {
    const athleteId = typeof o.athleteId === 'string' ? o.athleteId : await o.athleteId()
    const details = new Map<string, DetailedActivity>()
    for (const activity of activities) {
      const id = idOf(activity)
      const stored = o.archive.details(athleteId, id)
      const copy = stored?.details as DetailedActivity | undefined
      if (!o.reader || isFresh(stored, activity, now())) {
        if (copy) details.set(id, copy)
        continue
      }

      const fresh = await readDetails(o.reader, id)
      if (fresh) o.archive.setDetails(athleteId, id, fresh)
      const found = fresh ?? copy
      if (found) details.set(id, found)
    }

    return details
  }
}

async function readDetails(reader: NonNullable<ArchivedDetailsOptions['reader']>, id: string) {
  try {
    return await reader.getActivity(id)
  } catch (error) {
    if ((error as {status?: unknown}).status === 404) return undefined
    throw error
  }
}
