import {createServer, type IncomingMessage} from 'node:http'
import type {AddressInfo} from 'node:net'

/** One request as the fake server saw it. */
export interface RecordedRequest {
  method: string
  path: string
  query: URLSearchParams
  headers: IncomingMessage['headers']
  body: string
  form: URLSearchParams
}

export type FakeAnswer = {status: number; body?: unknown; headers?: Record<string, string>} | 'hang' | 'reset'
export type FakeHandler = (request: RecordedRequest) => FakeAnswer

export interface FakeOAuthServer {
  url: string
  requests: RecordedRequest[]
  handle: (path: string, handler: FakeHandler) => void
  close(): Promise<void>
}

/**
 * A tiny authorization server stand-in on 127.0.0.1: every request is recorded, and each path
 * answers with what the test registered (404 otherwise). `/authorize` and `/oauth/authorize` by default redirects back at
 * once with a code, the requested state and the requested scope, like a user who clicks Authorize.
 */
export async function startFakeOAuthServer(): Promise<FakeOAuthServer> {
  const requests: RecordedRequest[] = []
  const handlers = new Map<string, FakeHandler>()
  const approve = redirectBack((request) => ({
    code: 'fake-authorization-code',
    scope: request.query.get('scope') ?? '',
  }))
  // Generic servers and the Strava preset (`${url}/oauth`) alike.
  handlers.set('/authorize', approve)
  handlers.set('/oauth/authorize', approve)

  const server = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      const url = new URL(request.url ?? '/', 'http://127.0.0.1')
      const body = Buffer.concat(chunks).toString('utf8')
      const recorded: RecordedRequest = {
        method: request.method ?? '',
        path: url.pathname,
        query: url.searchParams,
        headers: request.headers,
        body,
        form: new URLSearchParams(body),
      }
      requests.push(recorded)
      const answer = handlers.get(url.pathname)?.(recorded) ?? {status: 404, body: {message: 'Not Found'}}
      if (answer === 'hang') return
      if (answer === 'reset') {
        request.socket.destroy()
        return
      }
      response.writeHead(answer.status, {'content-type': 'application/json', ...answer.headers})
      response.end(answer.body === undefined ? '' : JSON.stringify(answer.body))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    url,
    requests,
    handle: (path, handler) => handlers.set(path, handler),
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}

/** An authorization endpoint that redirects back at once with the request's `state` and `params`. */
export function redirectBack(
  params: Record<string, string> | ((request: RecordedRequest) => Record<string, string>),
): FakeHandler {
  return (request) => {
    const redirect = new URL(request.query.get('redirect_uri') ?? '')
    const extra = typeof params === 'function' ? params(request) : params
    redirect.search = new URLSearchParams({state: request.query.get('state') ?? '', ...extra}).toString()
    return {status: 302, headers: {location: redirect.toString()}}
  }
}

/** A Strava-like successful token response. */
export function tokenResponse(overrides: Record<string, unknown> = {}): {
  status: number
  body: Record<string, unknown>
} {
  return {
    status: 200,
    body: {
      token_type: 'Bearer',
      access_token: 'fake-access-token',
      expires_at: 1_900_000_000,
      expires_in: 21_600,
      refresh_token: 'fake-refresh-token',
      ...overrides,
    },
  }
}

/** Resolves when a TCP connect to the port is refused, i.e. nothing listens there any more. */
export async function connectRefused(port: number): Promise<boolean> {
  const {connect} = await import('node:net')
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    socket.once('connect', () => {
      socket.destroy()
      resolve(false)
    })
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'))
  })
}
