// A local stand-in for Strava (OAuth under /oauth, API under /api/v3) on 127.0.0.1, for tests and the
// demo. It follows Strava's documented behaviour and the published spec in ../shared/strava-api/;
// each module cites the behaviour it copies. Switches (clock, token lifetime, rotation, rate limits,
// injected faults) and a request log let tests provoke and observe what Strava would do.
import {type IncomingMessage, type Server, type ServerResponse, STATUS_CODES, createServer} from 'node:http'
import type {AddressInfo} from 'node:net'
import {setTimeout as delay} from 'node:timers/promises'
import {type StoredActivity, makeActivities, renderActivity} from './activities.js'
import {apiRoute} from './api.js'
import {
  type EmulatorResponse,
  applicationInactive,
  json,
  parseParams,
  rateLimitExceeded,
  readBody,
  recordNotFound,
} from './http.js'
import {type OAuthContext, authorizeDecision, authorizePage, bearerToken, deauthorize, revoke, token} from './oauth.js'
import {RateLimiter} from './rate-limits.js'
import {demoActivities, demoAthlete} from './seed.js'
import {TokenStore} from './tokens.js'
import type {
  EmulatorActivity,
  EmulatorEndpoints,
  EmulatorFault,
  EmulatorOptions,
  RequestLogEntry,
  StravaEmulator,
} from './types.js'

export type * from './types.js'
export {makeActivities} from './activities.js'
export {bigActivityId} from './seed.js'

export const defaultClient = {id: '12345', secret: 'emulator-client-secret', name: 'weeknotes emulator app'}
/** Strava's access token lifetime: 6 hours. */
const defaultTokenLifetimeSeconds = 21_600
const apiPrefix = '/api/v3'
type Host = RequestLogEntry['host']

/** The path below the API base on either host, or undefined when the request is not an API call. */
function apiPath(host: Host, path: string): string | undefined {
  if (host === 'next') return path
  return path === apiPrefix || path.startsWith(`${apiPrefix}/`) ? path.slice(apiPrefix.length) : undefined
}

/** Strava's rate limits exempt only uploads from the "non-upload" (read) limit. */
const isUpload = (method: string | undefined, path: string) =>
  method === 'POST' && /^\/(uploads|activities)\/?$|^\/activities\/\d+\/media/.test(path)

export async function startStravaEmulator(options: EmulatorOptions = {}): Promise<StravaEmulator> {
  const now = options.now ?? Date.now
  const clients = options.clients?.length ? options.clients : [defaultClient]
  const tokens = new TokenStore(
    now,
    options.tokenLifetimeSeconds ?? defaultTokenLifetimeSeconds,
    options.rotateRefreshTokens ?? true,
    options.reuseLiveAccessTokens ?? true,
  )
  const limiter = new RateLimiter(now)
  const athlete = structuredClone(demoAthlete)
  const endpoints: EmulatorEndpoints = {
    revoke: true,
    deauthorize: true,
    legacyApiHost: true,
    nextApiHost: true,
    tokenParams: true,
    ...options.endpoints,
  }
  const switches = {
    tokenScopeSeparator: options.tokenScopeSeparator,
    rememberApprovals: options.rememberApprovals ?? false,
    rateLimitHeaderCase: options.rateLimitHeaderCase ?? 'canonical',
    rateLimitBody: options.rateLimitBody ?? 'list',
  }
  const oauth: OAuthContext = {clients, tokens, athlete, autoApprove: options.autoApprove ?? false, switches}
  const api = {athlete, activities: [] as StoredActivity[], shortPages: options.shortPages ?? false}
  const faults: EmulatorFault[] = []
  const requests: RequestLogEntry[] = []
  const closing = new AbortController()
  let nextActivityId = 10_000_000_001n

  const render = (list: EmulatorActivity[]) =>
    list.map((activity) => {
      if (activity.id !== undefined && !/^\d+$/.test(activity.id)) {
        throw new Error(`Activity id must be decimal digits, got ${JSON.stringify(activity.id)}`)
      }

      return renderActivity(activity, activity.id ? BigInt(activity.id) : nextActivityId++, athlete.id as number)
    })

  function takeFault(path: string): EmulatorFault | undefined {
    const index = faults.findIndex((fault) => path.startsWith(fault.match ?? ''))
    if (index === -1) return undefined
    const fault = faults[index]
    const times = (fault.times ?? 1) - 1
    if (times <= 0) faults.splice(index, 1)
    else faults[index] = {...fault, times}
    return fault
  }

  /** Answers that replace the normal one; `slow` and `truncated` wrap it instead. */
  function faultResponse(fault: EmulatorFault): EmulatorResponse | undefined {
    switch (fault.kind) {
      case 'status': {
        if (typeof fault.body === 'string') return {status: fault.status, headers: {}, body: fault.body}
        return json(fault.status, fault.body ?? {message: STATUS_CODES[fault.status] ?? 'Error', errors: []})
      }

      case 'inactive':
        return applicationInactive()
      case 'rateLimited':
        return rateLimitExceeded(switches.rateLimitBody)
      default:
        return undefined
    }
  }

  function routeApi(request: IncomingMessage, path: string, url: URL, params: Map<string, string>): EmulatorResponse {
    // Every API request counts against the limits and every answer carries the usage headers.
    if (!limiter.take(!isUpload(request.method, path)))
      return withRateHeaders(rateLimitExceeded(switches.rateLimitBody))
    // Until 1 June 2027 Strava also reads `access_token` from the query or form; from then on headers only.
    const presented =
      bearerToken(request.headers.authorization) ?? (endpoints.tokenParams ? params.get('access_token') : undefined)
    const grant = tokens.authenticate(presented ?? '')
    const response = request.method === 'GET' ? apiRoute(api, path, url.searchParams, grant) : recordNotFound()
    return withRateHeaders(response)
  }

  async function route(
    request: IncomingMessage,
    url: URL,
    params: Map<string, string>,
    host: Host,
  ): Promise<EmulatorResponse> {
    const {method} = request
    const path = url.pathname
    const api = apiPath(host, path)
    if (api !== undefined)
      return host === 'legacy' && !endpoints.legacyApiHost ? recordNotFound() : routeApi(request, api, url, params)
    if (path === '/oauth/authorize' && method === 'GET') return authorizePage(oauth, params)
    if (path === '/oauth/authorize' && method === 'POST') return authorizeDecision(oauth, params)
    if (path === '/oauth/token' && method === 'POST') return token(oauth, params)
    if (path === '/oauth/deauthorize' && method === 'POST' && endpoints.deauthorize)
      return deauthorize(oauth, params, request.headers.authorization)
    if (path === '/oauth/revoke' && method === 'POST' && endpoints.revoke)
      return revoke(oauth, params, request.headers.authorization)
    return recordNotFound()
  }

  const withRateHeaders = (response: EmulatorResponse, pinned?: 'short' | 'daily'): EmulatorResponse => ({
    ...response,
    headers: {...response.headers, ...limiter.headers(pinned, switches.rateLimitHeaderCase)},
  })

  async function handle(request: IncomingMessage, response: ServerResponse, host: Host): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1')
    const body = request.method === 'POST' ? await readBody(request) : ''
    const params = parseParams(url.searchParams, request.headers['content-type'], body)
    const entry: RequestLogEntry = {
      method: request.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      status: 0,
      at: now(),
      host,
      params: [...params.keys()].sort(),
    }
    const scheme = /^(\S+)\s/.exec(request.headers.authorization ?? '')?.[1]
    if (scheme) entry.authorization = scheme
    if (url.pathname === '/oauth/token') entry.grantType = params.get('grant_type')
    requests.push(entry)

    const fault = takeFault(url.pathname)
    if (fault?.kind === 'reset') {
      request.socket.destroy()
      return
    }

    if (fault?.kind === 'slow') await delay(fault.delayMs, undefined, {signal: closing.signal})
    const replaced = fault && faultResponse(fault)
    let answer: EmulatorResponse
    if (replaced) {
      const isApi = apiPath(host, url.pathname) !== undefined
      const pinned = fault.kind === 'rateLimited' ? fault.window : undefined
      answer = isApi || pinned ? withRateHeaders(replaced, pinned) : replaced
    } else {
      answer = await route(request, url, params, host)
    }

    // A cut-off body with a matching Content-Length: the HTTP exchange completes, the JSON does not parse.
    if (fault?.kind === 'truncated') answer = {...answer, body: answer.body.slice(0, Math.ceil(answer.body.length / 2))}
    entry.status = answer.status
    response.writeHead(answer.status, {...answer.headers, 'content-length': Buffer.byteLength(answer.body)})
    response.end(answer.body)
  }

  if ((options.seed ?? 'demo') === 'demo') api.activities = render(demoActivities())

  const serve = (host: Host) =>
    createServer((request, response) => {
      handle(request, response, host).catch((error: unknown) => {
        if (closing.signal.aborted) return
        if (!response.headersSent) response.writeHead(500, {'content-type': 'application/json'})
        response.end(JSON.stringify({message: 'Internal Server Error', errors: [{detail: String(error)}]}))
      })
    })
  const listen = (server: Server, port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject)
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject)
        resolve((server.address() as AddressInfo).port)
      })
    })
  const stop = (server: Server) =>
    new Promise<void>((resolve, reject) => {
      if (!server.listening) return resolve()
      server.close((error) => (error ? reject(error) : resolve()))
      server.closeAllConnections()
    })

  const server = serve('legacy')
  // The new API host: a second listener, so a client sees a different origin (and a refused connection when off).
  const nextServer = serve('next')
  const url = `http://127.0.0.1:${await listen(server, options.port ?? 0)}`
  const nextPort = await listen(nextServer, 0)
  if (!endpoints.nextApiHost) await stop(nextServer)

  return {
    url,
    oauthUrl: `${url}/oauth`,
    apiUrl: `${url}${apiPrefix}`,
    nextApiUrl: `http://127.0.0.1:${nextPort}`,
    client: clients[0],
    athlete,
    requests,
    clearRequests: () => void requests.splice(0),
    setActivities: (list) => void (api.activities = render(list)),
    addActivities: (list) => void api.activities.push(...render(list)),
    makeActivities,
    issueTokens({scope = 'read,activity:read_all', clientId = clients[0].id} = {}) {
      const {accessToken, refreshToken, expiresAt} = tokens.issue({clientId, scopes: scope.split(/[\s,]+/)})
      return {accessToken, refreshToken, expiresAt}
    },
    expireAccessTokens: () => tokens.expireAll(),
    setTokenLifetime: (seconds) => void (tokens.lifetimeSeconds = seconds),
    setRotation: (on) => void (tokens.rotate = on),
    async setEndpoints(changes) {
      Object.assign(endpoints, changes)
      if (endpoints.nextApiHost && !nextServer.listening) await listen(nextServer, nextPort)
      if (!endpoints.nextApiHost) await stop(nextServer)
    },
    configure(changes) {
      if (changes.reuseLiveAccessTokens !== undefined) tokens.reuseLiveAccessTokens = changes.reuseLiveAccessTokens
      if (changes.shortPages !== undefined) api.shortPages = changes.shortPages
      if ('tokenScopeSeparator' in changes) switches.tokenScopeSeparator = changes.tokenScopeSeparator
      if (changes.rememberApprovals !== undefined) switches.rememberApprovals = changes.rememberApprovals
      if (changes.rateLimitHeaderCase) switches.rateLimitHeaderCase = changes.rateLimitHeaderCase
      if (changes.rateLimitBody) switches.rateLimitBody = changes.rateLimitBody
    },
    setRateLimits({overall, read}) {
      if (overall) limiter.overall = overall
      if (read) limiter.read = read
    },
    inject: (fault) => void faults.push(fault),
    async close() {
      closing.abort()
      await Promise.all([stop(server), stop(nextServer)])
    },
  }
}
