import type {ServerResponse} from 'node:http'

/**
 * Answers 200 with `prefix` and then spaces for as long as the client reads: a body that never ends, as
 * a broken or hostile server sends. Returns the number of bytes written so far.
 */
export function sendEndlessBody(response: ServerResponse, prefix: string): () => number {
  let sent = 0
  response.writeHead(200, {'content-type': 'application/json'})
  const chunk = Buffer.alloc(64 * 1024, 0x20)
  const pump = () => {
    while (!response.destroyed && response.write(chunk)) sent += chunk.length
    if (!response.destroyed) response.once('drain', pump)
  }

  response.write(prefix)
  pump()
  return () => sent
}
