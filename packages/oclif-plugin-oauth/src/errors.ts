/**
 * Errors of the plugin. Each carries its exit code (3 authentication, 2 usage, 4 rate limit, 5 server
 * unavailable, 1 a bug) and at most two plain sentences; anything derived from a server body or a URL goes
 * through `redactSecrets` first.
 */

export type AuthErrorReason =
  | 'access_denied' // the user declined on the consent page
  | 'authorization_failed' // the authorization server redirected back with another error
  | 'timeout' // no callback in time
  | 'cancelled' // Ctrl-C / abort signal
  | 'insufficient_scope'
  | 'invalid_client' // client id or secret rejected
  | 'invalid_code' // authorization code expired, used or not for this redirect
  | 'invalid_refresh_token' // refresh token revoked, rotated away or expired
  | 'invalid_token' // access token not accepted (revocation)
  | 'endpoint_not_found' // the server has no such endpoint: 404 or 405 (revocation)
  | 'rejected' // any other refusal of a token request

export interface ErrorDetails {
  suggestions?: string[]
  cause?: unknown
}

/**
 * The one error type of a CLI built on this plugin: one or two sentences saying what happened and what to do
 * next, the exit code to end with, optional suggestions and the cause (shown only with DEBUG). The plugin's
 * base command maps it to oclif's exit in its `catch`; subclasses only fix the exit code or add a field.
 */
export class ExitCodeError extends Error {
  readonly exitCode: number
  suggestions?: string[]

  constructor(message: string, details: ErrorDetails & {exitCode?: number} = {}) {
    super(message, details.cause === undefined ? undefined : {cause: details.cause})
    this.name = new.target.name
    this.exitCode = details.exitCode ?? 1
    if (details.suggestions) this.suggestions = details.suggestions
  }
}

/** Authentication is needed or failed (exit 3): the user has to log in (again) or fix credentials. */
export class AuthError extends ExitCodeError {
  readonly exitCode: number = 3
  readonly reason: AuthErrorReason

  constructor(message: string, reason: AuthErrorReason, details: ErrorDetails = {}) {
    super(message, details)
    this.reason = reason
  }
}

/** The sealed credential store cannot be opened: no key, a wrong key, a damaged or newer file (exit 3). */
export class SealedStoreError extends ExitCodeError {
  readonly exitCode: number = 3
}

/** Bad usage or input (exit 2), e.g. a --port that is taken. */
export class AuthUsageError extends ExitCodeError {
  readonly exitCode: number = 2
}

/** The authorization server answered 429 (exit 4). */
export class AuthRateLimitError extends ExitCodeError {
  readonly exitCode: number = 4
}

/** The authorization server could not be reached or failed (5xx, malformed answer), after retries where allowed (exit 5). */
export class AuthServerUnavailableError extends ExitCodeError {
  readonly exitCode: number = 5
}

/** Ctrl-C or another abort of a login: nothing half-done is kept. */
export function cancelledError(): AuthError {
  return new AuthError('The login was cancelled; nothing was stored.', 'cancelled')
}

const REDACTED = '[redacted]'

/**
 * Replaces every occurrence of each secret, raw and in its URL-encoded forms (as it appears in query
 * strings and form bodies), with `[redacted]`. Longer secrets go first so that one secret containing
 * another is removed whole.
 */
export function redactSecrets(text: string, secrets: ReadonlyArray<string | undefined>): string {
  const forms = new Set<string>()
  for (const secret of secrets) {
    if (!secret) continue
    forms.add(secret)
    forms.add(encodeURIComponent(secret))
    forms.add(new URLSearchParams({s: secret}).toString().slice(2))
  }

  let result = text
  for (const form of [...forms].sort((a, b) => b.length - a.length)) result = result.split(form).join(REDACTED)
  return result
}

/** Control characters and the bidirectional marks, embeddings, overrides and isolates that reorder what a terminal shows. */
export const UNPRINTABLE = /[\p{Cc}\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/gu

/** Keeps server-provided text short and free of control characters (no terminal escape injection or reordering). */
export function printable(text: string, max = 200): string {
  const clean = text.replace(UNPRINTABLE, ' ')
  return clean.length > max ? `${clean.slice(0, max)}...` : clean
}

/**
 * A URL as it may be shown: without the `user:password@` part an environment variable may carry, and printable.
 * Text that does not parse as a URL loses anything between `//` and `@` all the same.
 */
export function withoutCredentials(url: string): string {
  const parsed = URL.parse(url)
  if (!parsed) return printable(url.replace(/\/\/[^/]*@/, '//'))
  parsed.username = ''
  parsed.password = ''
  return printable(parsed.href)
}
