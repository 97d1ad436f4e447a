// The emulator's live state: what the router, the listeners and the control surface of the tests share.
// Switches live here as plain fields so that `configure` and `setEndpoints` change them after start.
import {type StoredActivity, renderActivity} from './activities.js'
import type {ApiContext} from './api.js'
import type {OAuthContext} from './oauth.js'
import {RateLimiter} from './rate-limits.js'
import {demoAthlete} from './seed.js'
import {TokenStore} from './tokens.js'
import type {
  EmulatorActivity,
  EmulatorClient,
  EmulatorEndpoints,
  EmulatorFault,
  EmulatorOptions,
  RequestLogEntry,
} from './types.js'

export const defaultClient = {id: '12345', secret: 'emulator-client-secret', name: 'weeknotes emulator app'}
/** Strava's access token lifetime: 6 hours. */
const defaultTokenLifetimeSeconds = 21_600

export type EmulatorSwitches = Pick<EmulatorOptions, 'tokenScopeSeparator'> &
  Required<Pick<EmulatorOptions, 'rememberApprovals' | 'rateLimitHeaderCase' | 'rateLimitBody'>>

export interface EmulatorState {
  clients: EmulatorClient[]
  tokens: TokenStore
  limiter: RateLimiter
  endpoints: EmulatorEndpoints
  switches: EmulatorSwitches
  oauth: OAuthContext
  api: ApiContext & {athlete: Record<string, unknown>; activities: StoredActivity[]}
  /** Injected faults waiting for a matching request. */
  faults: EmulatorFault[]
  requests: RequestLogEntry[]
  /** Aborted by close(): ends `slow` waits, and errors of requests cut off by it are not answered. */
  closing: AbortController
  now: () => number
  /** The id the next activity without one gets. */
  nextActivityId: bigint
}

export function createState(options: EmulatorOptions): EmulatorState {
  const now = options.now ?? Date.now
  const clients = options.clients?.length ? options.clients : [defaultClient]
  const tokens = new TokenStore(
    now,
    options.tokenLifetimeSeconds ?? defaultTokenLifetimeSeconds,
    options.rotateRefreshTokens ?? true,
    options.reuseLiveAccessTokens ?? true,
  )
  const athlete = structuredClone(demoAthlete)
  const endpoints: EmulatorEndpoints = {
    revoke: true,
    deauthorize: true,
    legacyApiHost: true,
    nextApiHost: true,
    tokenParams: true,
    ...options.endpoints,
  }
  const switches: EmulatorSwitches = {
    tokenScopeSeparator: options.tokenScopeSeparator,
    rememberApprovals: options.rememberApprovals ?? false,
    rateLimitHeaderCase: options.rateLimitHeaderCase ?? 'canonical',
    rateLimitBody: options.rateLimitBody ?? 'list',
  }
  return {
    clients,
    tokens,
    limiter: new RateLimiter(now),
    endpoints,
    switches,
    oauth: {clients, tokens, athlete, autoApprove: options.autoApprove ?? false, switches},
    api: {athlete, activities: [], shortPages: options.shortPages ?? false},
    faults: [],
    requests: [],
    closing: new AbortController(),
    now,
    nextActivityId: 10_000_000_001n,
  }
}

/** Renders activities for serving; one without an id gets the next free one. */
export function renderActivities(state: EmulatorState, list: EmulatorActivity[]): StoredActivity[] {
  return list.map((activity) => {
    if (activity.id !== undefined && !/^\d+$/.test(activity.id)) {
      throw new Error(`Activity id must be decimal digits, got ${JSON.stringify(activity.id)}`)
    }

    const id = activity.id ? BigInt(activity.id) : state.nextActivityId++
    return renderActivity(activity, id, state.api.athlete.id as number)
  })
}
