// Strava's rate limits (developers.strava.com/docs/rate-limits): an overall and a read limit, each a
// 15-minute window that resets at :00, :15, :30 and :45 and a daily window that resets at midnight UTC.
// Every API response carries X-RateLimit-Limit/Usage and X-ReadRateLimit-Limit/Usage as "15min,daily".

const quarterHourMs = 15 * 60 * 1000
const dayMs = 24 * 60 * 60 * 1000

export type LimitPair = [number, number]

export class RateLimiter {
  overall: LimitPair = [200, 2000]
  read: LimitPair = [100, 1000]
  private usage = {overall: [0, 0] as LimitPair, read: [0, 0] as LimitPair}
  private windows = [-1, -1]

  constructor(private readonly now: () => number) {}

  /**
   * Counts one request unless a limit is already reached; returns whether it may proceed. Requests
   * refused with 429 are not counted, so the usage header shows the limit itself.
   */
  take(isRead: boolean): boolean {
    this.rollWindows()
    const pairs: (keyof typeof this.usage)[] = isRead ? ['overall', 'read'] : ['overall']
    if (pairs.some((name) => this.usage[name].some((used, window) => used >= this[name][window]))) return false
    for (const name of pairs) this.usage[name] = [this.usage[name][0] + 1, this.usage[name][1] + 1]
    return true
  }

  /** Headers for the current usage, or (for an injected 429) usage pinned at one window's limit. */
  headers(pinnedAtLimit?: 'short' | 'daily'): Record<string, string> {
    this.rollWindows()
    const show = (name: 'overall' | 'read') => {
      const usage = [...this.usage[name]]
      if (pinnedAtLimit) usage[pinnedAtLimit === 'short' ? 0 : 1] = this[name][pinnedAtLimit === 'short' ? 0 : 1]
      return usage.join(',')
    }

    return {
      'x-ratelimit-limit': this.overall.join(','),
      'x-ratelimit-usage': show('overall'),
      'x-readratelimit-limit': this.read.join(','),
      'x-readratelimit-usage': show('read'),
    }
  }

  private rollWindows(): void {
    const now = this.now()
    const current = [Math.floor(now / quarterHourMs), Math.floor(now / dayMs)]
    current.forEach((window, index) => {
      if (window === this.windows[index]) return
      this.windows[index] = window
      this.usage.overall[index] = 0
      this.usage.read[index] = 0
    })
  }
}
