// `npm run bench -- --latency`: what a user waits for against the real Strava, where round trips
// dominate. The emulator sits behind a TLS terminator (a self-signed certificate made for this run,
// trusted through NODE_EXTRA_CA_CERTS in the measured processes only) and a slow link in front of it
// that delays every chunk by half the round-trip time each way, and a new connection's first bytes by
// one more round trip (TCP's handshake). Everything stays on 127.0.0.1. It prints; it never fails on
// timing, only when a run fails. A week with a stored login is served from the archive after the first
// run; the cold-archive line (an empty data directory each run) shows what such a run waits on.
import {mkdtempSync} from 'node:fs'
import {mkdtemp, rm} from 'node:fs/promises'
import {request as httpRequest} from 'node:http'
import {createSecureServer, type Http2ServerRequest, type Http2ServerResponse} from 'node:http2'
import {createServer, connect, type AddressInfo, type Server, type Socket} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {sandboxEnvironment} from '../scripts/sandbox-env.js'
import {startStravaEmulator, type StravaEmulator} from 'strava-emulator'
import {loopbackCertificate, type Certificate} from '../test/support/certificate.js'
import {interleavedMedians, runNode, seconds, type Figure, type Run} from './measure.js'

const RTT_MS = 80
const developerScript = fileURLToPath(new URL('developer-script.js', import.meta.url))

const listening = (server: Server) =>
  new Promise<number>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port))
  })

/**
 * HTTPS (HTTP/2 or HTTP/1.1, as the client offers) in front of the emulator's plain HTTP; counts requests,
 * and the detail requests (GET /activities/{id}) with the round trips they took: those that arrive within
 * half a round trip of the first of a batch were sent together, one arriving later went a round trip later.
 */
async function startTlsTerminator(certificate: Certificate, emulator: StravaEmulator) {
  const upstream = new URL(emulator.url)
  const counter = {requests: 0, versions: new Set<string>(), details: 0, detailRoundTrips: 0, batchStart: -Infinity}
  const server = createSecureServer(
    {key: certificate.key, cert: certificate.cert, allowHTTP1: true},
    (incoming: Http2ServerRequest, outgoing: Http2ServerResponse) => {
      counter.requests++
      counter.versions.add(`HTTP/${incoming.httpVersion}`)
      if (/\/activities\/\d+$/.test(incoming.url)) {
        counter.details++
        if (performance.now() - counter.batchStart > RTT_MS / 2) {
          counter.detailRoundTrips++
          counter.batchStart = performance.now()
        }
      }
      const headers = Object.fromEntries(Object.entries(incoming.headers).filter(([name]) => !name.startsWith(':')))
      const forward = httpRequest(
        {host: upstream.hostname, port: upstream.port, method: incoming.method, path: incoming.url, headers},
        (answer) => {
          const {connection: _c, 'keep-alive': _k, 'transfer-encoding': _t, ...kept} = answer.headers
          outgoing.writeHead(answer.statusCode ?? 502, kept)
          answer.pipe(outgoing)
        },
      )
      forward.on('error', () => outgoing.destroy())
      incoming.pipe(forward)
    },
  )
  server.on('secureConnection', (socket: Socket) => socket.setNoDelay(true))
  const port = await listening(server as unknown as Server)
  return {port, counter, close: () => new Promise<void>((resolve) => server.close(() => resolve()))}
}

/** Forwards `from` to `to`, each chunk delivered `delayMs` later, in order; `firstExtraMs` more for the first. */
function delayed(from: Socket, to: Socket, delayMs: number, firstExtraMs: number) {
  // One queue drained by one timer. A timer per chunk can fire out of order when two due times round to
  // the same millisecond, and a TLS stream with reordered bytes fails its record MAC check (seen in a
  // 20-week backfill: ERR_SSL_DECRYPTION_FAILED_OR_BAD_RECORD_MAC).
  const queue: Array<{due: number; deliver: () => void}> = []
  let extra = firstExtraMs
  let timer: NodeJS.Timeout | undefined
  const drain = () => {
    timer = undefined
    while (queue.length > 0 && queue[0].due <= Date.now()) queue.shift()!.deliver()
    if (queue.length > 0) timer = setTimeout(drain, queue[0].due - Date.now())
  }
  const later = (deliver: () => void) => {
    const due = Math.max(Date.now() + delayMs + extra, queue.at(-1)?.due ?? 0)
    extra = 0
    queue.push({due, deliver})
    timer ??= setTimeout(drain, due - Date.now())
  }
  from.on('data', (chunk: Buffer) => later(() => to.write(chunk)))
  // A close travels like data: the bytes still on their way arrive first.
  from.on('close', () => later(() => to.end()))
  from.on('error', () => later(() => to.destroy()))
}

/** The slow link: a TCP relay adding RTT/2 each way and one RTT before a connection's first bytes; counts connections. */
async function startSlowLink(toPort: number) {
  const counter = {connections: 0}
  const sockets = new Set<Socket>()
  // No Nagle: a small chunk held back for an ACK would add delayed-ACK time to the set delay.
  const server = createServer({noDelay: true}, (client) => {
    counter.connections++
    const server = connect({port: toPort, host: '127.0.0.1', noDelay: true})
    for (const socket of [client, server]) {
      sockets.add(socket)
      socket.on('close', () => sockets.delete(socket))
    }
    delayed(client, server, RTT_MS / 2, RTT_MS)
    delayed(server, client, RTT_MS / 2, 0)
  })
  const port = await listening(server)
  const close = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy()
      server.close(() => resolve())
    })
  return {port, counter, close}
}

interface Scenario {
  label: string
  run: () => Promise<Run>
  /** Round trips a client cannot avoid: TCP + TLS 1.3 (2), a token call when needed, the list pages, details. */
  floorRoundTrips: number
}

export async function latencyBench({root, smoke}: {root: string; smoke: boolean}): Promise<void> {
  const cli = join(root, 'bin', 'run.js')
  const sandbox = await mkdtemp(join(tmpdir(), 'weeknotes-latency-'))
  const certificate = loopbackCertificate(sandbox)
  if (!certificate) {
    console.log('latency bench skipped: it needs the openssl command to make a certificate for 127.0.0.1.')
    await rm(sandbox, {force: true, recursive: true})
    return
  }

  const emulator = await startStravaEmulator({autoApprove: true, seed: 'empty'})
  emulator.setRateLimits({overall: [1e6, 1e7], read: [1e6, 1e7]})
  const terminator = await startTlsTerminator(certificate, emulator)
  const link = await startSlowLink(terminator.port)
  const origin = `https://127.0.0.1:${link.port}`
  const stored: NodeJS.ProcessEnv = {
    ...sandboxEnvironment(emulator, sandbox),
    STRAVA_API_URL: `${origin}/api/v3`,
    STRAVA_OAUTH_URL: `${origin}/oauth`,
    NODE_EXTRA_CA_CERTS: certificate.certFile,
  }
  // CI mode: app credentials and a fresh refresh token in the environment (the emulator rotates them), nothing stored.
  const ciMode = (): NodeJS.ProcessEnv => ({
    ...stored,
    WEEKNOTES_CONFIG_DIR: join(sandbox, 'ci-config'),
    STRAVA_REFRESH_TOKEN: emulator.issueTokens().refreshToken,
  })

  try {
    await runNode([cli, 'auth', '--insecure-storage'], stored, sandbox)

    const perWeek = 30
    const weeks = 20
    const activities = Array.from({length: weeks}, (_, w) =>
      emulator.makeActivities(perWeek, {weekStart: new Date(Date.UTC(2024, 0, 1 + 7 * w)).toISOString().slice(0, 10)}),
    ).flat()
    emulator.setActivities(activities)

    const note = join(sandbox, 'note.md')
    const week = ['generate', '--week', '2024-W10', '--output', note, '--force']
    const backfill = ['generate', '--from', '2024-W01', '--to', `2024-W${weeks}`, '--out-dir', join(sandbox, 'notes')]
    const pages = (count: number) => Math.ceil(count / 200) + 1
    // An empty data directory each run: nothing in the archive, so the week's list pages come over the link.
    const coldArchive = (): NodeJS.ProcessEnv => ({...stored, WEEKNOTES_DATA_DIR: mkdtempSync(join(sandbox, 'data-'))})
    const scenarios: Scenario[] = [
      {label: 'week, stored login', run: () => runNode([cli, ...week], stored, sandbox), floorRoundTrips: 2 + 2},
      {
        // The default template shows descriptions and photos: one detail request per activity, which a
        // client could send all at once over HTTP/2 (1 RTT); weeknotes sends a few at a time.
        label: 'week, stored login, cold archive',
        run: () => runNode([cli, ...week], coldArchive(), sandbox),
        floorRoundTrips: 2 + 2 + 1,
      },
      {label: 'week, CI mode', run: () => runNode([cli, ...week], ciMode(), sandbox), floorRoundTrips: 2 + 1 + 2},
      {
        label: `${weeks}-week backfill, stored login`,
        run: () => runNode([cli, ...backfill, '--force'], stored, sandbox),
        floorRoundTrips: 2 + pages(perWeek * weeks),
      },
      {
        label: "a developer's script (CI mode)",
        run: () => runNode([developerScript], ciMode(), sandbox),
        floorRoundTrips: 2 + 1 + 2,
      },
    ]

    const counts = scenarios.map(() => ({connections: 0, requests: 0, runs: 0, details: 0, detailRoundTrips: 0}))
    const counted = (i: number, run: () => Promise<Run>) => async () => {
      const before = {connections: link.counter.connections, requests: terminator.counter.requests}
      const detailsBefore = {details: terminator.counter.details, roundTrips: terminator.counter.detailRoundTrips}
      const result = await run()
      counts[i].connections += link.counter.connections - before.connections
      counts[i].requests += terminator.counter.requests - before.requests
      counts[i].details += terminator.counter.details - detailsBefore.details
      counts[i].detailRoundTrips += terminator.counter.detailRoundTrips - detailsBefore.roundTrips
      counts[i].runs++
      return result
    }
    const repeats = smoke ? 2 : 9
    const [floor, ...figures] = await interleavedMedians(
      [() => runNode(['-e', '0'], stored, sandbox), ...scenarios.map((s, i) => counted(i, s.run))],
      repeats,
    )

    console.log(`\nthrough TLS at ${RTT_MS} ms round-trip time (medians of ${repeats} runs, round-robin)`)
    console.log(`node -e 0: ${seconds(floor.ms)}; floor = that + the round trips no client can avoid\n`)
    for (const [i, scenario] of scenarios.entries()) report(scenario, figures[i], floor, counts[i])
    console.log(`(protocols seen at the terminator: ${[...terminator.counter.versions].join(', ')})`)
  } finally {
    await link.close()
    await terminator.close()
    await emulator.close()
    await rm(sandbox, {force: true, recursive: true})
  }
}

function report(
  scenario: Scenario,
  figure: Figure,
  floor: Figure,
  count: {connections: number; requests: number; runs: number; details: number; detailRoundTrips: number},
) {
  const floorMs = floor.ms + scenario.floorRoundTrips * RTT_MS
  const perRun = (n: number, noun: string) =>
    `${(n / count.runs).toFixed(1).replace(/\.0$/, '')} ${noun}${n === count.runs ? '' : 's'}`
  console.log(
    `${scenario.label.padEnd(36)} ${seconds(figure.ms)}, floor ${seconds(floorMs)} (${scenario.floorRoundTrips} RTT) = ${(figure.ms / floorMs).toFixed(2)}x, ` +
      `${perRun(count.connections, 'connection')}, ${perRun(count.requests, 'request')}, peak RSS ${figure.rssMiB.toFixed(1)} MiB` +
      detailRoundTrips(count),
  )
}

/** The detail requests of a run and the round trips they took, per run. */
function detailRoundTrips({
  details,
  detailRoundTrips,
  runs,
}: {
  details: number
  detailRoundTrips: number
  runs: number
}) {
  if (details === 0) return ''
  const perRun = (n: number) => (n / runs).toFixed(1).replace(/\.0$/, '')
  return `; ${perRun(details)} detail requests in ${perRun(detailRoundTrips)} round trips`
}
