import {
  AuthError,
  AuthRateLimitError,
  AuthServerUnavailableError,
  cancelledError,
  printable,
  redactSecrets,
} from './errors.js'
import type {CliNames} from './preset.js'
import {providerName, type OAuthProvider} from './provider.js'
import {classifyNetworkError, type RetryPolicy, withRetries} from './retry.js'

export interface TokenGrant {
  accessToken: string
  refreshToken?: string
  /** Epoch seconds. */
  expiresAt: number
  /** Granted scopes: from the redirect's `scope`, the token response, or else the requested ones. */
  scopes: string[]
  /** The account as the token answer describes it (`provider.accountIn`), for providers that send one. */
  athlete?: Record<string, unknown>
}

export interface HttpResponseLike {
  status: number
  text(): Promise<string>
  /** The body as a stream (fetch's Response has it): read up to MAX_TOKEN_ANSWER_BYTES and no further. */
  body?: AsyncIterable<Uint8Array> | null
}

/**
 * A token answer is about 1 KiB (tokens, expiry, perhaps an account summary); 1 MiB is a thousand times that,
 * and a server that sends more is broken or hostile: reading on would only fill memory.
 */
export const MAX_TOKEN_ANSWER_BYTES = 1024 * 1024

/** The body as text, or undefined when it grows past `maxBytes` (the rest is not read). */
async function readCapped(response: HttpResponseLike, maxBytes: number): Promise<string | undefined> {
  if (!response.body) {
    const text = await response.text()
    return Buffer.byteLength(text) > maxBytes ? undefined : text
  }

  const decoder = new TextDecoder()
  let size = 0
  let text = ''
  for await (const chunk of response.body) {
    size += chunk.byteLength
    // Leaving the loop cancels the stream.
    if (size > maxBytes) return undefined
    text += decoder.decode(chunk, {stream: true})
  }

  return text + decoder.decode()
}

/** The subset of `fetch` the token client uses; global `fetch` fits, tests pass a recording wrapper. */
export type HttpClient = (
  url: string,
  init: {method: 'POST'; headers: Record<string, string>; body: string; signal: AbortSignal},
) => Promise<HttpResponseLike>

export interface TokenClientOptions {
  provider: OAuthProvider
  clientId: string
  clientSecret?: string
  http?: HttpClient
  /** Per request; default 20 s. */
  requestTimeoutMs?: number
  /** Clock in ms, for `expiresAt` when the server sends only `expires_in`. */
  now?: () => number
  /** Ctrl-C: abandons the request (the caller's login or refresh is cancelled). */
  signal?: AbortSignal
  /** Waits between retries (refresh and revoke only); tests pass one that resolves at once. */
  sleep?: (ms: number) => Promise<void>
  /** Names the login command in messages; without it they say "log in again". */
  cli?: CliNames
}

type Grant = 'authorization_code' | 'refresh_token' | 'revocation'

const DEFAULT_REQUEST_TIMEOUT_MS = 20_000
/** Refresh and revocation: two retries, after 0.5 s and 2 s (a login is waiting, and the server is rarely down for long). */
export const TOKEN_RETRY_POLICY: RetryPolicy = {retries: 2, firstDelayMs: 500, factor: 4, jitter: 0}
/** RFC 6749 leaves a missing `expires_in` to documentation; one hour is the common default. */
const DEFAULT_LIFETIME_SECONDS = 3600

/**
 * Exchanges an authorization code (RFC 6749 §4.1.3). Never retried: codes are single-use, so a
 * second attempt after an ambiguous failure would only produce a misleading "code invalid".
 */
export async function exchangeCode(
  o: TokenClientOptions & {code: string; redirectUri: string; codeVerifier?: string; scopes?: string[]},
): Promise<TokenGrant> {
  const params: Record<string, string> = {grant_type: 'authorization_code', code: o.code, redirect_uri: o.redirectUri}
  if (o.codeVerifier) params.code_verifier = o.codeVerifier
  const body = await postForm(o, o.provider.tokenEndpoint, params, 'authorization_code', [o.code, o.codeVerifier])
  return toTokenGrant(o, body, {scopes: o.scopes ?? []})
}

/**
 * Refreshes (RFC 6749 §6), retrying a couple of times on network errors and 5xx. When the server
 * does not rotate the refresh token, the grant keeps the one passed in; when it does not say which
 * scopes are granted, `scopes` (what was granted before) is carried over.
 */
export async function refreshGrant(
  o: TokenClientOptions & {refreshToken: string; scopes?: string[]},
): Promise<TokenGrant> {
  const params = {grant_type: 'refresh_token', refresh_token: o.refreshToken}
  const body = await retried(o, () => postForm(o, o.provider.tokenEndpoint, params, 'refresh_token', [o.refreshToken]))
  const grant = toTokenGrant(o, body, {scopes: o.scopes ?? []})
  return {...grant, refreshToken: grant.refreshToken ?? o.refreshToken}
}

/**
 * Ends the grant at the server: RFC 7009 revocation where the provider has it, else (or when that
 * endpoint answers 404 or 405, not deployed) the legacy deauthorization, which takes an access token;
 * with only a refresh token, or an expired access token, a fresh one is fetched first.
 */
export async function revoke(o: TokenClientOptions & {accessToken?: string; refreshToken?: string}): Promise<void> {
  const {provider} = o
  if (provider.revocationEndpoint) {
    try {
      await revokeTokens(o, provider.revocationEndpoint)
      return
    } catch (error) {
      const missing = error instanceof AuthError && error.reason === 'endpoint_not_found'
      if (!missing || !provider.deauthorizationEndpoint) throw error
    }
  }

  if (provider.deauthorizationEndpoint) await deauthorize(o, provider.deauthorizationEndpoint)
}

/** RFC 7009: the refresh token first (it ends the grant on most servers), then the access token unless the pair goes together. */
async function revokeTokens(o: TokenClientOptions & {accessToken?: string; refreshToken?: string}, endpoint: string) {
  const {provider} = o
  const secrets = [o.accessToken, o.refreshToken]
  const auth = {
    ...o,
    provider: {...provider, tokenEndpointAuth: provider.revocationEndpointAuth ?? provider.tokenEndpointAuth},
  }
  const tokens = (
    [
      [o.refreshToken, 'refresh_token'],
      [o.accessToken, 'access_token'],
    ] as const
  ).filter((pair): pair is readonly [string, 'refresh_token' | 'access_token'] => Boolean(pair[0]))
  for (const [token, hint] of provider.revocationRevokesGrant ? tokens.slice(0, 1) : tokens) {
    await retried(o, () => postForm(auth, endpoint, {token, token_type_hint: hint}, 'revocation', secrets))
  }
}

/** The legacy deauthorization: the access token authenticates the call by itself, in the Authorization header. */
async function deauthorize(o: TokenClientOptions & {accessToken?: string; refreshToken?: string}, endpoint: string) {
  const secrets = [o.accessToken, o.refreshToken]
  const send = (token: string) =>
    retried(o, () =>
      postForm({...o, clientId: '', clientSecret: undefined}, endpoint, {}, 'revocation', [...secrets, token], {
        authorization: `Bearer ${token}`,
      }),
    )
  const freshAccessToken = async () => (await refreshGrant({...o, refreshToken: o.refreshToken ?? ''})).accessToken
  if (!o.accessToken) {
    if (o.refreshToken) await send(await freshAccessToken())
    return
  }

  try {
    await send(o.accessToken)
  } catch (error) {
    // An expired access token cannot deauthorize; a fresh one from the refresh token can.
    if (!(error instanceof AuthError && error.reason === 'invalid_token' && o.refreshToken)) throw error
    await send(await freshAccessToken())
  }
}

/** A token request again after a network failure, a 5xx or a malformed answer (exit 5 once the retries are spent). */
function retried<T>(o: TokenClientOptions, attempt: () => Promise<T>): Promise<T> {
  return withRetries(TOKEN_RETRY_POLICY, attempt, {
    isRetryable: (error) => error instanceof AuthServerUnavailableError,
    sleep: o.sleep,
    signal: o.signal,
    cancelled: cancelledError,
  })
}

/** POSTs a form with the provider's client authentication and returns the parsed JSON of a 2xx answer. */
async function postForm(
  o: TokenClientOptions,
  url: string,
  params: Record<string, string>,
  grant: Grant,
  extraSecrets: ReadonlyArray<string | undefined>,
  extraHeaders: Record<string, string> = {},
): Promise<Record<string, unknown>> {
  const secrets = [o.clientSecret, ...extraSecrets]
  const request = withClientAuthentication(o, params, extraHeaders)
  const {status, text} = await send(o, url, request, secrets)
  return readAnswer(o, {url, grant, secrets}, status, text)
}

/** The form and headers with the client's credentials where the provider wants them (RFC 6749 §2.3). */
function withClientAuthentication(
  o: TokenClientOptions,
  params: Record<string, string>,
  extraHeaders: Record<string, string>,
): {headers: Record<string, string>; form: URLSearchParams} {
  const headers: Record<string, string> = {
    'content-type': 'application/x-www-form-urlencoded',
    accept: 'application/json',
    ...extraHeaders,
  }
  const form = new URLSearchParams(params)
  // Without a secret the client is public (RFC 6749 §2.1): it identifies itself by client_id alone.
  const auth = o.clientSecret ? o.provider.tokenEndpointAuth : 'none'
  if (auth === 'client_secret_basic') {
    // RFC 6749 §2.3.1: both parts are form-urlencoded before Base64.
    const user = new URLSearchParams({u: o.clientId}).toString().slice(2)
    const password = new URLSearchParams({p: o.clientSecret ?? ''}).toString().slice(2)
    headers.authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`
  } else {
    if (o.clientId) form.set('client_id', o.clientId)
    if (auth === 'client_secret_post') form.set('client_secret', o.clientSecret ?? '')
  }
  return {headers, form}
}

/** One request with a timeout and the caller's abort signal; a network failure is exit 5, Ctrl-C a cancellation. */
async function send(
  o: TokenClientOptions,
  url: string,
  request: {headers: Record<string, string>; form: URLSearchParams},
  secrets: ReadonlyArray<string | undefined>,
): Promise<{status: number; text: string | undefined}> {
  const http: HttpClient = o.http ?? ((target, init) => fetch(target, init))
  try {
    const response = await http(url, {
      method: 'POST',
      headers: request.headers,
      body: request.form.toString(),
      signal: AbortSignal.any([
        AbortSignal.timeout(o.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS),
        ...(o.signal ? [o.signal] : []),
      ]),
    })
    return {status: response.status, text: await readCapped(response, MAX_TOKEN_ANSWER_BYTES)}
  } catch (error) {
    if (o.signal?.aborted) throw cancelledError()
    const why = classifyNetworkError(error) === 'timeout' ? 'did not answer in time' : 'could not be reached'
    const detail = error instanceof Error ? describeNetworkError(error) : String(error)
    throw new AuthServerUnavailableError(
      redactSecrets(
        `${providerName(o.provider)} ${why} (${new URL(url).host}: ${detail}). Check the network connection and try again.`,
        secrets,
      ),
    )
  }
}

/** The JSON of a 2xx answer, or the error the status and body mean. */
function readAnswer(
  o: TokenClientOptions,
  request: {url: string; grant: Grant; secrets: ReadonlyArray<string | undefined>},
  status: number,
  text: string | undefined,
): Record<string, unknown> {
  const {grant} = request
  const name = providerName(o.provider)
  if (text === undefined) {
    throw new AuthServerUnavailableError(
      `${name} answered the ${describeGrant(grant)} with more than ${MAX_TOKEN_ANSWER_BYTES / 1024 / 1024} MiB, far more than a token answer; it was not read. Try again later.`,
    )
  }

  if (status >= 200 && status < 300) {
    const body = parseJson(text)
    if (body) return body
    // RFC 7009 §2.2: a revocation answers 200 with no particular body.
    if (grant === 'revocation') return {}
    throw new AuthServerUnavailableError(
      `${name} answered the ${describeGrant(grant)} with something that is not JSON (HTTP ${status}). Try again later.`,
    )
  }

  // A revocation endpoint the server does not have (yet): the caller may fall back to another one.
  if (grant === 'revocation' && (status === 404 || status === 405)) {
    throw new AuthError(
      `${name} has no ${new URL(request.url).pathname} endpoint (HTTP ${status}), so access was not revoked.`,
      'endpoint_not_found',
    )
  }
  if (status === 429)
    throw new AuthRateLimitError(`${name} is rate limiting requests right now. Try again in 15 minutes.`)
  if (status >= 500) {
    throw new AuthServerUnavailableError(
      `${name} failed to answer the ${describeGrant(grant)} (HTTP ${status}). Try again later.`,
    )
  }
  throw describeFault(o, status, parseJson(text), grant, request.secrets)
}

function describeNetworkError(error: Error): string {
  const cause = error.cause instanceof Error ? error.cause : undefined
  const code = (cause as (Error & {code?: string}) | undefined)?.code
  return code ?? cause?.message ?? error.message
}

function describeGrant(grant: Grant): string {
  if (grant === 'authorization_code') return 'authorization code exchange'
  if (grant === 'refresh_token') return 'token refresh'
  return 'revocation request'
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text)
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}

/** "run `<login>` again", or "log in again" when the CLI is not named. */
function loginAgain(cli: CliNames | undefined): string {
  return cli ? `run \`${cli.loginCommand}\` again` : 'log in again'
}

const capitalized = (text: string) => text.charAt(0).toUpperCase() + text.slice(1)

/**
 * Turns a 4xx answer (RFC 6749 §5.2's `{error, ...}`, or a provider's own shape that `provider.translateFault`
 * reads) into a plain sentence.
 */
function describeFault(
  o: TokenClientOptions,
  status: number,
  body: Record<string, unknown> | undefined,
  grant: Grant,
  secrets: ReadonlyArray<string | undefined>,
): AuthError {
  const name = providerName(o.provider)
  const hint = (body && o.provider.translateFault?.(body)) || {}
  const oauthError = typeof body?.error === 'string' ? body.error : undefined
  const again = loginAgain(o.cli)
  if (hint.fault === 'unknown_client') {
    return new AuthError(
      `${name} does not know this client id. Check the app's Client ID and ${again}.`,
      'invalid_client',
    )
  }
  if (grant === 'revocation' && status === 401 && oauthError !== 'invalid_client') {
    return new AuthError(`${name} did not accept the access token for the revocation.`, 'invalid_token')
  }
  if (oauthError === 'invalid_client' || hint.fault === 'invalid_client' || status === 401) {
    return new AuthError(
      `${name} rejected the client secret (or client id). Copy both again from the app's settings page and ${again}.`,
      'invalid_client',
    )
  }
  if (hint.fault === 'invalid_code' || (grant === 'authorization_code' && oauthError === 'invalid_grant')) {
    return new AuthError(
      `${name} did not accept the authorization code: it expired or was already used. ${capitalized(again)}.`,
      'invalid_code',
    )
  }
  if (hint.fault === 'invalid_refresh_token' || (grant === 'refresh_token' && oauthError === 'invalid_grant')) {
    return new AuthError(
      `${name} rejected the refresh token (it was revoked or replaced by a newer one). ${capitalized(again)} to log in.`,
      'invalid_refresh_token',
    )
  }

  const description =
    (typeof body?.error_description === 'string' ? body.error_description : undefined) ?? hint.description
  // Redacted before shortening, so a cut can never leave part of a secret behind.
  const detail = printable(redactSecrets([oauthError, description, hint.detail].filter(Boolean).join(': '), secrets))
  return new AuthError(
    redactSecrets(
      `${name} refused the ${describeGrant(grant)} (HTTP ${status}${detail ? `, ${detail}` : ''}). ${capitalized(again)}.`,
      secrets,
    ),
    'rejected',
  )
}

function toTokenGrant(o: TokenClientOptions, body: Record<string, unknown>, defaults: {scopes: string[]}): TokenGrant {
  const name = providerName(o.provider)
  if (typeof body.access_token !== 'string' || body.access_token === '') {
    throw new AuthServerUnavailableError(`${name} answered without an access token. Try again later.`)
  }
  const nowSeconds = Math.floor((o.now ?? Date.now)() / 1000)
  const expiresAt =
    typeof body.expires_at === 'number'
      ? body.expires_at
      : nowSeconds + (typeof body.expires_in === 'number' ? body.expires_in : DEFAULT_LIFETIME_SECONDS)
  const grant: TokenGrant = {
    accessToken: body.access_token,
    expiresAt,
    scopes: typeof body.scope === 'string' ? splitScopes(body.scope) : defaults.scopes,
  }
  if (typeof body.refresh_token === 'string' && body.refresh_token !== '') grant.refreshToken = body.refresh_token
  const account = o.provider.accountIn?.(body)
  if (account) grant.athlete = account
  return grant
}

/** Scopes as servers write them: spaces per RFC 6749, commas for some providers. */
export function splitScopes(scope: string): string[] {
  return scope.split(/[\s,]+/).filter(Boolean)
}
