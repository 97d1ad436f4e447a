import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http'
import type {AddressInfo} from 'node:net'

import {AuthUsageError} from './errors.js'
import {failurePage, fragmentRelayPage, notFoundPage, successPage, wrongStatePage} from './pages.js'
import {randomBase64Url} from './random.js'
import {interpretRedirect, type RedirectOutcome} from './redirect.js'

/** A redirect that answers this attempt: a code, an implicit-grant token, or the server's error. */
export type AcceptedRedirect = Exclude<RedirectOutcome, {kind: 'foreign'} | {kind: 'incomplete'}>

export interface LoopbackReceiverOptions {
  expectedState: string
  /** Host written in the redirect URI; the server binds 127.0.0.1 either way. Default 127.0.0.1. */
  redirectHost?: '127.0.0.1' | 'localhost'
  /** 0 or absent: a free port chosen by the OS. */
  port?: number
  providerName?: string
  /** The CLI, named on the result pages. Default 'the CLI'. */
  appName?: string
  /** What to run to log in again, in the messages of a refused answer. */
  loginCommand?: string
  /** RFC 9207: the expected `iss` of the redirect, when the provider names one. */
  issuer?: string
  /** Implicit grant: also accept the URL fragment relayed by the callback page. */
  implicit?: boolean
}

const CALLBACK_PATH = '/callback'
const FRAGMENT_PATH = '/callback/fragment'
const BIND_ADDRESS = '127.0.0.1'
const MAX_FRAGMENT_BYTES = 16 * 1024

/**
 * The RFC 8252 §7.3 loopback redirect receiver: an HTTP server on 127.0.0.1 that waits for the one
 * callback whose `state` matches, shows a result page, and closes itself. Callbacks with a wrong or
 * missing state get a 400 page and change nothing.
 */
export class LoopbackReceiver {
  readonly port: number
  readonly redirectUri: string
  /** Settles once, with the first callback that carries the expected state. */
  readonly callback: Promise<AcceptedRedirect>

  private closing?: Promise<void>
  private accepted = false
  private resolveCallback!: (redirect: AcceptedRedirect) => void

  private constructor(
    private readonly server: Server,
    private readonly options: LoopbackReceiverOptions,
  ) {
    this.port = (server.address() as AddressInfo).port
    this.redirectUri = `http://${options.redirectHost ?? BIND_ADDRESS}:${this.port}${CALLBACK_PATH}`
    this.callback = new Promise((resolve) => (this.resolveCallback = resolve))
    server.on('request', (request, response) => this.handle(request, response))
  }

  static async start(options: LoopbackReceiverOptions): Promise<LoopbackReceiver> {
    const server = createServer()
    const port = options.port ?? 0
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) => reject(portError(error, port)))
      server.listen(port, BIND_ADDRESS, () => resolve())
    })
    return new LoopbackReceiver(server, options)
  }

  /** Stops listening and drops open connections (browsers keep some alive), so no handle is left. */
  close(): Promise<void> {
    this.closing ??= new Promise((resolve) => {
      this.server.close(() => resolve())
      this.server.closeAllConnections()
    })
    return this.closing
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    // URL.parse, not new URL: a request line such as `GET http://[ HTTP/1.1` would otherwise throw
    // here, outside any promise, and crash the login.
    const url = URL.parse(request.url ?? '/', `http://${BIND_ADDRESS}`)
    const appName = this.options.appName ?? 'the CLI'
    if (!url) return send(response, 404, notFoundPage())
    if (request.method === 'GET' && url.pathname === CALLBACK_PATH) {
      if (this.options.implicit && url.search === '') {
        const nonce = randomBase64Url(16)
        send(response, 200, fragmentRelayPage(appName, nonce), `script-src 'nonce-${nonce}'; connect-src 'self'`)
        return
      }
      this.answer(url.searchParams, response)
      return
    }

    if (this.options.implicit && request.method === 'POST' && url.pathname === FRAGMENT_PATH) {
      readBody(request, MAX_FRAGMENT_BYTES).then(
        (body) => this.answer(new URLSearchParams(body), response),
        () => send(response, 413, failurePage(appName, 'The relayed answer was too large.')),
      )
      return
    }

    send(response, 404, notFoundPage())
  }

  private answer(params: URLSearchParams, response: ServerResponse): void {
    const appName = this.options.appName ?? 'the CLI'
    if (this.accepted) {
      send(response, 409, failurePage(appName, 'This login has already finished.'))
      return
    }
    const outcome = interpretRedirect(params, this.options.expectedState, {
      providerName: this.options.providerName ?? 'The authorization server',
      implicit: this.options.implicit,
      issuer: this.options.issuer,
      loginCommand: this.options.loginCommand,
    })
    if (outcome.kind === 'foreign') {
      send(response, 400, wrongStatePage(appName))
      return
    }
    if (outcome.kind === 'incomplete') {
      send(response, 400, failurePage(appName, 'The answer carried neither an authorization code nor an error.'))
      return
    }

    this.accepted = true
    const page = outcome.kind === 'error' ? failurePage(appName, outcome.error.message) : successPage(appName)
    response.once('close', () => void this.close())
    send(response, outcome.kind === 'error' ? 400 : 200, page)
    this.resolveCallback(outcome)
  }
}

function send(response: ServerResponse, status: number, html: string, extraPolicy = ''): void {
  response.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'close',
    // The callback URL carries the code: keep it out of Referer headers and caches.
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
    'content-security-policy': `default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'${extraPolicy ? `; ${extraPolicy}` : ''}`,
  })
  response.end(html)
}

function readBody(request: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    request.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > limit) {
        reject(new Error('body too large'))
        request.destroy()
        return
      }
      chunks.push(chunk)
    })
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    request.on('error', reject)
  })
}

function portError(error: NodeJS.ErrnoException, port: number): Error {
  if (error.code === 'EADDRINUSE') {
    return new AuthUsageError(
      `Port ${port} on ${BIND_ADDRESS} is already in use, so the login cannot receive the browser's answer there. Choose another --port, or leave --port out to use a free one.`,
    )
  }
  if (error.code === 'EACCES') {
    return new AuthUsageError(
      `Port ${port} on ${BIND_ADDRESS} may not be opened by this user. Choose a --port above 1023.`,
    )
  }
  return error
}
