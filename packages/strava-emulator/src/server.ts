// The HTTP listeners: each request is logged, meets any injected fault, is routed, and its answer
// written with an exact Content-Length. Both hosts (old and new API host) share one state.
import {type IncomingMessage, type Server, type ServerResponse, createServer} from 'node:http'
import type {AddressInfo} from 'node:net'
import {setTimeout as delay} from 'node:timers/promises'
import {faultResponse, takeFault, truncated} from './faults.js'
import {type EmulatorResponse, parseParams, readBody} from './http.js'
import {type Host, apiPath, route, withRateHeaders} from './routes.js'
import type {EmulatorState} from './state.js'
import type {EmulatorFault, RequestLogEntry} from './types.js'

/** The log entry of a request: parameter names and the authorization scheme, never their values. */
function logEntry(request: IncomingMessage, url: URL, params: Map<string, string>, host: Host, at: number) {
  const entry: RequestLogEntry = {
    method: request.method ?? 'GET',
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    status: 0,
    at,
    host,
    params: [...params.keys()].sort(),
  }
  const scheme = /^(\S+)\s/.exec(request.headers.authorization ?? '')?.[1]
  if (scheme) entry.authorization = scheme
  if (url.pathname === '/oauth/token') entry.grantType = params.get('grant_type')
  return entry
}

/**
 * The answer to a request, given the fault it met (if any). Faults that replace the answer are decided
 * before the handler runs, so they use up no code or refresh token.
 */
async function answer(
  state: EmulatorState,
  request: IncomingMessage,
  url: URL,
  params: Map<string, string>,
  host: Host,
  fault: EmulatorFault | undefined,
): Promise<EmulatorResponse> {
  if (fault?.kind === 'slow') await delay(fault.delayMs, undefined, {signal: state.closing.signal})
  const replaced = fault && faultResponse(fault, state.switches.rateLimitBody)
  if (!replaced) return route(state, request, url, params, host)
  const isApi = apiPath(host, url.pathname) !== undefined
  const pinned = fault.kind === 'rateLimited' ? fault.window : undefined
  return isApi || pinned ? withRateHeaders(state, replaced, pinned) : replaced
}

async function handle(state: EmulatorState, request: IncomingMessage, response: ServerResponse, host: Host) {
  const url = new URL(request.url ?? '/', 'http://127.0.0.1')
  const body = request.method === 'POST' ? await readBody(request) : ''
  const params = parseParams(url.searchParams, request.headers['content-type'], body)
  const entry = logEntry(request, url, params, host, state.now())
  state.requests.push(entry)

  const fault = takeFault(state.faults, url.pathname)
  if (fault?.kind === 'reset') {
    request.socket.destroy()
    return
  }

  let sent = await answer(state, request, url, params, host, fault)
  if (fault?.kind === 'truncated') sent = truncated(sent)
  entry.status = sent.status
  response.writeHead(sent.status, {...sent.headers, 'content-length': Buffer.byteLength(sent.body)})
  response.end(sent.body)
}

/** A listener for one host; an unexpected error is a 500 with Strava's body shape, unless closing cut it off. */
export const serve = (state: EmulatorState, host: Host) =>
  createServer((request, response) => {
    handle(state, request, response, host).catch((error: unknown) => {
      if (state.closing.signal.aborted) return
      if (!response.headersSent) response.writeHead(500, {'content-type': 'application/json'})
      response.end(JSON.stringify({message: 'Internal Server Error', errors: [{detail: String(error)}]}))
    })
  })

/** Listens on 127.0.0.1 and resolves with the port (a free one for port 0). */
export const listen = (server: Server, port: number) =>
  new Promise<number>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject)
      resolve((server.address() as AddressInfo).port)
    })
  })

/** Stops listening and drops open connections (keep-alive ones too), so close() never waits on a client. */
export const stop = (server: Server) =>
  new Promise<void>((resolve, reject) => {
    if (!server.listening) return resolve()
    server.close((error) => (error ? reject(error) : resolve()))
    server.closeAllConnections()
  })
