// Strava's rate limits: an overall and a read limit, each with a 15-minute window that resets at
// :00, :15, :30 and :45 UTC and a daily window that resets at midnight UTC. Every response carries
// them as "15min,daily" pairs in X-RateLimit-Limit/-Usage and X-ReadRateLimit-Limit/-Usage.

export interface WindowUsage {
  limit: number
  usage: number
}

export interface RateLimitState {
  overall?: {short: WindowUsage; daily: WindowUsage}
  read?: {short: WindowUsage; daily: WindowUsage}
}

const QUARTER_HOUR_MS = 15 * 60 * 1000

/** Seconds past the reset before asking again, so that a clock a little behind Strava's does not ask too early. */
export const RESET_MARGIN_MS = 5000

function pair(value: string | null): [number, number] | undefined {
  if (!value) return undefined
  const numbers = value.split(',').map((part) => Number(part.trim()))
  if (numbers.length !== 2 || numbers.some((n) => !Number.isFinite(n))) return undefined
  return [numbers[0], numbers[1]]
}

function windows(limit: string | null, usage: string | null) {
  const limits = pair(limit)
  const usages = pair(usage)
  if (!limits || !usages) return undefined
  return {short: {limit: limits[0], usage: usages[0]}, daily: {limit: limits[1], usage: usages[1]}}
}

/** Reads the four headers (Headers.get is case-insensitive); absent or malformed pairs are left out. */
export function parseRateLimits(headers: Pick<Headers, 'get'>): RateLimitState {
  return {
    overall: windows(headers.get('x-ratelimit-limit'), headers.get('x-ratelimit-usage')),
    read: windows(headers.get('x-readratelimit-limit'), headers.get('x-readratelimit-usage')),
  }
}

export function dailyLimitReached(state: RateLimitState): boolean {
  return [state.overall, state.read].some((w) => w !== undefined && w.daily.usage >= w.daily.limit)
}

/** The next :00/:15/:30/:45 UTC strictly after `now`, when the 15-minute window resets. */
export function nextQuarterHour(now: number): Date {
  return new Date(Math.floor(now / QUARTER_HOUR_MS) * QUARTER_HOUR_MS + QUARTER_HOUR_MS)
}

/** The next 00:00 UTC, when the daily window resets. */
export function nextUtcMidnight(now: number): Date {
  const date = new Date(now)
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate() + 1))
}

/** "15min 12/200, daily 40/2000; read 15min 12/100, daily 40/1000" for --verbose. */
export function describeUsage(state: RateLimitState): string {
  const part = (w: {short: WindowUsage; daily: WindowUsage}) =>
    `15min ${w.short.usage}/${w.short.limit}, daily ${w.daily.usage}/${w.daily.limit}`
  const parts: string[] = []
  if (state.overall) parts.push(`rate limit ${part(state.overall)}`)
  if (state.read) parts.push(`read ${part(state.read)}`)
  return parts.join('; ')
}
