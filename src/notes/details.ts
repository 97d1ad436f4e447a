// Detailed activities (description, photos, private note) for the activities a note shows: one
// GET /activities/{id} each, in order, so rate-limit waits and retries stay the client's business.
import type {DetailedActivity, SummaryActivity} from '../strava/types.js'

/**
 * Where detailed activities come from, keyed by activity id: Strava directly, or the archive's copies
 * (read from Strava when missing or stale). Given the summaries of the activities the note shows.
 */
export type DetailSource = (activities: readonly SummaryActivity[]) => Promise<Map<string, DetailedActivity>>

export const activityIdOf = (activity: SummaryActivity) => activity.id_str ?? String(activity.id)

export interface DetailReader {
  getActivity(id: string): Promise<DetailedActivity>
}

/** An activity deleted (or made invisible to this login) since it was listed has no details: the note goes on. */
function isGone(error: unknown): boolean {
  return (error as {status?: unknown}).status === 404
}

export function detailsFromStrava(strava: DetailReader): DetailSource {
  return async (activities) => {
    const details = new Map<string, DetailedActivity>()
    for (const id of activities.map(activityIdOf)) {
      try {
        details.set(id, await strava.getActivity(id))
      } catch (error) {
        if (!isGone(error)) throw error
      }
    }

    return details
  }
}
