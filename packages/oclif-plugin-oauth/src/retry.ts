// The one retry policy and network-error classifier, for the plugin's token requests and the host's API
// client alike: which failures are worth another attempt, how long to wait before it, when to stop.
import {setTimeout as delay} from 'node:timers/promises'

/** How many times a request is repeated after failing, and the waits in between: first, first x factor, ... */
export interface RetryPolicy {
  /** Attempts after the first. */
  retries: number
  firstDelayMs: number
  factor: number
  /** Each wait is stretched by up to this fraction at random, so that clients that failed together do not retry together. */
  jitter: number
}

/**
 * The wait before the next attempt after `failures` failed ones (1 for the first failure), or undefined
 * when the policy has no attempt left.
 */
export function retryDelayMs(
  policy: RetryPolicy,
  failures: number,
  random: () => number = Math.random,
): number | undefined {
  if (failures > policy.retries) return undefined
  return policy.firstDelayMs * policy.factor ** (failures - 1) * (1 + random() * policy.jitter)
}

/**
 * Runs `attempt` until it succeeds, fails in a way `isRetryable` rejects, or the policy runs out; between
 * attempts it sleeps, and stops with `cancelled()` when `signal` fired meanwhile.
 */
export async function withRetries<T>(
  policy: RetryPolicy,
  attempt: () => Promise<T>,
  o: {
    isRetryable: (error: unknown) => boolean
    sleep?: (ms: number) => Promise<void>
    signal?: AbortSignal
    cancelled?: () => Error
  },
): Promise<T> {
  const sleep = o.sleep ?? ((ms: number) => delay(ms))
  for (let failures = 1; ; failures++) {
    try {
      return await attempt()
    } catch (error) {
      const wait = o.isRetryable(error) ? retryDelayMs(policy, failures) : undefined
      if (wait === undefined) throw error
      await sleep(wait)
      if (o.signal?.aborted) throw o.cancelled?.() ?? o.signal.reason
    }
  }
}

/**
 * What kind of network failure an HTTP request rejected with:
 * - `timeout`: no answer in time (a TimeoutError or AbortError from the request's signal);
 * - `transient`: the connection failed, was reset or refused, or the name did not resolve (offline): worth retrying;
 * - `tls`: a certificate or handshake failure: retrying does not help, the address or the machine's setup must change;
 * - `other`: anything else (a bug, or a failure of another kind).
 * Works for node:http's system errors and for fetch's TypeError with the system error as its cause.
 */
export type NetworkFailure = 'timeout' | 'transient' | 'tls' | 'other'

// ENOTFOUND and the unreachable codes too: offline, a name lookup or route fails before any connection.
const TRANSIENT_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ENETDOWN',
])

/** The system error code of a failed request: its own, or that of its cause (fetch wraps it). */
export function networkErrorCode(error: unknown): string | undefined {
  const own = (error as NodeJS.ErrnoException | undefined)?.code
  const cause = error instanceof Error ? (error.cause as NodeJS.ErrnoException | undefined)?.code : undefined
  return typeof own === 'string' ? own : typeof cause === 'string' ? cause : undefined
}

export function classifyNetworkError(error: unknown): NetworkFailure {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return 'timeout'
  const code = networkErrorCode(error) ?? ''
  if (TRANSIENT_CODES.has(code)) return 'transient'
  if (code === 'EPROTO' || /CERT|TLS|SSL/.test(code)) return 'tls'
  return 'other'
}
