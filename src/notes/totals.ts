// Sums over activities, shared by the week's own figures and the comparisons with the weeks before.
import type {DigestActivity, DigestTotals, SportSummary} from './digest.js'
import {sportLabel} from './sports.js'

export function totalsOf(activities: DigestActivity[]): DigestTotals {
  const totals: DigestTotals = {count: 0, distance: 0, movingTime: 0, elapsedTime: 0, elevationGain: 0}
  for (const activity of activities) {
    totals.count += 1
    totals.distance += activity.distance
    totals.movingTime += activity.movingTime
    totals.elapsedTime += activity.elapsedTime
    totals.elevationGain += activity.elevationGain
  }

  return totals
}

export function summarizeSports(activities: DigestActivity[]): SportSummary[] {
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
