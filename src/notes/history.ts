// The week in context: the week before, the four before on average, the year so far and the streak of
// active days, from the activities of the weeks before (the archive's, or a wider fetch).
import type {DigestActivity, DigestTotals, SportSummary} from './digest.js'
import {summarizeSports, totalsOf} from './totals.js'
import type {WeekRange} from './week.js'

export interface WeekHistory {
  previousWeek: DigestTotals
  fourWeekAverage: DigestTotals
  /** From 1 January of the year the week ends in, to the week's end, by local date. */
  yearToDate: {year: number; totals: DigestTotals; sports: SportSummary[]}
  /**
   * Consecutive days with an activity up to the week's last day (or yesterday, while the week's last day is
   * today and has none yet). Counted within the history at hand: it starts no earlier than that.
   */
  streak: {days: number; since?: string}
}

const DAY_MS = 86_400_000
const addDays = (date: string, days: number) => new Date(Date.parse(date) + days * DAY_MS).toISOString().slice(0, 10)

/** The first local date the history needs: four weeks back, or 1 January when that is earlier. */
export function historyStart(week: WeekRange): string {
  const fourWeeksBack = addDays(week.start, -28)
  const newYear = `${week.end.slice(0, 4)}-01-01`
  return newYear < fourWeeksBack ? newYear : fourWeeksBack
}

/** The machine's calendar date of an instant: "today" for a note of the current week. */
function localCalendarDate(instant: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${instant.getFullYear()}-${pad(instant.getMonth() + 1)}-${pad(instant.getDate())}`
}

function between(activities: DigestActivity[], first: string, last: string): DigestActivity[] {
  return activities.filter((activity) => {
    const date = activity.startLocal.slice(0, 10)
    return date >= first && date <= last
  })
}

function averageOf(totals: DigestTotals, weeks: number): DigestTotals {
  const average = {...totals}
  for (const key of Object.keys(average) as (keyof DigestTotals)[]) average[key] /= weeks
  return average
}

function streakUntil(activities: DigestActivity[], last: string, today: string, from: string): WeekHistory['streak'] {
  const active = new Set(activities.map((activity) => activity.startLocal.slice(0, 10)))
  let day = last > today ? today : last
  // A day still in progress does not break the streak yet.
  if (day === today && !active.has(day)) day = addDays(day, -1)
  let days = 0
  while (day >= from && active.has(day)) {
    days++
    day = addDays(day, -1)
  }

  return days === 0 ? {days} : {days, since: addDays(day, 1)}
}

export function summarizeHistory(o: {
  week: WeekRange
  /** Already filtered as the note is (private, sports), by local date from `from` to the week's end. */
  activities: DigestActivity[]
  from: string
  generatedAt: Date
}): WeekHistory {
  const previousStart = addDays(o.week.start, -7)
  const newYear = `${o.week.end.slice(0, 4)}-01-01`
  const yearSoFar = between(o.activities, newYear, o.week.end)
  return {
    previousWeek: totalsOf(between(o.activities, previousStart, addDays(o.week.start, -1))),
    fourWeekAverage: averageOf(
      totalsOf(between(o.activities, addDays(o.week.start, -28), addDays(o.week.start, -1))),
      4,
    ),
    yearToDate: {year: Number(newYear.slice(0, 4)), totals: totalsOf(yearSoFar), sports: summarizeSports(yearSoFar)},
    streak: streakUntil(o.activities, o.week.end, localCalendarDate(o.generatedAt), o.from),
  }
}
