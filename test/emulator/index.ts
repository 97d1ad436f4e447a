// A local stand-in for Strava (OAuth under /oauth, API under /api/v3) on 127.0.0.1, for tests and the
// demo. It follows Strava's documented behaviour and the published spec in ../shared/strava-api/;
// each module cites the behaviour it copies. Switches (clock, token lifetime, rotation, rate limits,
// injected faults) and a request log let tests provoke and observe what Strava would do.
import {type IncomingMessage, type ServerResponse, STATUS_CODES, createServer} from 'node:http'
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
import type {EmulatorActivity, EmulatorFault, EmulatorOptions, RequestLogEntry, StravaEmulator} from './types.js'

export type * from './types.js'
export {makeActivities} from './activities.js'
export {bigActivityId} from './seed.js'

export const defaultClient = {id: '12345', secret: 'emulator-client-secret', name: 'weeknotes emulator app'}
/** Strava's access token lifetime: 6 hours. */
const defaultTokenLifetimeSeconds = 21_600
const apiPrefix = '/api/v3'

export async function startStravaEmulator(options: EmulatorOptions = {}): Promise<StravaEmulator> {
  const now = options.now ?? Date.now
  const clients = options.clients?.length ? options.clients : [defaultClient]
  const tokens = new TokenStore(
    now,
    options.tokenLifetimeSeconds ?? defaultTokenLifetimeSeconds,
    options.rotateRefreshTokens ?? true,
  )
  const limiter = new RateLimiter(now)
  const athlete = structuredClone(demoAthlete)
  const oauth: OAuthContext = {clients, tokens, athlete, autoApprove: options.autoApprove ?? false}
  const api = {athlete, activities: [] as StoredActivity[]}
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
        return rateLimitExceeded()
      default:
        return undefined
    }
  }

  async function route(request: IncomingMessage, url: URL, params: Map<string, string>): Promise<EmulatorResponse> {
    const {method} = request
    const path = url.pathname
    if (path === apiPrefix || path.startsWith(`${apiPrefix}/`)) {
      // Every API request counts against the limits and every answer carries the usage headers.
      if (!limiter.take(method === 'GET')) return withRateHeaders(rateLimitExceeded())
      const grant = tokens.authenticate(bearerToken(request.headers.authorization) ?? '')
      const response =
        method === 'GET' ? apiRoute(api, path.slice(apiPrefix.length), url.searchParams, grant) : recordNotFound()
      return withRateHeaders(response)
    }

    if (path === '/oauth/authorize' && method === 'GET') return authorizePage(oauth, params)
    if (path === '/oauth/authorize' && method === 'POST') return authorizeDecision(oauth, params)
    if (path === '/oauth/token' && method === 'POST') return token(oauth, params)
    if (path === '/oauth/deauthorize' && method === 'POST')
      return deauthorize(oauth, params, request.headers.authorization)
    if (path === '/oauth/revoke' && method === 'POST') return revoke(oauth, params)
    return recordNotFound()
  }

  const withRateHeaders = (response: EmulatorResponse, pinned?: 'short' | 'daily'): EmulatorResponse => ({
    ...response,
    headers: {...response.headers, ...limiter.headers(pinned)},
  })

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1')
    const body = request.method === 'POST' ? await readBody(request) : ''
    const params = parseParams(url.searchParams, request.headers['content-type'], body)
    const entry: RequestLogEntry = {
      method: request.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      status: 0,
      at: now(),
    }
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
      const isApi = url.pathname.startsWith(apiPrefix)
      const pinned = fault.kind === 'rateLimited' ? fault.window : undefined
      answer = isApi || pinned ? withRateHeaders(replaced, pinned) : replaced
    } else {
      answer = await route(request, url, params)
    }

    // A cut-off body with a matching Content-Length: the HTTP exchange completes, the JSON does not parse.
    if (fault?.kind === 'truncated') answer = {...answer, body: answer.body.slice(0, Math.ceil(answer.body.length / 2))}
    entry.status = answer.status
    response.writeHead(answer.status, {...answer.headers, 'content-length': Buffer.byteLength(answer.body)})
    response.end(answer.body)
  }

  if ((options.seed ?? 'demo') === 'demo') api.activities = render(demoActivities())

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (closing.signal.aborted) return
      if (!response.headersSent) response.writeHead(500, {'content-type': 'application/json'})
      response.end(JSON.stringify({message: 'Internal Server Error', errors: [{detail: String(error)}]}))
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve())
  })
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

  return {
    url,
    oauthUrl: `${url}/oauth`,
    apiUrl: `${url}${apiPrefix}`,
    client: clients[0],
    athlete,
    requests,
    clearRequests: () => void requests.splice(0),
    setActivities: (list) => void (api.activities = render(list)),
    addActivities: (list) => void api.activities.push(...render(list)),
    makeActivities,
    issueTokens({scope = 'read,activity:read_all', clientId = clients[0].id} = {}) {
      const {accessToken, refreshToken, expiresAt} = tokens.issue({clientId, scopes: scope.split(',')})
      return {accessToken, refreshToken, expiresAt}
    },
    expireAccessTokens: () => tokens.expireAll(),
    setTokenLifetime: (seconds) => void (tokens.lifetimeSeconds = seconds),
    setRotation: (on) => void (tokens.rotate = on),
    setRateLimits({overall, read}) {
      if (overall) limiter.overall = overall
      if (read) limiter.read = read
    },
    inject: (fault) => void faults.push(fault),
    close: () =>
      new Promise<void>((resolve, reject) => {
        closing.abort()
        server.close((error) => (error ? reject(error) : resolve()))
        server.closeAllConnections()
      }),
  }
}
