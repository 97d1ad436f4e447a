// `npm run bench`: start-up, request economy and memory of the built CLI, measured against the
// floor (`node -e 0`) in the same run so figures compare across noisy machines. It builds nothing:
// run `npm run build` first. `--smoke` does fewer repetitions (CI runs it; it prints, it does not
// fail on timing, but it does fail when a run of the CLI fails).
import {spawn} from 'node:child_process'
import {existsSync} from 'node:fs'
import {mkdtemp, readFile, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {startStravaEmulator, type StravaEmulator} from '../test/emulator/index.js'

const root = fileURLToPath(new URL('..', import.meta.url))
const cli = join(root, 'bin', 'run.js')
const smoke = process.argv.includes('--smoke')
const repeats = smoke ? 3 : 11
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

function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Run> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint()
    const child = spawn(command, args, {env, stdio: ['ignore', 'ignore', 'pipe']})
    let stderr = ''
    child.stderr.on('data', (chunk) => (stderr += chunk))
    child.on('error', reject)
    child.on('close', (code) => resolve({code: code ?? 1, ms: Number(process.hrtime.bigint() - started) / 1e6, stderr}))
  })
}

async function mustRun(args: string[], env: NodeJS.ProcessEnv, preload: string[] = []): Promise<Run> {
  const result = await run(process.execPath, [...preload, cli, ...args], env)
  if (result.code !== 0) throw new Error(`weeknotes ${args.join(' ')} exited with ${result.code}: ${result.stderr}`)
  return result
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]

async function medianMs(times: number, once: () => Promise<Run>): Promise<number> {
  const samples: number[] = []
  for (let i = 0; i < times; i++) samples.push((await once()).ms)
  return median(samples)
}

/** Peak RSS in MiB of one CLI run, read through a preloaded getrusage hook. */
async function peakRssMiB(args: string[], env: NodeJS.ProcessEnv, sandbox: string): Promise<number> {
  const file = join(sandbox, `rss-${Math.random().toString(36).slice(2)}`)
  await mustRun(args, {...env, BENCH_RSS_FILE: file}, ['--require', join(root, 'bench', 'max-rss.cjs')])
  return Number((await readFile(file, 'utf8')).trim()) / 1024
}

function apiCalls(emulator: StravaEmulator) {
  const api = emulator.requests.filter((r) => r.path.startsWith('/api/v3/'))
  const list = api.filter((r) => r.path === '/api/v3/athlete/activities').length
  return {list, otherApi: api.length - list, token: emulator.requests.filter((r) => r.path === '/oauth/token').length}
}

function line(label: string, value: string, target?: string) {
  console.log(`${label.padEnd(44)} ${value}${target ? `   (target ${target})` : ''}`)
}

const ratio = (ms: number, floor: number) => `${(ms / 1000).toFixed(3)} s = ${(ms / floor).toFixed(2)}x node -e 0`

const emulator = await startStravaEmulator({autoApprove: true, seed: 'empty'})
emulator.setRateLimits({overall: [1e6, 1e7], read: [1e6, 1e7]}) // the bench measures calls, not limits
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
delete env.STRAVA_REFRESH_TOKEN
delete env.DEBUG

try {
  console.log(`weeknotes bench: node ${process.version}, ${repeats} runs per median${smoke ? ' (smoke)' : ''}\n`)
  const floor = await medianMs(repeats, () => run(process.execPath, ['-e', '0']))
  line('floor: node -e 0', `${(floor / 1000).toFixed(3)} s`)

  const version = await medianMs(repeats, () => mustRun(['--version'], env))
  line('cold start: weeknotes --version', ratio(version, floor), '<= 2.0x')
  const help = await medianMs(repeats, () => mustRun(['generate', '--help'], env))
  line('cold start: weeknotes generate --help', ratio(help, floor), '<= 3.0x')

  // A stored session, through the real login (the emulator approves consent by itself).
  await mustRun(['auth', '--insecure-storage'], env)

  emulator.setActivities(emulator.makeActivities(30, {weekStart: '2024-03-04'}))
  const out = join(sandbox, 'note.md')
  const generateArgs = ['generate', '--week', week, '--output', out, '--force']
  emulator.clearRequests()
  const full = await medianMs(repeats, () => mustRun(generateArgs, env))
  const perRun = apiCalls(emulator)
  line('generate, 30 activities, token valid', ratio(full, floor), '<= 4.0x')
  line('  peak RSS', `${(await peakRssMiB(generateArgs, env, sandbox)).toFixed(1)} MiB`, '<= 120 MiB')
  line(
    '  calls per run (list / other API / token)',
    `${perRun.list / repeats} / ${perRun.otherApi / repeats} / ${perRun.token / repeats}`,
    '<= 2 / 0 / 0',
  )

  emulator.expireAccessTokens()
  emulator.clearRequests()
  await mustRun(generateArgs, env)
  const expired = apiCalls(emulator)
  line('generate, token expired: token calls', `${expired.token}`, '= 1')

  emulator.setActivities(emulator.makeActivities(450, {weekStart: '2024-03-04'}))
  emulator.clearRequests()
  await mustRun(generateArgs, env)
  line('generate, 450 activities: list calls', `${apiCalls(emulator).list}`, '<= 4')

  for (const count of [500, 5000]) {
    const activities = []
    for (let w = 0; w < 52; w++) {
      const start = new Date(Date.UTC(2024, 0, 1 + 7 * w)).toISOString().slice(0, 10)
      activities.push(
        ...emulator.makeActivities(Math.round((count * (w + 1)) / 52) - Math.round((count * w) / 52), {
          weekStart: start,
        }),
      )
    }
    emulator.setActivities(activities)
    const dir = join(sandbox, `year-${count}`)
    const args = ['generate', '--from', '2024-W01', '--to', '2024-W52', '--out-dir', dir, '--force']
    emulator.clearRequests()
    const wall = (await mustRun(args, env)).ms
    const calls = apiCalls(emulator).list
    const rss = await peakRssMiB(args, env, sandbox)
    line(
      `backfill 2024-W01..W52, ${count} activities`,
      `${(wall / 1000).toFixed(3)} s = ${(wall / floor).toFixed(2)}x, peak RSS ${rss.toFixed(1)} MiB, ${calls} list calls`,
      `list calls <= ${Math.ceil(count / 200) + 1}`,
    )
  }
} finally {
  await emulator.close()
  await rm(sandbox, {force: true, recursive: true})
}
