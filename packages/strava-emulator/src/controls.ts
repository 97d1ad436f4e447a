// What a test, the demo or the bench holds: the emulator's addresses, its request log, and the levers
// that change its data and Strava-behaviour switches while it runs.
import type {Server} from 'node:http'
import {makeActivities} from './activities.js'
import {apiPrefix} from './routes.js'
import {listen, stop} from './server.js'
import {type EmulatorState, renderActivities} from './state.js'
import type {StravaEmulator} from './types.js'

export interface Listeners {
  /** The old host: OAuth and the API under /api/v3. */
  server: Server
  url: string
  /** The new API host; its port is kept so that switching it back on reuses the address. */
  nextServer: Server
  nextPort: number
}

export function emulatorControls(state: EmulatorState, listeners: Listeners): StravaEmulator {
  const {clients, tokens, limiter, endpoints, switches, api, requests} = state
  const {server, url, nextServer, nextPort} = listeners
  return {
    url,
    oauthUrl: `${url}/oauth`,
    apiUrl: `${url}${apiPrefix}`,
    nextApiUrl: `http://127.0.0.1:${nextPort}`,
    client: clients[0],
    athlete: api.athlete,
    requests,
    clearRequests: () => void requests.splice(0),
    setActivities: (list) => void (api.activities = renderActivities(state, list)),
    addActivities: (list) => void api.activities.push(...renderActivities(state, list)),
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
    inject: (fault) => void state.faults.push(fault),
    async close() {
      state.closing.abort()
      await Promise.all([stop(server), stop(nextServer)])
    },
  }
}
