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
   * Counts one request unless a limit is reached; returns whether it may proceed. Strava's docs:
   * "requests violating the short term limit will still count toward the long term limit", so a
   * request refused by a 15-minute window is added to the daily usage; one refused by a daily window
   * is not counted. `isRead`: Strava's "non-upload" limit covers every endpoint but POST /activities,
   * POST /uploads and media uploads (developers.strava.com/docs/rate-limits).
   */
  take(isRead: boolean): boolean {
    this.rollWindows()
    const names: (keyof typeof this.usage)[] = isRead ? ['overall', 'read'] : ['overall']
    const reached = (window: 0 | 1) => names.some((name) => this.usage[name][window] >= this[name][window])
    if (reached(1)) return false
    const refused = reached(0)
    for (const name of names) {
      this.usage[name] = [this.usage[name][0] + (refused ? 0 : 1), this.usage[name][1] + 1]
    }

    return !refused
  }

  /**
   * Headers for the current usage, or (for an injected 429) usage pinned at one window's limit. Strava
   * writes the names as X-RateLimit-Limit; `lower` writes them as HTTP/2 and some proxies pass them on.
   */
  headers(pinnedAtLimit?: 'short' | 'daily', letterCase: 'canonical' | 'lower' = 'canonical'): Record<string, string> {
    this.rollWindows()
    const show = (name: 'overall' | 'read') => {
      const usage = [...this.usage[name]]
      if (pinnedAtLimit) usage[pinnedAtLimit === 'short' ? 0 : 1] = this[name][pinnedAtLimit === 'short' ? 0 : 1]
      return usage.join(',')
    }

    const headers: Record<string, string> = {
      'X-RateLimit-Limit': this.overall.join(','),
      'X-RateLimit-Usage': show('overall'),
      'X-ReadRateLimit-Limit': this.read.join(','),
      'X-ReadRateLimit-Usage': show('read'),
    }
    return letterCase === 'lower'
      ? Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]))
      : headers
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
