// Strava's OAuth endpoints (developers.strava.com/docs/authentication): authorize with a consent page,
// token (authorization_code and refresh_token grants, credentials in the body), deauthorize, and the
// RFC 7009 style revoke. Strava does not support PKCE: code_challenge and code_verifier are ignored.
import {consentPage} from './consent-page.js'
import {type EmulatorResponse, authorizationError, badRequest, html, json, redirect} from './http.js'
import {type TokenStore, knownScopes} from './tokens.js'
import type {EmulatorClient} from './types.js'

export interface OAuthContext {
  clients: EmulatorClient[]
  tokens: TokenStore
  athlete: Record<string, unknown>
  autoApprove: boolean
}

type Params = Map<string, string>

interface AuthorizationRequest {
  client: EmulatorClient
  redirectUri: URL
  scopes: string[]
  params: Record<string, string>
}

/** Checks the authorization parameters; a problem gets Strava's 400 fault and never a redirect. */
function parseAuthorizationRequest(context: OAuthContext, params: Params): AuthorizationRequest | EmulatorResponse {
  const client = context.clients.find((candidate) => candidate.id === params.get('client_id'))
  if (!client) return badRequest('Application', 'client_id')
  // Strava accepts any port and path on the app's callback domain; here that domain is the loopback.
  let redirectUri: URL
  try {
    redirectUri = new URL(params.get('redirect_uri') ?? '')
  } catch {
    return badRequest('Application', 'redirect_uri')
  }

  if (!['localhost', '127.0.0.1'].includes(redirectUri.hostname) || !/^https?:$/.test(redirectUri.protocol)) {
    return badRequest('Application', 'redirect_uri')
  }

  if (params.get('response_type') !== 'code') return badRequest('Application', 'response_type')
  const approvalPrompt = params.get('approval_prompt') ?? 'auto'
  if (!['auto', 'force'].includes(approvalPrompt)) return badRequest('Application', 'approval_prompt')
  // Comma-separated; Strava treats a missing scope as `read`.
  const scopes = [...new Set((params.get('scope') || 'read').split(',').map((scope) => scope.trim()))]
  if (scopes.some((scope) => !knownScopes.includes(scope))) return badRequest('Authorize', 'scope')
  const forwarded = ['client_id', 'redirect_uri', 'response_type', 'approval_prompt', 'scope', 'state']
  return {
    client,
    redirectUri,
    scopes,
    params: Object.fromEntries(forwarded.map((name) => [name, params.get(name) ?? ''])),
  }
}

/** Strava writes `state` always (empty when none was sent) and the scope list with literal commas. */
function redirectBack(request: AuthorizationRequest, pairs: [string, string][]): EmulatorResponse {
  const {origin, pathname, search} = request.redirectUri
  const query = pairs.map(([key, value]) => `${key}=${key === 'scope' ? value : encodeURIComponent(value)}`).join('&')
  return redirect(`${origin}${pathname}${search ? `${search}&` : '?'}${query}`)
}

/** Strava always grants `read` along with whatever the athlete left ticked. */
function approve(context: OAuthContext, request: AuthorizationRequest, ticked: string[]): EmulatorResponse {
  const scopes = ['read', ...ticked.filter((scope) => scope !== 'read')]
  const code = context.tokens.createCode({clientId: request.client.id, scopes})
  return redirectBack(request, [
    ['state', request.params.state],
    ['code', code],
    ['scope', scopes.join(',')],
  ])
}

export function authorizePage(context: OAuthContext, params: Params): EmulatorResponse {
  const request = parseAuthorizationRequest(context, params)
  if ('status' in request) return request
  if (context.autoApprove) return approve(context, request, request.scopes)
  const {firstname, lastname} = context.athlete
  return html(
    200,
    consentPage({
      appName: request.client.name ?? `App ${request.client.id}`,
      athleteName: `${firstname} ${lastname}`,
      hidden: request.params,
      scopes: request.scopes,
    }),
  )
}

/** The consent form's submission: the original parameters, the ticked boxes and the decision. */
export function authorizeDecision(context: OAuthContext, params: Params): EmulatorResponse {
  const request = parseAuthorizationRequest(context, params)
  if ('status' in request) return request
  if (params.get('decision') !== 'authorize') {
    return redirectBack(request, [
      ['state', request.params.state],
      ['error', 'access_denied'],
    ])
  }

  return approve(
    context,
    request,
    request.scopes.filter((scope) => params.has(`scope-${scope}`)),
  )
}

/**
 * The code exchange carries Strava's athlete summary (resource_state 2): no units preference, which
 * only the detailed athlete of GET /athlete has.
 */
function athleteSummary(athlete: Record<string, unknown>): Record<string, unknown> {
  const {measurement_preference: _detailedOnly, ...summary} = athlete
  return {...summary, resource_state: 2}
}

export function token(context: OAuthContext, params: Params): EmulatorResponse {
  const client = context.clients.find((candidate) => candidate.id === params.get('client_id'))
  if (!client) return badRequest('Application', 'client_id')
  if (params.get('client_secret') !== client.secret) return authorizationError('Application', 'client_secret')
  switch (params.get('grant_type')) {
    case 'authorization_code': {
      const issued = context.tokens.redeemCode(params.get('code') ?? '', client.id)
      if (!issued) return badRequest('AuthorizationCode', 'code')
      // Field order as Strava sends it; `athlete` only on the code exchange.
      return json(200, {
        token_type: 'Bearer',
        expires_at: issued.expiresAt,
        expires_in: issued.expiresIn,
        refresh_token: issued.refreshToken,
        access_token: issued.accessToken,
        athlete: athleteSummary(context.athlete),
      })
    }

    case 'refresh_token': {
      const issued = context.tokens.refresh(params.get('refresh_token') ?? '', client.id)
      if (!issued) return badRequest('RefreshToken', 'refresh_token')
      return json(200, {
        token_type: 'Bearer',
        access_token: issued.accessToken,
        expires_at: issued.expiresAt,
        expires_in: issued.expiresIn,
        refresh_token: issued.refreshToken,
      })
    }

    default:
      return badRequest('Application', 'grant_type')
  }
}

export function bearerToken(authorization: string | undefined): string | undefined {
  return /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1]
}

/** Strava's deauthorize: revokes every token the athlete gave this app and echoes the access token. */
export function deauthorize(context: OAuthContext, params: Params, authorization?: string): EmulatorResponse {
  const accessToken = params.get('access_token') ?? bearerToken(authorization) ?? ''
  const grant = context.tokens.authenticate(accessToken)
  if (!grant) return authorizationError('Athlete', 'access_token')
  context.tokens.revokeClient(grant.clientId)
  return json(200, {access_token: accessToken})
}

/**
 * RFC 7009 revocation (Strava's announced replacement for deauthorize). Client credentials are checked
 * when sent; an unknown token still answers 200, as RFC 7009 section 2.2 requires.
 */
export function revoke(context: OAuthContext, params: Params): EmulatorResponse {
  const clientId = params.get('client_id')
  if (clientId !== undefined) {
    const client = context.clients.find((candidate) => candidate.id === clientId)
    if (!client) return json(401, {error: 'invalid_client'})
    if (params.has('client_secret') && params.get('client_secret') !== client.secret) {
      return json(401, {error: 'invalid_client'})
    }
  }

  const token = params.get('token')
  if (!token) return json(400, {error: 'invalid_request'})
  context.tokens.revokeToken(token)
  return {status: 200, headers: {}, body: ''}
}
