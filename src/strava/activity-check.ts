// What the client checks in each page of /athlete/activities before trusting it: a server that is broken,
// hostile or simply mistaken must not make the run hang, fill memory, or fail on one odd activity.
import {UNPRINTABLE} from 'oclif-plugin-oauth/errors'
import {StravaUnavailableError} from './errors.js'
import type {SummaryActivity} from './types.js'

/**
 * More activities per day than anyone records (a watch that splits a day into laps might reach a few
 * dozen): pages beyond what a window could hold at this rate mean the server never ends its list.
 */
const MAX_ACTIVITIES_PER_DAY = 100
/** Never fewer pages than this, whatever the window: a week with hidden activities must not hit the cap. */
const MIN_PAGE_CAP = 10

/** The most pages a window of `after`..`before` (epoch seconds) can fill, generously rounded up. */
export function pageCap(after: number, before: number, pageSize: number): number {
  const days = Math.max(1, Math.ceil((before - after) / 86_400))
  return Math.max(MIN_PAGE_CAP, Math.ceil((days * MAX_ACTIVITIES_PER_DAY) / pageSize) + 1)
}

/** ISO date-time from year 1970 to 9999, as Strava writes start_date and start_date_local. */
const DATE_TIME = /^(\d{4})-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/

function validDateTime(value: unknown): value is string {
  if (typeof value !== 'string') return false
  const match = DATE_TIME.exec(value)
  return match !== null && Number(match[1]) >= 1970 && Number.isFinite(Date.parse(value))
}

/** Why an activity cannot be used, or undefined when it can. Only what a note needs is required. */
function defect(item: unknown): string | undefined {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return 'not an activity'
  const activity = item as Partial<SummaryActivity>
  if (typeof activity.id_str !== 'string' || !/^\d+$/.test(activity.id_str)) return 'no valid id'
  if (!validDateTime(activity.start_date_local)) return 'no valid start_date_local'
  if (!validDateTime(activity.start_date)) return 'no valid start_date'
  return undefined
}

/** Names an activity in a warning: its id when it has a usable one, else where it was in the list. */
function label(item: unknown, page: number, index: number): string {
  const id = (item as Partial<SummaryActivity> | null)?.id_str
  return typeof id === 'string' && /^\d+$/.test(id) ? `activity ${id}` : `item ${index + 1} of page ${page}`
}

/**
 * Follows the pages of one listing: keeps the well-formed activities not seen before, notes the malformed
 * ones for a single warning, and stops the run (exit 5) when the server repeats a page, answers outside
 * the window asked for, or keeps sending pages past what the window can hold.
 */
export class ActivityPages {
  readonly skipped: string[] = []
  private readonly seen = new Set<string>()
  private readonly cap: number

  constructor(
    private readonly window: {after: number; before: number},
    pageSize: number,
  ) {
    this.cap = pageCap(window.after, window.before, pageSize)
  }

  /** Throws before page `page` is requested when it is past the cap. */
  beforePage(page: number): void {
    if (page <= this.cap) return
    throw untrusted(`Strava kept sending activities past page ${this.cap}, more than the weeks asked for can hold`)
  }

  /** The page's new, well-formed activities. */
  accept(page: number, batch: unknown[]): SummaryActivity[] {
    const fresh: SummaryActivity[] = []
    let repeated = 0
    for (const [index, item] of batch.entries()) {
      const problem = defect(item)
      if (problem) {
        this.skipped.push(`${label(item, page, index)} (${problem})`)
        continue
      }

      const activity = cleanText(item as SummaryActivity)
      const start = Date.parse(activity.start_date) / 1000
      if (start < this.window.after || start > this.window.before) {
        throw untrusted(
          `Strava answered page ${page} with activity ${activity.id_str} from outside the weeks asked for`,
        )
      }

      if (this.seen.has(activity.id_str!)) repeated++
      else {
        this.seen.add(activity.id_str!)
        fresh.push(activity)
      }
    }

    if (repeated > 0 && fresh.length === 0)
      throw untrusted(`Strava sent page ${page} with only activities it had already sent`)
    return fresh
  }

  /** One warning for every activity left out, or undefined when none was. */
  warning(): string | undefined {
    const count = this.skipped.length
    if (count === 0) return undefined
    const shown = this.skipped.slice(0, 5).join(', ')
    const more = count > 5 ? ` and ${count - 5} more` : ''
    return `Left out ${count} malformed ${count === 1 ? 'activity' : 'activities'} Strava sent: ${shown}${more}.`
  }
}

/** Names and sport types go into Markdown and terminals: no control or bidi-override characters survive. */
function cleanText(activity: SummaryActivity): SummaryActivity {
  const clean = (value: unknown) => (typeof value === 'string' ? value.replace(UNPRINTABLE, '') : undefined)
  return {
    ...activity,
    name: clean(activity.name) ?? '',
    sport_type: clean(activity.sport_type) ?? '',
    type: clean(activity.type),
  }
}

function untrusted(what: string): StravaUnavailableError {
  return new StravaUnavailableError(
    `${what}, so its list cannot be trusted. Try again later; if STRAVA_API_URL is set, check that it points to Strava's API.`,
    1,
  )
}
