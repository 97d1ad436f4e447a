// Runs the Strava emulator on its own, for the demo and for trying the CLI by hand:
//   npm run emulator -- [--port 8765] [--auto-approve] [--seed demo|empty]
// Runs until SIGINT or SIGTERM. The client secret it prints is the emulator's fake one.
import {parseArgs} from 'node:util'
import {startStravaEmulator} from './index.js'

const {values} = parseArgs({
  options: {
    port: {type: 'string', default: '0'},
    'auto-approve': {type: 'boolean', default: false},
    seed: {type: 'string', default: 'demo'},
  },
})

const port = Number(values.port)
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  console.error(`--port must be a port number, got ${values.port}.`)
  process.exit(2)
}

if (values.seed !== 'demo' && values.seed !== 'empty') {
  console.error(`--seed must be demo or empty, got ${values.seed}.`)
  process.exit(2)
}

const emulator = await startStravaEmulator({port, autoApprove: values['auto-approve'], seed: values.seed})
console.log(`Strava emulator listening on ${emulator.url}`)
console.log(`STRAVA_OAUTH_URL=${emulator.oauthUrl}`)
console.log(`STRAVA_API_URL=${emulator.apiUrl}`)
console.log(`# The same API on the new host (Strava's 2027 move): ${emulator.nextApiUrl}`)
console.log(`STRAVA_CLIENT_ID=${emulator.client.id}`)
console.log(`STRAVA_CLIENT_SECRET=${emulator.client.secret}   (the emulator's fake secret)`)
console.log(
  `Consent is ${values['auto-approve'] ? 'given automatically' : 'asked on a page in the browser'}. Ctrl-C stops.`,
)

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    emulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    )
  })
}
