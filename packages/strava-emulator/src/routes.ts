// The routing table: which handler answers a path on which host, with the endpoint switches of
// Strava's 2027 changes applied and every API answer counted against the rate limits.
import type {IncomingMessage} from 'node:http'
import {apiRoute} from './api.js'
import {type EmulatorResponse, rateLimitExceeded, recordNotFound} from './http.js'
import {authorizeDecision, authorizePage, bearerToken, deauthorize, revoke, token} from './oauth.js'
import type {EmulatorState} from './state.js'
import type {RequestLogEntry} from './types.js'

export const apiPrefix = '/api/v3'
export type Host = RequestLogEntry['host']
type Params = Map<string, string>

/** The path below the API base on either host, or undefined when the request is not an API call. */
export function apiPath(host: Host, path: string): string | undefined {
  if (host === 'next') return path
  return path === apiPrefix || path.startsWith(`${apiPrefix}/`) ? path.slice(apiPrefix.length) : undefined
}

/** Strava's rate limits exempt only uploads from the "non-upload" (read) limit. */
const isUpload = (method: string | undefined, path: string) =>
  method === 'POST' && /^\/(uploads|activities)\/?$|^\/activities\/\d+\/media/.test(path)

/** The answer with the current rate-limit usage headers (or usage pinned at one window's limit). */
export const withRateHeaders = (
  state: EmulatorState,
  response: EmulatorResponse,
  pinned?: 'short' | 'daily',
): EmulatorResponse => ({
  ...response,
  headers: {...response.headers, ...state.limiter.headers(pinned, state.switches.rateLimitHeaderCase)},
})

function routeApi(state: EmulatorState, request: IncomingMessage, path: string, url: URL, params: Params) {
  // Every API request counts against the limits and every answer carries the usage headers.
  if (!state.limiter.take(!isUpload(request.method, path)))
    return withRateHeaders(state, rateLimitExceeded(state.switches.rateLimitBody))
  // Until 1 June 2027 Strava also reads `access_token` from the query or form; from then on headers only.
  const presented =
    bearerToken(request.headers.authorization) ?? (state.endpoints.tokenParams ? params.get('access_token') : undefined)
  const grant = state.tokens.authenticate(presented ?? '')
  const response = request.method === 'GET' ? apiRoute(state.api, path, url.searchParams, grant) : recordNotFound()
  return withRateHeaders(state, response)
}

function routeOAuth(state: EmulatorState, request: IncomingMessage, path: string, params: Params) {
  const {method} = request
  const {oauth, endpoints} = state
  if (path === '/oauth/authorize' && method === 'GET') return authorizePage(oauth, params)
  if (path === '/oauth/authorize' && method === 'POST') return authorizeDecision(oauth, params)
  if (path === '/oauth/token' && method === 'POST') return token(oauth, params)
  if (path === '/oauth/deauthorize' && method === 'POST' && endpoints.deauthorize)
    return deauthorize(oauth, params, request.headers.authorization)
  if (path === '/oauth/revoke' && method === 'POST' && endpoints.revoke)
    return revoke(oauth, params, request.headers.authorization)
  return recordNotFound()
}

export async function route(
  state: EmulatorState,
  request: IncomingMessage,
  url: URL,
  params: Params,
  host: Host,
): Promise<EmulatorResponse> {
  const api = apiPath(host, url.pathname)
  if (api === undefined) return routeOAuth(state, request, url.pathname, params)
  return host === 'legacy' && !state.endpoints.legacyApiHost
    ? recordNotFound()
    : routeApi(state, request, api, url, params)
}
