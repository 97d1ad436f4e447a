// Detailed activities (description, photos, private note) for the activities a note shows. The archive
// serves them (src/archive/details.ts: stored copies, read from Strava when missing or stale).
import type {DetailedActivity, SummaryActivity} from '../strava/types.js'

/**
 * Where detailed activities come from, keyed by activity id; an activity without details (deleted since
 * it was listed) is simply absent. Given the summaries of the activities the note shows.
 */
export type DetailSource = (activities: readonly SummaryActivity[]) => Promise<Map<string, DetailedActivity>>

export const activityIdOf = (activity: SummaryActivity) => activity.id_str ?? String(activity.id)
