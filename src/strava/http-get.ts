// A GET over node:http(s), for the Strava client. Not the global `fetch`: its first use loads undici and
// compiles undici's WebAssembly HTTP parser, measured at ~0.07 s of a ~0.35 s `weeknotes generate`.
import type {IncomingHttpHeaders} from 'node:http'

import {transportFor} from '../http/keep-alive.js'

export interface HttpAnswer {
  status: number
  statusText: string
  ok: boolean
  /** Case-insensitive like the Fetch API's Headers.get; a repeated header's values joined with ', '. */
  headers: {get(name: string): string | null}
  body: string
}

function headerReader(headers: IncomingHttpHeaders): HttpAnswer['headers'] {
  return {
    get(name) {
      const value = headers[name.toLowerCase()]
      return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value
    },
  }
}

/** A body larger than the caller's cap: the server is broken or hostile, and reading on would only fill memory. */
export class ResponseTooLargeError extends Error {
  readonly code = 'ERESPONSETOOLARGE'
  constructor(readonly maxBytes: number) {
    super(`the answer was larger than ${maxBytes} bytes`)
    this.name = 'ResponseTooLargeError'
  }
}

/**
 * Rejects with the system error (its `code`: ECONNRESET, ECONNREFUSED...) when the connection fails or the
 * body is cut off, with an AbortError or TimeoutError when `signal` fires, and with a ResponseTooLargeError
 * as soon as the body (announced or received) exceeds `maxBytes`.
 */
export async function httpGet(
  url: string,
  headers: Record<string, string>,
  signal: AbortSignal,
  maxBytes = Number.POSITIVE_INFINITY,
): Promise<HttpAnswer> {
  const target = new URL(url)
  const fail = (error: Error) => (signal.aborted && signal.reason instanceof Error ? signal.reason : error)
  const send = await transportFor(target, signal).catch((error: Error) => Promise.reject(fail(error)))
  return new Promise((resolve, reject) => {
    const outgoing = send(target, {headers, signal}, (response) => {
      const chunks: Buffer[] = []
      let received = 0
      const tooLarge = () => {
        reject(new ResponseTooLargeError(maxBytes))
        response.destroy()
        outgoing.destroy()
      }

      if (Number(response.headers['content-length'] ?? 0) > maxBytes) return tooLarge()
      response.on('data', (chunk: Buffer) => {
        received += chunk.length
        if (received > maxBytes) tooLarge()
        else chunks.push(chunk)
      })
      response.on('error', reject)
      response.on('end', () => {
        const status = response.statusCode ?? 0
        resolve({
          status,
          statusText: response.statusMessage ?? '',
          ok: status >= 200 && status < 300,
          headers: headerReader(response.headers),
          body: Buffer.concat(chunks).toString('utf8'),
        })
      })
    })
    outgoing.on('error', (error: Error) => reject(fail(error)))
    outgoing.end()
  })
}
