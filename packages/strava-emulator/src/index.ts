// A local stand-in for Strava (OAuth under /oauth, API under /api/v3) on 127.0.0.1, for tests and the
// demo. It follows Strava's documented behaviour and the published spec in ../shared/strava-api/;
// each module cites the behaviour it copies. Switches (clock, token lifetime, rotation, rate limits,
// injected faults) and a request log let tests provoke and observe what Strava would do.
// The parts: state.ts (what is shared), routes.ts (which handler answers), api.ts and oauth.ts (the
// endpoints), faults.ts, server.ts (the listeners), controls.ts (what the caller holds).
import {emulatorControls} from './controls.js'
import {demoActivities} from './seed.js'
import {listen, serve, stop} from './server.js'
import {createState, renderActivities} from './state.js'
import type {EmulatorOptions, StravaEmulator} from './types.js'

export type * from './types.js'
export {makeActivities} from './activities.js'
export {bigActivityId} from './seed.js'
export {defaultClient} from './state.js'

export async function startStravaEmulator(options: EmulatorOptions = {}): Promise<StravaEmulator> {
  const state = createState(options)
  if ((options.seed ?? 'demo') === 'demo') state.api.activities = renderActivities(state, demoActivities())
  const server = serve(state, 'legacy')
  // The new API host: a second listener, so a client sees a different origin (and a refused connection when off).
  const nextServer = serve(state, 'next')
  const url = `http://127.0.0.1:${await listen(server, options.port ?? 0)}`
  const nextPort = await listen(nextServer, 0)
  if (!state.endpoints.nextApiHost) await stop(nextServer)
  return emulatorControls(state, {server, url, nextServer, nextPort})
}
