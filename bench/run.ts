// `npm run bench`: start-up, request economy and memory of the built CLI, measured against the
// floor (`node -e 0`) in the same run so figures compare across noisy machines. It builds nothing:
// run `npm run build` first. Timed commands run round-robin (floor, --version, --help, generate, floor,
// ...) so a load that comes and goes weighs on all of them alike; each figure is a median.
// `--smoke` does fewer repetitions (CI runs it): it prints, it does not fail on timing, but it fails
// when a run of the CLI fails or a request count (deterministic) misses its target.
import {spawn} from 'node:child_process'
import {existsSync} from 'node:fs'
import {mkdtemp, readFile, rm} from 'node:fs/promises'
import {cpus, loadavg, tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {startStravaEmulator, type EmulatorActivity, type StravaEmulator} from '../test/emulator/index.js'

const root = fileURLToPath(new URL('..', import.meta.url))
const cli = join(root, 'bin', 'run.js')
const smoke = process.argv.includes('--smoke')
const repeats = smoke ? 3 : 15
const week = '2024-W10'

if (!existsSync(join(root, 'dist')) || !existsSync(join(root, 'oclif.manifest.json'))) {
  console.error('bench: no build found; run `npm run build` first.')
  process.exit(2)
}

interface Run {
  ms: number
  code: number
  stderr: string
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint()
    const child = spawn(command, args, {env, stdio: ['ignore', 'ignore', 'pipe']})
    let stderr = ''
    child.stderr.on('data', (chunk) => (stderr += chunk))
    child.on('error', reject)
    child.on('close', (code) => resolve({code: code ?? 1, ms: Number(process.hrtime.bigint() - started) / 1e6, stderr}))
  })
}

async function runCli(args: string[], env: NodeJS.ProcessEnv, preload: string[] = []): Promise<Run> {
  const result = await run(process.execPath, [...preload, cli, ...args], env)
  if (result.code !== 0) throw new Error(`weeknotes ${args.join(' ')} exited with ${result.code}: ${result.stderr}`)
  return result
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]

/** Median wall time of each task, sampled round-robin after one unmeasured warm-up round. */
async function interleavedMedians(tasks: Array<() => Promise<Run>>, times: number): Promise<number[]> {
  const samples = tasks.map(() => [] as number[])
  for (let round = -1; round < times; round++) {
    for (const [i, task] of tasks.entries()) {
      const {ms} = await task()
      if (round >= 0) samples[i].push(ms)
    }
  }

  return samples.map(median)
}

/** Peak RSS in MiB of one CLI run, read through a preloaded getrusage hook. */
async function peakRssMiB(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const file = join(sandbox, `rss-${Math.random().toString(36).slice(2)}`)
  await runCli(args, {...env, BENCH_RSS_FILE: file}, ['--require', join(root, 'bench', 'max-rss.cjs')])
  return Number((await readFile(file, 'utf8')).trim()) / 1024
}

function apiCalls(emulator: StravaEmulator) {
  const api = emulator.requests.filter((r) => r.path.startsWith('/api/v3/'))
  const list = api.filter((r) => r.path === '/api/v3/athlete/activities').length
  return {list, otherApi: api.length - list, token: emulator.requests.filter((r) => r.path === '/oauth/token').length}
}

const misses: string[] = []

/** One figure per line; `met` undefined when there is no target. Request counts that miss fail the run. */
function report(label: string, value: string, target?: string, met?: boolean, kind: 'timing' | 'calls' = 'timing') {
  const verdict = met === undefined ? '' : met ? '  ok' : '  MISS'
  console.log(`${label.padEnd(42)} ${value}${target ? `   (target ${target})${verdict}` : ''}`)
  if (met === false && kind === 'calls') misses.push(label)
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(3)} s`
const times = (ms: number, floor: number) => `${(ms / floor).toFixed(2)}x`

/** `count` activities spread evenly over the 52 weeks of 2024. */
function yearOfActivities(emulator: StravaEmulator, count: number): EmulatorActivity[] {
  const activities: EmulatorActivity[] = []
  for (let w = 0; w < 52; w++) {
    const weekStart = new Date(Date.UTC(2024, 0, 1 + 7 * w)).toISOString().slice(0, 10)
    const inWeek = Math.round((count * (w + 1)) / 52) - Math.round((count * w) / 52)
    activities.push(...emulator.makeActivities(inWeek, {weekStart}))
  }

  return activities
}

const emulator = await startStravaEmulator({autoApprove: true, seed: 'empty'})
emulator.setRateLimits({overall: [1e6, 1e7], read: [1e6, 1e7]}) // the bench counts calls, it does not hit limits
const sandbox = await mkdtemp(join(tmpdir(), 'weeknotes-bench-'))
const env: NodeJS.ProcessEnv = {
  ...process.env,
  BROWSER: `${process.execPath} ${join(root, 'scripts', 'demo-browser.js')}`,
  STRAVA_API_URL: emulator.apiUrl,
  STRAVA_CLIENT_ID: emulator.client.id,
  STRAVA_CLIENT_SECRET: emulator.client.secret,
  STRAVA_OAUTH_URL: emulator.oauthUrl,
  WEEKNOTES_CACHE_DIR: join(sandbox, 'cache'),
  WEEKNOTES_CONFIG_DIR: join(sandbox, 'config'),
  WEEKNOTES_DATA_DIR: join(sandbox, 'data'),
}
for (const name of ['STRAVA_REFRESH_TOKEN', 'DEBUG', 'NODE_OPTIONS', 'NODE_DEBUG']) delete env[name]

let cleaned: Promise<void> | undefined
const cleanUp = () => (cleaned ??= Promise.all([emulator.close(), rm(sandbox, {force: true, recursive: true})]).then())
process.once('SIGINT', () => void cleanUp().finally(() => process.exit(130)))

try {
  const cpu = cpus()
  console.log(`weeknotes bench${smoke ? ' (smoke)' : ''}, ${new Date().toISOString()}`)
  console.log(`${cpu[0]?.model.trim()}, ${cpu.length} cores, load ${loadavg()[0].toFixed(2)}, node ${process.version}`)
  console.log(`${repeats} runs per median, round-robin\n`)

  // A stored session, through the real login (the emulator approves consent by itself).
  await runCli(['auth', '--insecure-storage'], env)
  emulator.setActivities(emulator.makeActivities(30, {weekStart: '2024-03-04'}))
  const generateArgs = ['generate', '--week', week, '--output', join(sandbox, 'note.md'), '--force']

  emulator.clearRequests()
  const [floor, version, help, generate] = await interleavedMedians(
    [
      () => run(process.execPath, ['-e', '0'], env),
      () => runCli(['--version'], env),
      () => runCli(['generate', '--help'], env),
      () => runCli(generateArgs, env),
    ],
    repeats,
  )
  const generateRuns = repeats + 1
  const perRun = apiCalls(emulator)

  report('floor: node -e 0', seconds(floor))
  report(
    'cold start: weeknotes --version',
    `${seconds(version)} = ${times(version, floor)}`,
    '<= 2.0x',
    version <= 2 * floor,
  )
  report(
    'cold start: weeknotes generate --help',
    `${seconds(help)} = ${times(help, floor)}`,
    '<= 3.0x',
    help <= 3 * floor,
  )
  report(
    'generate, 30 activities, token valid',
    `${seconds(generate)} = ${times(generate, floor)}`,
    '<= 4.0x',
    generate <= 4 * floor,
  )
  const rss = await peakRssMiB(generateArgs, env)
  report('  peak RSS', `${rss.toFixed(1)} MiB`, '<= 120 MiB', rss <= 120)
  const [list, otherApi, token] = [perRun.list, perRun.otherApi, perRun.token].map((n) => n / generateRuns)
  report(
    '  calls per run: list / other API / token',
    `${list} / ${otherApi} / ${token}`,
    '<= 2 / 0 / 0',
    list <= Math.ceil(30 / 200) + 1 && otherApi === 0 && token === 0,
    'calls',
  )

  emulator.expireAccessTokens()
  emulator.clearRequests()
  await runCli(generateArgs, env)
  const expired = apiCalls(emulator)
  report('generate, token expired: token calls', `${expired.token}`, '= 1', expired.token === 1, 'calls')

  emulator.setActivities(emulator.makeActivities(450, {weekStart: '2024-03-04'}))
  emulator.clearRequests()
  await runCli(generateArgs, env)
  const big = apiCalls(emulator)
  report('generate, 450 activities: list calls', `${big.list}`, '<= 4', big.list <= 4 && big.otherApi === 0, 'calls')

  for (const count of [500, 5000]) {
    emulator.setActivities(yearOfActivities(emulator, count))
    const args = [
      'generate',
      '--from',
      '2024-W01',
      '--to',
      '2024-W52',
      '--out-dir',
      join(sandbox, `year-${count}`),
      '--force',
    ]
    emulator.clearRequests()
    const wall = (await runCli(args, env)).ms
    const calls = apiCalls(emulator)
    const peak = await peakRssMiB(args, env)
    const most = Math.ceil(count / 200) + 1
    report(
      `backfill 2024-W01..W52, ${count} activities`,
      `${seconds(wall)} = ${times(wall, floor)}, peak RSS ${peak.toFixed(1)} MiB, ${calls.list} list calls`,
      `list calls <= ${most}`,
      calls.list <= most && calls.otherApi === 0,
      'calls',
    )
  }
} finally {
  await cleanUp()
}

if (misses.length > 0) {
  console.error(`\nbench: request counts missed their target: ${misses.join('; ')}.`)
  process.exitCode = 1
}
