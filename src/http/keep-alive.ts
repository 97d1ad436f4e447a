// The run's one HTTP connection pool: one keep-alive agent per protocol, shared by the token endpoint,
// revocation and the Strava API, so a run opens one connection per host and pays TCP and TLS set-up
// once instead of per request (2 of the 3 round trips of each request at Strava's distance).
// Neutral ground: the Strava client imports it, and commands hand `postForm` to the auth plugin, which
// imports nothing outside itself.
import type {Agent, IncomingMessage} from 'node:http'
import {createRequire} from 'node:module'

type HttpModule = typeof import('node:http')
// Through `require`, not `import`: the ESM facade of node:http reads every export, and its WebSocket,
// CloseEvent and MessageEvent getters load undici (~0.05 s), as global `fetch` would.
const requireBuiltin = createRequire(import.meta.url) as (id: 'node:http' | 'node:https') => HttpModule

const agents = new Map<string, Agent>()

/**
 * The node:http(s) module and the run's agent for `url`. One socket per host: HTTP/1.1 cannot answer two
 * requests at once on one connection, and a second connection costs more round trips (TCP, TLS) than
 * waiting for the first. Idle sockets are unref'd by the agent, so they never keep the process alive.
 */
export function transportFor(url: URL): {module: HttpModule; agent: Agent} {
  const secure = url.protocol === 'https:'
  const module = requireBuiltin(secure ? 'node:https' : 'node:http')
  let agent = agents.get(url.protocol)
  if (!agent) {
    agent = new module.Agent({keepAlive: true, maxSockets: 1})
    agents.set(url.protocol, agent)
  }

  return {module, agent}
}

export interface FormAnswer {
  status: number
  text(): Promise<string>
  /** The body as a stream, for readers that stop at a size limit. */
  body: AsyncIterable<Uint8Array>
}

/** A POST through the run's pool, in the shape of the `fetch` subset the auth plugin's token client takes. */
export function postForm(
  url: string,
  init: {method: 'POST'; headers: Record<string, string>; body: string; signal: AbortSignal},
): Promise<FormAnswer> {
  const target = new URL(url)
  const {module, agent} = transportFor(target)
  return new Promise((resolve, reject) => {
    const outgoing = module.request(target, {method: 'POST', headers: init.headers, signal: init.signal, agent})
    outgoing.on('response', (response: IncomingMessage) => resolve(formAnswer(response)))
    outgoing.on('error', (error: Error) => reject(init.signal.aborted ? init.signal.reason : error))
    outgoing.end(init.body)
  })
}

function formAnswer(response: IncomingMessage): FormAnswer {
  return {
    status: response.statusCode ?? 0,
    body: response,
    async text() {
      const chunks: Buffer[] = []
      for await (const chunk of response) chunks.push(chunk as Buffer)
      return Buffer.concat(chunks).toString('utf8')
    },
  }
}
