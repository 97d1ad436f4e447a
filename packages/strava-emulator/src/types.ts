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
  /** Strava's workout_type when not the sport's default, e.g. 1 a run race, 11 a ride race. */
  workoutType?: number
  /** The athlete's own text, served by GET /activities/{id} only ('' when absent, as in the spec's example). */
  description?: string
  /** Photos uploaded to Strava; the first is the primary one. */
  photoCount?: number
  /** The owner's private note (outside the published spec); sent only when set. */
  privateNote?: string
}

/**
 * Strava's announced 2027 changes, each a switch (the defaults are Strava between 4 January and
 * 1 June 2027, when both old and new are in service).
 */
export interface EmulatorEndpoints {
  /** POST /oauth/revoke answers (available since 1 June 2026); off: 404, as before it existed. */
  revoke: boolean
  /** POST /oauth/deauthorize answers (retired 1 June 2027); off: 404. */
  deauthorize: boolean
  /** The API under /api/v3 on the main listener, the old host (retired 1 June 2027); off: 404. */
  legacyApiHost: boolean
  /** The API on the second listener, the new host, without the /api/v3 prefix (live from 4 January 2027); off: connection refused. */
  nextApiHost: boolean
  /** The API also takes `access_token` as a query or form parameter; off: headers only (from 1 June 2027). */
  tokenParams: boolean
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
  /** Default: every endpoint in service (see EmulatorEndpoints). */
  endpoints?: Partial<EmulatorEndpoints>
  /** Token responses carry `scope` joined with this separator (Strava has started to send spaces); default: no `scope`. */
  tokenScopeSeparator?: string
  /** Default true: a refresh hands back the live access token while it has more than an hour left, as Strava does; false mints one every time. */
  reuseLiveAccessTokens?: boolean
  /** approval_prompt=auto skips the consent page when a live grant of the app covers the scopes, as Strava does. Default false. */
  rememberApprovals?: boolean
  /** Every second page holds half of per_page, though it is not the last (Strava's docs warn of short pages). Default false. */
  shortPages?: boolean
  /** 'canonical' (default) writes X-RateLimit-Limit as Strava does; 'lower' all lower case, as HTTP/2 and some proxies do. */
  rateLimitHeaderCase?: 'canonical' | 'lower'
  /** The 429 body: 'list' (default) `{"message","errors":[{resource,field,code}]}`, or 'string' `{"message","errors":"Rate Limit Exceeded"}`. */
  rateLimitBody?: 'list' | 'string'
}

export interface RequestLogEntry {
  method: string
  path: string
  query: Record<string, string>
  status: number
  /** For POST /oauth/token. */
  grantType?: string
  /** Which listener: the old host (API under /api/v3, OAuth) or the new API host. */
  host: 'legacy' | 'next'
  /** The scheme of the Authorization header ('Bearer', 'Basic'), never its value. */
  authorization?: string
  /** Names of the query and form parameters, never their values (e.g. to prove no token travels in one). */
  params: string[]
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
  /** `${url}/api/v3`: the API on the old host. */
  apiUrl: string
  /** The API on the new host (a second listener on 127.0.0.1, no /api/v3 prefix), like https://api-v3.strava.com. */
  nextApiUrl: string
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
  /** Switch Strava's 2027 changes on and off (see EmulatorEndpoints). */
  setEndpoints(endpoints: Partial<EmulatorEndpoints>): Promise<void>
  /** Change the Strava-behaviour switches of EmulatorOptions after start. */
  configure(
    options: Pick<
      EmulatorOptions,
      | 'tokenScopeSeparator'
      | 'reuseLiveAccessTokens'
      | 'rememberApprovals'
      | 'shortPages'
      | 'rateLimitHeaderCase'
      | 'rateLimitBody'
    >,
  ): void
  /** Defaults [200, 2000] and [100, 1000] (15 minutes, daily). */
  setRateLimits(limits: {overall?: [number, number]; read?: [number, number]}): void
  /** Faults are consumed in order by the requests they match. */
  inject(fault: EmulatorFault): void
  close(): Promise<void>
}
