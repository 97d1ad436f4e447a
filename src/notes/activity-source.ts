import type {SummaryActivity} from '../strava/types.js'

/** A UTC window of activity starts, epoch seconds, both bounds exclusive (as Strava's `after`/`before`). */
export interface ActivityWindow {
  after: number
  before: number
  /**
   * Called as activities of the window become certain, in ascending order of start: every activity that
   * started before the last one passed is already known. A run stopped part way can render what is complete.
   */
  onPage?: (page: number, total: number, activities: SummaryActivity[]) => void
}

// The archive (src/archive/source.ts) and the Strava client both serve this shape without importing it.

/**
 * Where the notes get their activities: the local archive (synced first), or Strava directly. The Strava
 * client's `listActivities` has this shape, so either serves.
 */
export interface ActivitySource {
  listActivities(window: ActivityWindow): Promise<SummaryActivity[]>
}
