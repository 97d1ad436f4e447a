import type {DetailedActivity, SummaryActivity, SummaryAthlete} from '../strava/types.js'
import {summarizeHistory, type WeekHistory} from './history.js'
import {summarizeSports, totalsOf} from './totals.js'
import {weekOfDate, type WeekRange} from './week.js'

export type Units = 'metric' | 'imperial'

/** The template context (and `generate --json`): raw SI numbers, formatting is the template's business. */
export interface DigestContext {
  week: WeekRange
  athlete: SummaryAthlete | Record<string, unknown>
  units: Units
  totals: DigestTotals
  sports: SportSummary[]
  days: DigestDay[]
  activities: DigestActivity[]
  /** Races, else the week's one standout activity (see pickHighlights); never a private one. */
  highlights: DigestActivity[]
  /** The week before, the average of the four before, the year so far and the streak: when the template uses them. */
  previousWeek?: DigestTotals
  fourWeekAverage?: DigestTotals
  yearToDate?: WeekHistory['yearToDate']
  streak?: WeekHistory['streak']
  /** The week's chart beside the note (a relative path or a data: URI), when pictures are written. */
  chartImage?: string
  generatedAt: string
}

export interface DigestTotals {
  count: number
  /** metres */
  distance: number
  /** seconds */
  movingTime: number
  elapsedTime: number
  /** metres */
  elevationGain: number
}

export interface SportSummary {
  sportType: string
  label: string
  count: number
  distance: number
  movingTime: number
  elevationGain: number
}

export interface DigestDay {
  date: string
  weekday: string
  activities: DigestActivity[]
}

export interface DigestActivity {
  /** Exact digits: Strava ids exceed 2^53. */
  id: string
  name: string
  sportType: string
  /** Local wall time without Strava's misleading 'Z', '2024-03-04T07:00:00' */
  startLocal: string
  distance: number
  movingTime: number
  elapsedTime: number
  elevationGain: number
  /** metres per second */
  averageSpeed: number
  averageHeartrate?: number
  private: boolean
  url: string
  /** Strava's workout_type says race: 1 for runs, 11 for rides. */
  race: boolean
  prCount: number
  achievementCount: number
  /** The athlete's own text ('' when none); only when the template uses it (it costs a request per activity). */
  description?: string
  /** The primary photo's largest size; absent when there is none. */
  photoUrl?: string
  /** The owner's private note, where Strava returns one; never shown by the default template. */
  privateNote?: string
  /** The route thumbnail beside the note (relative path or data: URI), when pictures are written. */
  routeImage?: string
}

export interface DigestOptions {
  week: WeekRange
  athlete: SummaryAthlete | Record<string, unknown>
  units: Units
  activities: SummaryActivity[]
  generatedAt: Date
  excludePrivate?: boolean
  excludeSportTypes?: string[]
  /** Detailed activities by id: description, photo and private note come from here. */
  details?: ReadonlyMap<string, DetailedActivity>
  /**
   * Activities from `from` (a local date) to the week's end, for previousWeek, fourWeekAverage, yearToDate
   * and streak; those fields are absent without it.
   */
  history?: {from: string; activities: SummaryActivity[]}
}

const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday']

export function unitsFor(athlete: SummaryAthlete | Record<string, unknown> | undefined): Units {
  return athlete?.measurement_preference === 'feet' ? 'imperial' : 'metric'
}

/** The calendar date where the activity started, as the athlete's watch saw it. */
function localDate(activity: SummaryActivity): string {
  return activity.start_date_local.slice(0, 10)
}

function isPrivate(activity: SummaryActivity): boolean {
  return activity.visibility === 'only_me' || activity.private === true
}

/** Strava's workout_type values for a race: 1 (run) and 11 (ride). */
const RACE_WORKOUT_TYPES = new Set([1, 11])

/** The primary photo's address in its largest size (Strava keys sizes by pixels: "100", "600"). */
function largestPhoto(detail: DetailedActivity): string | undefined {
  // Only web addresses: a photo is an image on a page, never a script or a local file.
  const urls = Object.entries(detail.photos?.primary?.urls ?? {}).filter(
    ([, url]) => typeof url === 'string' && /^https?:\/\/\S+$/i.test(url),
  )
  urls.sort(([a], [b]) => Number(b) - Number(a))
  return urls[0]?.[1]
}

function detailFields(detail: DetailedActivity | undefined): Partial<DigestActivity> {
  if (!detail) return {}
  const photoUrl = largestPhoto(detail)
  const note = typeof detail.private_note === 'string' ? detail.private_note.trim() : ''
  return {
    description: typeof detail.description === 'string' ? detail.description.trim() : '',
    ...(photoUrl ? {photoUrl} : {}),
    ...(note ? {privateNote: note} : {}),
  }
}

function toDigestActivity(activity: SummaryActivity, detail?: DetailedActivity): DigestActivity {
  const id = activity.id_str ?? String(activity.id)
  const movingTime = activity.moving_time ?? 0
  const distance = activity.distance ?? 0
  return {
    id,
    name: activity.name,
    sportType: activity.sport_type || activity.type || 'Workout',
    startLocal: activity.start_date_local.replace(/(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/i, ''),
    distance,
    movingTime,
    elapsedTime: activity.elapsed_time ?? movingTime,
    elevationGain: activity.total_elevation_gain ?? 0,
    averageSpeed: activity.average_speed ?? (movingTime > 0 ? distance / movingTime : 0),
    ...(typeof activity.average_heartrate === 'number' ? {averageHeartrate: activity.average_heartrate} : {}),
    private: isPrivate(activity),
    // The id is digits when it comes from the Strava client; encoded all the same, a link cannot be broken by it.
    url: `https://www.strava.com/activities/${encodeURIComponent(id)}`,
    race: RACE_WORKOUT_TYPES.has(activity.workout_type ?? -1),
    prCount: activity.pr_count ?? 0,
    achievementCount: activity.achievement_count ?? 0,
    ...detailFields(detail ?? ownWords(activity)),
  }
}

/** An activity imported from Strava's bulk export carries the athlete's description and private note itself. */
function ownWords(activity: SummaryActivity): DetailedActivity | undefined {
  const words = activity as DetailedActivity
  return typeof words.description === 'string' || typeof words.private_note === 'string' ? words : undefined
}

function byStartThenId(a: DigestActivity, b: DigestActivity): number {
  if (a.startLocal !== b.startLocal) return a.startLocal < b.startLocal ? -1 : 1
  return a.id.length - b.id.length || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
}

/** The week's activities as the note shows them: by local date, without the excluded ones, sorted by local start. */
export function selectActivities(
  activities: SummaryActivity[],
  range: {start: string; end: string},
  o: Pick<DigestOptions, 'excludePrivate' | 'excludeSportTypes' | 'details'>,
): DigestActivity[] {
  const excludedSports = new Set((o.excludeSportTypes ?? []).map((type) => type.toLowerCase()))
  return activities
    .filter((activity) => {
      const date = localDate(activity)
      return date >= range.start && date <= range.end
    })
    .filter((activity) => !(o.excludePrivate && isPrivate(activity)))
    .map((activity) => toDigestActivity(activity, o.details?.get(activity.id_str ?? String(activity.id))))
    .filter((activity) => !excludedSports.has(activity.sportType.toLowerCase()))
    .sort(byStartThenId)
}

/** Minimum moving time, and multiple of the week's median, for an activity to stand out without being a race. */
const STANDOUT_SECONDS = 90 * 60
const STANDOUT_FACTOR = 2

/**
 * What gets a section of its own: every race; in a week without one, the longest activity when it is at least
 * 90 minutes and twice the week's median moving time (a long ride among short runs, not a normal week's
 * longest run). Private activities never do: their page is only the athlete's.
 */
function pickHighlights(activities: DigestActivity[]): DigestActivity[] {
  const shareable = activities.filter((activity) => !activity.private)
  const races = shareable.filter((activity) => activity.race)
  if (races.length > 0) return races
  const times = activities.map((activity) => activity.movingTime).sort((a, b) => a - b)
  const median = times.length === 0 ? 0 : times[Math.floor((times.length - 1) / 2)]
  const longest = shareable.reduce<DigestActivity | undefined>(
    (best, activity) => (activity.movingTime > (best?.movingTime ?? 0) ? activity : best),
    undefined,
  )
  return longest && longest.movingTime >= STANDOUT_SECONDS && longest.movingTime >= STANDOUT_FACTOR * median
    ? [longest]
    : []
}

export function buildDigest(o: DigestOptions): DigestContext {
  const activities = selectActivities(o.activities, o.week, o)
  const days: DigestDay[] = WEEKDAYS.map((weekday, index) => {
    const date = new Date(Date.parse(o.week.start) + index * 86_400_000).toISOString().slice(0, 10)
    return {date, weekday, activities: activities.filter((activity) => activity.startLocal.startsWith(date))}
  })

  const history =
    o.history &&
    summarizeHistory({
      week: o.week,
      activities: selectActivities(o.history.activities, {start: o.history.from, end: o.week.end}, o),
      from: o.history.from,
      generatedAt: o.generatedAt,
    })
  return {
    week: o.week,
    athlete: o.athlete,
    units: o.units,
    totals: totalsOf(activities),
    sports: summarizeSports(activities),
    days,
    activities,
    highlights: pickHighlights(activities),
    ...history,
    generatedAt: o.generatedAt.toISOString(),
  }
}

/**
 * Splits one fetch over a range of weeks (backfill) into the activities of each week, by local date.
 * Every requested week has an entry, empty when nothing happened; activities outside them are dropped.
 */
export function groupByWeek(activities: SummaryActivity[], weeks: WeekRange[]): Map<string, SummaryActivity[]> {
  const groups = new Map<string, SummaryActivity[]>(weeks.map((week) => [week.id, []]))
  for (const activity of activities) {
    groups.get(weekOfDate(localDate(activity)).id)?.push(activity)
  }

  return groups
}
