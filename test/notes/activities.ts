// Strava-shaped activities for the notes tests, built the way Strava builds them: a UTC start plus
// the wall time of the zone where the activity happened, written with Strava's misleading 'Z'.
import type {SummaryActivity} from '../../src/strava/types.js'
import {utcOffsetAt} from 'strava-emulator/activities'

let nextId = 20_000_000_000

/** Wall time of an instant in a zone, from the emulator's offset lookup (independent of the machine's TZ). */
function wallTime(utcStart: string, timeZone: string): string {
  const instant = Date.parse(utcStart)
  return new Date(instant + utcOffsetAt(timeZone, instant) * 1000).toISOString().slice(0, 19)
}

export function recorded(utcStart: string, timeZone: string, fields: Partial<SummaryActivity> = {}): SummaryActivity {
  const id = nextId++
  const distance = fields.distance ?? 10_000
  const movingTime = fields.moving_time ?? 3000
  return {
    id,
    id_str: String(id),
    name: `Activity ${id}`,
    type: 'Run',
    sport_type: 'Run',
    start_date: new Date(utcStart).toISOString().replace('.000Z', 'Z'),
    start_date_local: `${wallTime(utcStart, timeZone)}Z`,
    timezone: `(GMT) ${timeZone}`,
    distance,
    moving_time: movingTime,
    elapsed_time: movingTime + 60,
    total_elevation_gain: 0,
    average_speed: distance / movingTime,
    visibility: 'everyone',
    private: false,
    ...fields,
  }
}

/** An activity given by its local wall time, as Strava shows it (UTC start irrelevant for the notes). */
export function atLocal(localStart: string, fields: Partial<SummaryActivity> = {}): SummaryActivity {
  return {...recorded(`${localStart}Z`, 'UTC'), ...fields}
}

/** The fixed week behind test/fixtures/weeknotes-2024-W10.md; its numbers are checked by hand there. */
export function week10Activities(): SummaryActivity[] {
  const activity = (
    id: number,
    name: string,
    sportType: string,
    localStart: string,
    distance: number,
    movingTime: number,
    elevation: number,
    averageSpeed: number,
    extra: Partial<SummaryActivity> = {},
  ): SummaryActivity =>
    atLocal(localStart, {
      id,
      id_str: String(id),
      name,
      type: sportType,
      sport_type: sportType,
      distance,
      moving_time: movingTime,
      elapsed_time: movingTime + 120,
      total_elevation_gain: elevation,
      average_speed: averageSpeed,
      ...extra,
    })
  return [
    // Given out of order on purpose: the digest sorts by local start.
    activity(10000000075, 'Long ride *hilly*', 'Ride', '2024-03-09T09:00:00', 60_000, 7200, 600, 8.333),
    activity(10000000071, 'Morning Run', 'Run', '2024-03-04T07:00:00', 10_000, 3000, 50, 3.333, {
      average_heartrate: 145.4,
    }),
    activity(10000000072, 'Commute to work', 'Ride', '2024-03-05T08:15:00', 15_000, 2700, 80, 5.556),
    activity(10000000073, 'Intervals | 6x800m [track]', 'Run', '2024-03-06T18:30:00', 8000, 2520, 10, 3.175, {
      average_heartrate: 161.7,
    }),
    activity(10000000074, 'Strength', 'WeightTraining', '2024-03-07T19:00:00', 0, 2700, 0, 0, {
      visibility: 'only_me',
      private: true,
    }),
    activity(10000000076, 'Trail run', 'TrailRun', '2024-03-10T23:30:00', 12_000, 4800, 300, 2.5),
    // The neighbouring weeks, by local date.
    activity(10000000070, 'Sunday before', 'Run', '2024-03-03T23:59:00', 5000, 1500, 0, 3.333),
    activity(10000000077, 'Monday after', 'Run', '2024-03-11T00:00:01', 5000, 1500, 0, 3.333),
  ]
}
