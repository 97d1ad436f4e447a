// ISO 8601 weeks as plain calendar arithmetic on UTC dates: a week is a run of seven calendar days,
// so nothing here depends on the machine's time zone except reading "today" for `last` and `this`.
import {ExitCodeError} from 'oclif-plugin-oauth/errors'

export interface WeekRange {
  /** '2024-W10' */
  id: string
  /** ISO week-numbering year, which differs from the calendar year around New Year. */
  year: number
  number: number
  /** Monday, 'YYYY-MM-DD' */
  start: string
  /** Sunday, 'YYYY-MM-DD' */
  end: string
}

const ACCEPTED_WEEK_FORMS = [
  '2024-W10 (ISO week, also 2024w10)',
  '2024-10 (ISO week 10 of 2024, not October)',
  'last (the last complete week, the default)',
  'this (the current week)',
  '2024-03-06 (the week containing that date)',
]

export class WeekInputError extends ExitCodeError {
  readonly exitCode = 2
  /** Always set: what to do next. */
  declare suggestions: string[]

  constructor(message: string) {
    super(message, {suggestions: [`Use one of: ${ACCEPTED_WEEK_FORMS.join('; ')}.`]})
  }
}

const DAY_MS = 86_400_000

/** Epoch milliseconds of 00:00 UTC on a calendar date; the date stands for itself, not for a moment. */
function dayValue(year: number, month: number, day: number): number {
  return Date.UTC(year, month - 1, day)
}

function isoDate(value: number): string {
  return new Date(value).toISOString().slice(0, 10)
}

/** Monday 0 ... Sunday 6 */
function weekdayIndex(value: number): number {
  return (new Date(value).getUTCDay() + 6) % 7
}

/** Week 1 is the week with the year's first Thursday, i.e. the week containing 4 January. */
function mondayOfWeekOne(year: number): number {
  const january4 = dayValue(year, 1, 4)
  return january4 - weekdayIndex(january4) * DAY_MS
}

export function weeksInYear(year: number): number {
  return (mondayOfWeekOne(year + 1) - mondayOfWeekOne(year)) / (7 * DAY_MS)
}

function weekFromMonday(year: number, number: number, monday: number): WeekRange {
  return {
    id: `${year}-W${String(number).padStart(2, '0')}`,
    year,
    number,
    start: isoDate(monday),
    end: isoDate(monday + 6 * DAY_MS),
  }
}

function isoWeek(year: number, number: number): WeekRange {
  return weekFromMonday(year, number, mondayOfWeekOne(year) + (number - 1) * 7 * DAY_MS)
}

function weekOfDayValue(value: number): WeekRange {
  const monday = value - weekdayIndex(value) * DAY_MS
  // The week belongs to the year of its Thursday.
  const year = new Date(monday + 3 * DAY_MS).getUTCFullYear()
  const number = (monday - mondayOfWeekOne(year)) / (7 * DAY_MS) + 1
  return weekFromMonday(year, number, monday)
}

/** Strava began in 2009 and Unix time in 1970; Date.UTC would read the years 0-99 as 1900-1999. */
const MIN_YEAR = 1970
const MAX_YEAR = 9999

function checkYear(year: number, input: string): void {
  if (year < MIN_YEAR || year > MAX_YEAR) {
    throw new WeekInputError(`"${input.trim()}" is not a week: years run from ${MIN_YEAR} to ${MAX_YEAR}.`)
  }
}

function parseIsoDate(input: string): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(input)
  if (!match) return undefined
  const [year, month, day] = match.slice(1).map(Number)
  if (year < MIN_YEAR) return undefined
  const value = dayValue(year, month, day)
  // Date.UTC rolls 2024-02-30 over into March; a real date survives the round trip.
  return isoDate(value) === input ? value : undefined
}

/** The ISO week containing a calendar date 'YYYY-MM-DD' (a date-time's date part may be passed too). */
export function weekOfDate(date: string): WeekRange {
  const value = parseIsoDate(date.slice(0, 10))
  if (value === undefined) throw new WeekInputError(`"${date}" is not a calendar date (YYYY-MM-DD).`)
  return weekOfDayValue(value)
}

/**
 * `today` is read in the machine's local time zone: someone running `--week last` from a Monday cron
 * job means the week that just ended where they are, not in UTC.
 */
export function parseWeek(input: string, today: Date): WeekRange {
  const text = input.trim().toLowerCase()
  if (text === 'this' || text === 'last') {
    const localToday = dayValue(today.getFullYear(), today.getMonth() + 1, today.getDate())
    return weekOfDayValue(text === 'this' ? localToday : localToday - 7 * DAY_MS)
  }

  const week = /^(\d{4})-?w(\d{1,2})$/.exec(text) ?? /^(\d{4})-(\d{1,2})$/.exec(text)
  if (week) {
    const year = Number(week[1])
    checkYear(year, input)
    const number = Number(week[2])
    const last = weeksInYear(year)
    if (number < 1 || number > last) {
      throw new WeekInputError(
        `Week ${input.trim()} does not exist: ${year} has ISO weeks 1 to ${last} (a bare 2024-10 means week 10, not October).`,
      )
    }

    return isoWeek(year, number)
  }

  const dateYear = /^(\d{4})-\d{2}-\d{2}$/.exec(text)?.[1]
  if (dateYear) checkYear(Number(dateYear), input)
  const date = parseIsoDate(text)
  if (date !== undefined) return weekOfDayValue(date)
  // The accepted forms follow in the suggestions.
  throw new WeekInputError(`"${input}" is not a week.`)
}

/** Every week from `from` to `to`, both included. */
export function weeksInRange(from: WeekRange, to: WeekRange): WeekRange[] {
  if (from.start > to.start) throw new WeekInputError(`The range starts at ${from.id}, after its end ${to.id}.`)
  const weeks: WeekRange[] = []
  const last = Date.parse(to.start)
  for (let monday = Date.parse(from.start); monday <= last; monday += 7 * DAY_MS) {
    weeks.push(weekOfDayValue(monday))
  }

  return weeks
}

/** The weeks the flags ask for: one (`--week`, default last) or a range (`--from` to `--to`, default last). */
export function weeksAsked(flags: {week?: string; from?: string; to?: string}, today: Date): WeekRange[] {
  return flags.from
    ? weeksInRange(parseWeek(flags.from, today), parseWeek(flags.to ?? 'last', today))
    : [parseWeek(flags.week ?? 'last', today)]
}

/** Local clocks run from UTC-12 to UTC+14. */
const MAX_AHEAD_OF_UTC_S = 14 * 3600
const MAX_BEHIND_UTC_S = 12 * 3600

/**
 * Strava filters on the UTC start while a week is made of local dates, so the window is widened by the
 * extreme offsets: Monday 00:00 in UTC+14 and Sunday 23:59:59 in UTC-12 both fall inside. One more
 * second on `after` because Strava does not document whether its bounds are inclusive.
 */
export function fetchWindow(from: WeekRange, to: WeekRange): {after: number; before: number} {
  const startOfFirstDay = Date.parse(from.start) / 1000
  const endOfLastDay = Date.parse(to.end) / 1000 + 86_400
  return {after: startOfFirstDay - MAX_AHEAD_OF_UTC_S - 1, before: endOfLastDay + MAX_BEHIND_UTC_S}
}
