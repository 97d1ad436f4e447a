// The run's one connection pool: one connection per host, shared by the token endpoint, revocation and
// the Strava API, so a run pays TCP and TLS set-up once instead of per request (2 of the 3 round trips
// of each request at Strava's distance). Over HTTPS it offers HTTP/2 first: requests sent together (a
// profile beside the first page, two pages at a time) then share that one connection; a server that
// answers only HTTP/1.1 gets the same connection kept alive, one request at a time.
// Neutral ground: the Strava client imports it, and commands hand `postForm` to the auth plugin, which
// imports nothing outside itself.
import type {IncomingHttpHeaders, IncomingMessage} from 'node:http'
import type {ClientHttp2Session} from 'node:http2'
import {createRequire} from 'node:module'
import type {TLSSocket} from 'node:tls'

// Through `require`, not `import`: the ESM facade of node:http reads every export, and its WebSocket,
// CloseEvent and MessageEvent getters load undici (~0.05 s), as global `fetch` would.
const requireBuiltin = createRequire(import.meta.url) as <T>(id: string) => T

/** What a request's answer looks like, over either protocol: IncomingMessage's fields and events. */
export interface Answer extends NodeJS.ReadableStream {
  statusCode?: number
  statusMessage?: string
  headers: IncomingHttpHeaders
  destroy(error?: Error): void
}

export interface Outgoing {
  on(event: 'error', listener: (error: Error) => void): unknown
  end(body?: string): unknown
  destroy(error?: Error): unknown
}

export interface RequestOptions {
  method?: string
  headers: Record<string, string>
  signal: AbortSignal
}

export type Send = (target: URL, options: RequestOptions, onAnswer: (answer: Answer) => void) => Outgoing

/** The HTTP/2 flow-control window per stream and for the connection (see http2()). */
const RECEIVE_WINDOW_BYTES = 16 * 1024 * 1024

const transports = new Map<string, Promise<Send>>()
const sessions = new Map<string, ClientHttp2Session>()
const multiplexing = new WeakSet<Send>()

/**
 * How to send to `url`'s origin, set up on first use and kept for the run. Rejects with the connection's
 * error (ECONNREFUSED, ENOTFOUND, a certificate error...) when a new connection fails; the next call tries
 * again. Idle connections never keep the process alive.
 */
export function transportFor(url: URL, signal: AbortSignal): Promise<Send> {
  let transport = transports.get(url.origin)
  if (!transport) {
    transport = url.protocol === 'https:' ? negotiate(url, signal) : Promise.resolve(http1(url.protocol))
    transports.set(url.origin, transport)
    transport.catch(() => transports.delete(url.origin))
  }

  return transport
}

/** HTTP/1.1 through a keep-alive agent with one socket: a second one costs more round trips than waiting. */
function http1(protocol: string, firstSocket?: TLSSocket): Send {
  const module = requireBuiltin<typeof import('node:http')>(protocol === 'https:' ? 'node:https' : 'node:http')
  // The agent unrefs idle sockets, so a kept-alive connection does not hold the process open.
  const agent = new module.Agent({keepAlive: true, maxSockets: 1})
  if (firstSocket) {
    // The connection that negotiated HTTP/1.1 is the agent's first socket, not a second one.
    const create = agent.createConnection.bind(agent)
    let handOver: TLSSocket | undefined = firstSocket
    agent.createConnection = (...args) => {
      const socket = handOver ?? create(...args)
      handOver = undefined
      return socket
    }
  }

  return (target, options, onAnswer) =>
    module.request(target, {...options, agent}, (answer: IncomingMessage) => onAnswer(answer))
}

/** Connects with ALPN offering h2 and http/1.1, and sends over whichever the server chose. */
async function negotiate(url: URL, signal: AbortSignal): Promise<Send> {
  const tls = requireBuiltin<typeof import('node:tls')>('node:tls')
  const {isIP} = requireBuiltin<typeof import('node:net')>('node:net')
  const socket = tls.connect({
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: Number(url.port || 443),
    servername: isIP(url.hostname) ? undefined : url.hostname,
    ALPNProtocols: ['h2', 'http/1.1'],
  })
  const abandon = () => socket.destroy(signal.reason instanceof Error ? signal.reason : undefined)
  signal.addEventListener('abort', abandon, {once: true})
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('secureConnect', resolve)
      socket.once('error', reject)
    })
  } finally {
    signal.removeEventListener('abort', abandon)
  }

  return socket.alpnProtocol === 'h2' ? http2(url, socket) : http1('https:', socket)
}

function http2(url: URL, socket: TLSSocket): Send {
  const {connect} = requireBuiltin<typeof import('node:http2')>('node:http2')
  // HTTP/2's default flow-control window (64 KiB, per stream and per connection) lets a server send that much
  // before the client's acknowledgement comes back: a page of 200 activities (about 200 KB, up to ~1.8 MB with
  // polylines) would take a round trip per 64 KiB. Windows as large as the largest answer read take one.
  const session: ClientHttp2Session = connect(url.origin, {
    createConnection: () => socket,
    settings: {initialWindowSize: RECEIVE_WINDOW_BYTES},
  })
  session.setLocalWindowSize(RECEIVE_WINDOW_BYTES)
  // A session that fails or is closed by the server is set up anew by the next request.
  sessions.set(url.origin, session)
  const forget = () => {
    if (sessions.get(url.origin) !== session) return
    sessions.delete(url.origin)
    transports.delete(url.origin)
  }
  session.on('error', forget)
  session.on('close', forget)
  session.on('goaway', forget)
  let open = 0
  session.unref()
  const send: Send = (target, options, onAnswer) => {
    const headers: Record<string, string> = {}
    for (const [name, value] of Object.entries(options.headers)) headers[name.toLowerCase()] = value
    const stream = session.request(
      {...headers, ':method': options.method ?? 'GET', ':path': target.pathname + target.search},
      {signal: options.signal},
    )
    // Held open while a request is under way, and only then.
    if (open++ === 0) session.ref()
    stream.on('close', () => --open === 0 && session.unref())
    stream.on('response', (headers) => {
      onAnswer(Object.assign(stream, {statusCode: Number(headers[':status']), statusMessage: '', headers}))
    })
    return stream
  }

  multiplexing.add(send)
  return send
}

/**
 * Whether requests to `url`'s origin travel together on one connection (HTTP/2): then sending two at once
 * saves a round trip; over HTTP/1.1 the second would only wait for the first. False when it cannot connect.
 */
export async function sendsTogether(url: URL, signal: AbortSignal): Promise<boolean> {
  return transportFor(url, signal).then(
    (send) => multiplexing.has(send),
    () => false,
  )
}

export interface FormAnswer {
  status: number
  text(): Promise<string>
  /** The body as a stream, for readers that stop at a size limit. */
  body: AsyncIterable<Uint8Array>
}

/** A POST through the run's pool, in the shape of the `fetch` subset the auth plugin's token client takes. */
export async function postForm(
  url: string,
  init: {method: 'POST'; headers: Record<string, string>; body: string; signal: AbortSignal},
): Promise<FormAnswer> {
  const target = new URL(url)
  const fail = (error: Error) => (init.signal.aborted ? init.signal.reason : error)
  const send = await transportFor(target, init.signal).catch((error: Error) => Promise.reject(fail(error)))
  return new Promise((resolve, reject) => {
    const outgoing = send(target, {method: 'POST', headers: init.headers, signal: init.signal}, (answer) =>
      resolve(formAnswer(answer)),
    )
    outgoing.on('error', (error: Error) => reject(fail(error)))
    outgoing.end(init.body)
  })
}

function formAnswer(answer: Answer): FormAnswer {
  return {
    status: answer.statusCode ?? 0,
    body: answer as AsyncIterable<Buffer>,
    async text() {
      const chunks: Buffer[] = []
      for await (const chunk of answer as AsyncIterable<Buffer>) chunks.push(chunk)
      return Buffer.concat(chunks).toString('utf8')
    },
  }
}
