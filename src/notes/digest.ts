import type {SummaryActivity, SummaryAthlete} from '../strava/types.js'
import {sportLabel} from './sports.js'
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
}

export interface DigestOptions {
  week: WeekRange
  athlete: SummaryAthlete | Record<string, unknown>
  units: Units
  activities: SummaryActivity[]
  generatedAt: Date
  excludePrivate?: boolean
  excludeSportTypes?: string[]
}

const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday']

export function unitsFor(athlete: SummaryAthlete | Record<string, unknown> | undefined): Units {
  return athlete?.measurement_preference === 'feet' ? 'imperial' : 'metric'
}

/** The calendar date where the activity started, as the athlete's watch saw it. */
export function localDate(activity: SummaryActivity): string {
  return activity.start_date_local.slice(0, 10)
}

function isPrivate(activity: SummaryActivity): boolean {
  return activity.visibility === 'only_me' || activity.private === true
}

function toDigestActivity(activity: SummaryActivity): DigestActivity {
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
  }
}

function byStartThenId(a: DigestActivity, b: DigestActivity): number {
  if (a.startLocal !== b.startLocal) return a.startLocal < b.startLocal ? -1 : 1
  return a.id.length - b.id.length || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
}

function summarizeSports(activities: DigestActivity[]): SportSummary[] {
  const sports = new Map<string, SportSummary>()
  for (const activity of activities) {
    let sport = sports.get(activity.sportType)
    if (!sport) {
      sport = {
        sportType: activity.sportType,
        label: sportLabel(activity.sportType),
        count: 0,
        distance: 0,
        movingTime: 0,
        elevationGain: 0,
      }
      sports.set(activity.sportType, sport)
    }

    sport.count += 1
    sport.distance += activity.distance
    sport.movingTime += activity.movingTime
    sport.elevationGain += activity.elevationGain
  }

  return [...sports.values()].sort((a, b) => b.movingTime - a.movingTime || a.label.localeCompare(b.label, 'en'))
}

export function buildDigest(o: DigestOptions): DigestContext {
  const excludedSports = new Set((o.excludeSportTypes ?? []).map((type) => type.toLowerCase()))
  const activities = o.activities
    .filter((activity) => {
      const date = localDate(activity)
      return date >= o.week.start && date <= o.week.end
    })
    .filter((activity) => !(o.excludePrivate && isPrivate(activity)))
    .map(toDigestActivity)
    .filter((activity) => !excludedSports.has(activity.sportType.toLowerCase()))
    .sort(byStartThenId)

  const days: DigestDay[] = WEEKDAYS.map((weekday, index) => {
    const date = new Date(Date.parse(o.week.start) + index * 86_400_000).toISOString().slice(0, 10)
    return {date, weekday, activities: activities.filter((activity) => activity.startLocal.startsWith(date))}
  })

  const totals: DigestTotals = {count: 0, distance: 0, movingTime: 0, elapsedTime: 0, elevationGain: 0}
  for (const activity of activities) {
    totals.count += 1
    totals.distance += activity.distance
    totals.movingTime += activity.movingTime
    totals.elapsedTime += activity.elapsedTime
    totals.elevationGain += activity.elevationGain
  }

  return {
    week: o.week,
    athlete: o.athlete,
    units: o.units,
    totals,
    sports: summarizeSports(activities),
    days,
    activities,
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
