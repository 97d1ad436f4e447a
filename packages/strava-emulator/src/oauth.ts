// Strava's OAuth endpoints (developers.strava.com/docs/authentication): authorize with a consent page,
// token (authorization_code and refresh_token grants, credentials in the body), deauthorize, and the
// RFC 7009 style revoke. Strava does not support PKCE: code_challenge and code_verifier are ignored.
import {consentPage} from './consent-page.js'
import {type EmulatorResponse, authorizationError, badRequest, html, json, redirect} from './http.js'
import {type TokenStore, knownScopes} from './tokens.js'
import type {EmulatorClient, EmulatorOptions} from './types.js'

export interface OAuthContext {
  clients: EmulatorClient[]
  tokens: TokenStore
  athlete: Record<string, unknown>
  autoApprove: boolean
  /** The live switches (changed by `configure`). */
  switches: Pick<EmulatorOptions, 'tokenScopeSeparator' | 'rememberApprovals'>
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
  // Strava: `auto` skips the consent page for an athlete who already authorized the app with these
  // scopes; `force` always shows it (developers.strava.com/docs/authentication, approval_prompt).
  const alreadyGranted =
    context.switches.rememberApprovals &&
    request.params.approval_prompt !== 'force' &&
    context.tokens.hasGrant(request.client.id, request.scopes)
  if (alreadyGranted) return approve(context, request, request.scopes)
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
        ...grantedScope(context, issued.grant.scopes),
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
        ...grantedScope(context, issued.grant.scopes),
      })
    }

    default:
      return badRequest('Application', 'grant_type')
  }
}

/** Strava's token responses have started to carry the granted scopes, space-separated; a switch adds them. */
function grantedScope(context: OAuthContext, scopes: string[]): {scope?: string} {
  const separator = context.switches.tokenScopeSeparator
  return separator ? {scope: scopes.join(separator)} : {}
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

/** `Authorization: Basic base64(client_id:client_secret)`, each part form-urlencoded (RFC 6749 section 2.3.1). */
function basicCredentials(authorization: string | undefined): {id: string; secret: string} | undefined {
  const encoded = /^Basic\s+(\S+)$/i.exec(authorization ?? '')?.[1]
  if (!encoded) return undefined
  const decoded = Buffer.from(encoded, 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  if (colon === -1) return undefined
  const part = (text: string) => decodeURIComponent(text.replaceAll('+', ' '))
  return {id: part(decoded.slice(0, colon)), secret: part(decoded.slice(colon + 1))}
}

/**
 * Strava's POST /oauth/revoke (authentication docs, since 1 June 2026): client credentials as HTTP
 * Basic, `token` (access or refresh) and an optional `token_type_hint`; revoking either token revokes
 * the other. An unknown token answers 200, as RFC 7009 section 2.2 requires.
 */
export function revoke(context: OAuthContext, params: Params, authorization?: string): EmulatorResponse {
  const credentials = basicCredentials(authorization)
  const client = context.clients.find((candidate) => candidate.id === credentials?.id)
  if (!client || client.secret !== credentials?.secret) return json(401, {error: 'invalid_client'})
  const token = params.get('token')
  if (!token) return json(400, {error: 'invalid_request'})
  const hint = params.get('token_type_hint')
  if (hint !== undefined && !['access_token', 'refresh_token'].includes(hint)) {
    return json(400, {error: 'unsupported_token_type'})
  }

  context.tokens.revokeToken(token)
  return {status: 200, headers: {}, body: ''}
}
