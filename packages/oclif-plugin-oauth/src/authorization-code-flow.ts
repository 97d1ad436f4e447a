import {createInterface} from 'node:readline'

import {AuthError, cancelledError} from './errors.js'
import {LoopbackReceiver, type AcceptedRedirect} from './loopback-receiver.js'
import {createPkcePair} from './pkce.js'
import type {CliNames} from './preset.js'
import {providerName, type OAuthProvider} from './provider.js'
import {createState} from './random.js'
import {interpretRedirect} from './redirect.js'
import {exchangeCode, type HttpClient, type TokenGrant} from './tokens.js'

export interface AuthorizationCodeFlowOptions {
  provider: OAuthProvider
  clientId: string
  /** Absent for public clients (PKCE then carries the proof). */
  clientSecret?: string
  scopes: string[]
  /** Fixed receiver port (`--port`); default a free one. */
  port?: number
  timeoutMs: number
  /**
   * Shows the consent URL (the caller prints it and opens the browser, or not). `answered()` says
   * whether the redirect already came (a fast browser), so that "waiting" is not announced after the fact.
   */
  presentUrl: (url: string, progress: {answered(): boolean}) => Promise<void>
  /** `--no-browser`: a pasted redirected URL or bare code; the first answer, here or at the receiver, wins. */
  pastedInput?: NodeJS.ReadableStream
  /** Ctrl-C. */
  signal?: AbortSignal
  /** Deprecated implicit grant (RFC 9700 §2.1.2); only for servers that offer nothing else. */
  implicit?: boolean
  http?: HttpClient
  /** Warnings for the user (implicit grant, rejected pastes); default stderr. */
  warn?: (message: string) => void
  now?: () => number
  requestTimeoutMs?: number
  /** Names the CLI on the browser pages and its login command in messages. */
  cli?: CliNames
}

/**
 * The RFC 8252 native-app flow: authorization request in the browser, redirect to a loopback
 * receiver (or a pasted URL), code exchange. Resolves with the grant, whose `scopes` are those the
 * server reports as granted; deciding whether they suffice is the caller's policy (`checkGrantedScopes`).
 */
export async function runAuthorizationCodeFlow(o: AuthorizationCodeFlowOptions): Promise<TokenGrant> {
  const warn = o.warn ?? ((message: string) => process.stderr.write(`Warning: ${message}\n`))
  if (o.implicit) {
    warn(
      'The implicit grant is deprecated (RFC 9700): the access token travels in the browser URL and no refresh token is issued. Prefer the authorization code flow.',
    )
  }
  if (o.signal?.aborted) throw cancelledError()

  const state = createState()
  const pkce = o.provider.pkce && !o.implicit ? createPkcePair() : undefined
  const receiver = await LoopbackReceiver.start({
    expectedState: state,
    redirectHost: o.provider.loopbackHost,
    port: o.port,
    providerName: providerName(o.provider),
    appName: o.cli?.bin,
    loginCommand: o.cli?.loginCommand,
    implicit: o.implicit,
    issuer: o.provider.issuer,
  })
  try {
    const url = buildAuthorizationUrl({
      provider: o.provider,
      clientId: o.clientId,
      redirectUri: receiver.redirectUri,
      scopes: o.scopes,
      state,
      codeChallenge: pkce?.challenge,
      implicit: o.implicit,
    })
    const redirect = await waitForRedirect({...o, warn}, {url, state, receiver})
    await receiver.close()
    return await grantFrom(redirect, o, {redirectUri: receiver.redirectUri, codeVerifier: pkce?.verifier})
  } finally {
    await receiver.close()
  }
}

/** The grant a redirect carries: the implicit grant's token as it is, a code exchanged at the token endpoint. */
async function grantFrom(
  redirect: AcceptedRedirect,
  o: AuthorizationCodeFlowOptions,
  exchange: {redirectUri: string; codeVerifier?: string},
): Promise<TokenGrant> {
  if (redirect.kind === 'error') throw redirect.error
  if (redirect.kind === 'token') {
    const nowSeconds = Math.floor((o.now ?? Date.now)() / 1000)
    return {
      accessToken: redirect.accessToken,
      expiresAt: nowSeconds + (redirect.expiresIn ?? 3600),
      scopes: redirect.scopes ?? o.scopes,
    }
  }
  return exchangeCode({
    provider: o.provider,
    clientId: o.clientId,
    clientSecret: o.clientSecret,
    code: redirect.code,
    ...exchange,
    scopes: redirect.scopes ?? o.scopes,
    http: o.http,
    now: o.now,
    requestTimeoutMs: o.requestTimeoutMs,
    signal: o.signal,
    cli: o.cli,
  })
}

/**
 * Presents the consent URL and waits for the first answer: the receiver's callback, a pasted line, the
 * timeout or Ctrl-C. A timeout or Ctrl-C wins even while presentUrl still waits (a launcher that hangs).
 */
async function waitForRedirect(
  o: AuthorizationCodeFlowOptions & {warn: (message: string) => void},
  attempt: {url: string; state: string; receiver: LoopbackReceiver},
): Promise<AcceptedRedirect> {
  const cleanups: Array<() => void> = []
  let answered = false
  try {
    const answer = new Promise<AcceptedRedirect>((resolve, reject) => {
      void attempt.receiver.callback.then(resolve)
      const timer = setTimeout(() => reject(timedOut(o.timeoutMs, o.cli)), o.timeoutMs)
      cleanups.push(() => clearTimeout(timer))
      if (o.signal) cleanups.push(onAbort(o.signal, () => reject(cancelledError())))
      if (o.pastedInput) cleanups.push(readPastes(o.pastedInput, attempt.state, o, resolve))
    })
    void answer.then(
      () => (answered = true),
      () => (answered = true),
    )
    return await Promise.race([o.presentUrl(attempt.url, {answered: () => answered}).then(() => answer), answer])
  } finally {
    for (const cleanup of cleanups) cleanup()
  }
}

function onAbort(signal: AbortSignal, listener: () => void): () => void {
  signal.addEventListener('abort', listener, {once: true})
  return () => signal.removeEventListener('abort', listener)
}

/** Reads pasted lines until one answers this attempt; what is ignored is said why. Returns the cleanup. */
function readPastes(
  input: NodeJS.ReadableStream,
  state: string,
  o: AuthorizationCodeFlowOptions & {warn: (message: string) => void},
  accept: (redirect: AcceptedRedirect) => void,
): () => void {
  const lines = createInterface({input, terminal: false, crlfDelay: Infinity})
  lines.on('line', (line) => {
    const pasted = interpretPasted(line, state, {
      providerName: providerName(o.provider),
      implicit: o.implicit,
      issuer: o.provider.issuer,
      loginCommand: o.cli?.loginCommand,
    })
    if (typeof pasted === 'string') o.warn(pasted)
    else if (pasted) {
      if (pasted.kind === 'code' && pasted.scopes === undefined && !/[?#]/.test(line)) {
        o.warn('Only the code was pasted, so the granted scopes are assumed to be the requested ones.')
      }
      accept(pasted)
    }
  })
  return () => lines.close()
}

export function buildAuthorizationUrl(o: {
  provider: OAuthProvider
  clientId: string
  redirectUri: string
  scopes: string[]
  state: string
  codeChallenge?: string
  implicit?: boolean
}): string {
  const url = new URL(o.provider.authorizationEndpoint)
  // Provider extras first, so they can never replace the parameters the flow's security rests on.
  for (const [key, value] of Object.entries(o.provider.extraAuthorizationParams ?? {})) url.searchParams.set(key, value)
  url.searchParams.set('client_id', o.clientId)
  url.searchParams.set('redirect_uri', o.redirectUri)
  url.searchParams.set('response_type', o.implicit ? 'token' : 'code')
  url.searchParams.set('scope', o.scopes.join(o.provider.scopeSeparator))
  url.searchParams.set('state', o.state)
  if (o.codeChallenge) {
    url.searchParams.set('code_challenge', o.codeChallenge)
    url.searchParams.set('code_challenge_method', 'S256')
  }
  return url.toString()
}

/** A pasted line: an accepted redirect, a sentence explaining why it was ignored, or nothing for a blank line. */
function interpretPasted(
  line: string,
  state: string,
  o: {providerName: string; implicit?: boolean; issuer?: string; loginCommand?: string},
): AcceptedRedirect | string | undefined {
  const text = line.trim()
  if (text === '') return undefined
  if (/^https?:\/\//i.test(text) || text.includes('?') || text.includes('#')) {
    let params: URLSearchParams
    try {
      const url = new URL(text, 'http://127.0.0.1')
      params = new URLSearchParams(url.search)
      for (const [key, value] of new URLSearchParams(url.hash.slice(1))) if (!params.has(key)) params.set(key, value)
    } catch {
      return 'That is not a URL. Paste the whole address the browser shows after you authorize, or just the code.'
    }
    const outcome = interpretRedirect(params, state, o)
    if (outcome.kind === 'foreign') {
      return 'That URL does not belong to this login (its state does not match), so it was ignored. Paste the address from this attempt.'
    }
    if (outcome.kind === 'incomplete')
      return 'That URL carries neither a code nor an error. Paste the address the browser shows after you authorize.'
    return outcome
  }
  if (!o.implicit && /^[\w.~+/=-]+$/.test(text)) return {kind: 'code', code: text}
  return 'Paste the whole address the browser shows after you authorize, or just the code.'
}

function timedOut(timeoutMs: number, cli: CliNames | undefined): AuthError {
  const again = cli ? `Run \`${cli.loginCommand}\` again` : 'Log in again'
  return new AuthError(
    `No answer from the browser within ${describeDuration(timeoutMs)}, so the login stopped. ${again}, with a longer --timeout or with --no-browser to paste the redirected URL.`,
    'timeout',
  )
}

function describeDuration(ms: number): string {
  const seconds = Math.round(ms / 1000)
  if (seconds >= 60 && seconds % 60 === 0) return `${seconds / 60} minute${seconds === 60 ? '' : 's'}`
  if (seconds >= 1) return `${seconds} second${seconds === 1 ? '' : 's'}`
  return `${ms} ms`
}
