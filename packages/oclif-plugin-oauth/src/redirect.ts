import {AuthError, AuthServerUnavailableError, printable} from './errors.js'
import {statesMatch} from './random.js'
import {splitScopes} from './tokens.js'

/** What one redirect back from the authorization server (or a pasted URL) means for the flow. */
export type RedirectOutcome =
  | {kind: 'code'; code: string; scopes?: string[]}
  | {kind: 'token'; accessToken: string; expiresIn?: number; scopes?: string[]} // implicit grant
  | {kind: 'error'; error: AuthError | AuthServerUnavailableError}
  | {kind: 'foreign'} // state wrong or missing: not an answer to this attempt, keep waiting
  | {kind: 'incomplete'} // right state, but neither a code nor an error

/**
 * Reads the parameters of a redirect. The state is checked before anything else, so a forged or
 * stale callback can neither complete nor abort the login (RFC 6749 §10.12, RFC 9700 §4.7).
 */
export function interpretRedirect(
  params: URLSearchParams,
  expectedState: string,
  o: {providerName: string; implicit?: boolean; issuer?: string; loginCommand?: string},
): RedirectOutcome {
  if (!statesMatch(expectedState, params.get('state'))) return {kind: 'foreign'}
  // RFC 9207: a server that names itself must be the one we sent the user to (mix-up defence).
  const iss = params.get('iss')
  const again = o.loginCommand ? `Run \`${o.loginCommand}\` again` : 'Log in again'
  if (o.issuer && iss !== null && iss !== o.issuer) {
    const error = new AuthError(
      `The answer came from a different authorization server than ${o.providerName}, so it was refused. ${again}.`,
      'authorization_failed',
    )
    return {kind: 'error', error}
  }
  const scope = params.get('scope')
  const scopes = scope === null ? undefined : splitScopes(scope)
  const error = params.get('error')
  if (error)
    return {
      kind: 'error',
      error: describeAuthorizationError(error, params.get('error_description'), o.providerName, again),
    }
  const code = params.get('code')
  if (code && !o.implicit) return {kind: 'code', code, scopes}
  const accessToken = params.get('access_token')
  if (accessToken && o.implicit) {
    const expiresIn = Number(params.get('expires_in'))
    return {kind: 'token', accessToken, scopes, ...(expiresIn > 0 ? {expiresIn} : {})}
  }
  return {kind: 'incomplete'}
}

/** RFC 6749 §4.1.2.1 error codes as sentences. Server-provided text is cleaned before it reaches a terminal. */
function describeAuthorizationError(
  error: string,
  description: string | null,
  providerName: string,
  again: string,
): AuthError | AuthServerUnavailableError {
  switch (error) {
    case 'access_denied': {
      return new AuthError(
        `You declined access on the ${providerName} consent page, so nothing was stored. ${again} and choose Authorize to log in.`,
        'access_denied',
      )
    }
    case 'invalid_scope': {
      return new AuthError(
        `${providerName} does not accept the requested scopes. ${again} with valid --scope values.`,
        'authorization_failed',
      )
    }
    case 'unauthorized_client':
    case 'unsupported_response_type': {
      return new AuthError(
        `${providerName} does not allow this app to log in this way. Check the app's settings.`,
        'authorization_failed',
      )
    }
    case 'server_error':
    case 'temporarily_unavailable': {
      return new AuthServerUnavailableError(
        `${providerName} could not complete the authorization right now. ${again} later.`,
      )
    }
    default: {
      const detail = [error, description]
        .filter((part): part is string => Boolean(part))
        .map((part) => printable(part))
        .join(': ')
      return new AuthError(`${providerName} refused the authorization (${detail}). ${again}.`, 'authorization_failed')
    }
  }
}
