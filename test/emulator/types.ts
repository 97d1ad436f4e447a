// The emulator's public shapes (the fixed interface from the project brief); index.ts re-exports them.

export interface EmulatorClient {
  id: string
  secret: string
  name?: string
}

/** Input form of an activity; the emulator renders Strava's SummaryActivity JSON from it. */
export interface EmulatorActivity {
  /** Decimal digits, may exceed 2^53; auto-assigned if absent. */
  id?: string
  name: string
  /** Strava's sport_type, e.g. 'Run', 'TrailRun', 'Ride', 'Swim'. */
  sportType: string
  /** Local wall time, e.g. '2024-03-04T07:00:00'. */
  localStart: string
  /** IANA zone, e.g. 'America/Los_Angeles'. */
  timeZone: string
  distance: number
  movingTime: number
  elapsedTime?: number
  elevationGain?: number
  averageHeartrate?: number
  visibility?: 'everyone' | 'followers_only' | 'only_me'
}

export interface EmulatorOptions {
  /** Default 0 (a free port); always bound to 127.0.0.1. */
  port?: number
  /** Default [{id: '12345', secret: 'emulator-client-secret', name: 'weeknotes emulator app'}]. */
  clients?: EmulatorClient[]
  /** Millisecond clock for codes, tokens and rate-limit windows; default Date.now. */
  now?: () => number
  /** Default 21600 (Strava's 6 hours). */
  tokenLifetimeSeconds?: number
  /** Default true. */
  rotateRefreshTokens?: boolean
  /** /oauth/authorize redirects at once, granting the requested scopes (demo). */
  autoApprove?: boolean
  /** Default 'demo': a realistic athlete, several sports over six weeks incl. 2024-W10. */
  seed?: 'demo' | 'empty'
}

export interface RequestLogEntry {
  method: string
  path: string
  query: Record<string, string>
  status: number
  /** For POST /oauth/token. */
  grantType?: string
  /** Milliseconds from the emulator clock. */
  at: number
}

export type EmulatorFault = {match?: string; times?: number} & (
  | {kind: 'status'; status: number; body?: unknown}
  | {kind: 'truncated'}
  | {kind: 'slow'; delayMs: number}
  | {kind: 'inactive'}
  | {kind: 'rateLimited'; window: 'short' | 'daily'}
  | {kind: 'reset'}
)

export interface StravaEmulator {
  /** http://127.0.0.1:PORT */
  url: string
  /** `${url}/oauth` */
  oauthUrl: string
  /** `${url}/api/v3` */
  apiUrl: string
  /** The first client. */
  client: EmulatorClient
  /** SummaryAthlete JSON as served. */
  athlete: Record<string, unknown>
  requests: RequestLogEntry[]
  clearRequests(): void
  setActivities(list: EmulatorActivity[]): void
  addActivities(list: EmulatorActivity[]): void
  makeActivities(count: number, options: {weekStart: string; timeZone?: string; sportType?: string}): EmulatorActivity[]
  issueTokens(options?: {scope?: string; clientId?: string}): {
    accessToken: string
    refreshToken: string
    expiresAt: number
  }
  /** Every issued access token is expired from now on. */
  expireAccessTokens(): void
  setTokenLifetime(seconds: number): void
  setRotation(on: boolean): void
  /** Defaults [200, 2000] and [100, 1000] (15 minutes, daily). */
  setRateLimits(limits: {overall?: [number, number]; read?: [number, number]}): void
  /** Faults are consumed in order by the requests they match. */
  inject(fault: EmulatorFault): void
  close(): Promise<void>
}
