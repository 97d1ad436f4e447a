// `npm run bench`: start-up, request economy and memory of the built CLI, measured against the
// floor (`node -e 0`) in the same run so figures compare across noisy machines. It builds nothing:
// run `npm run build` first. Timed commands run round-robin (floor, --version, --help, generate, floor,
// ...) so a load that comes and goes weighs on all of them alike; each figure is a median.
// `--latency` measures through TLS at 80 ms round-trip time instead (bench/latency.ts).
// `--smoke` does fewer repetitions (CI runs it): it prints, it does not fail on timing, but it fails
// when a run of the CLI fails or a request count (deterministic) misses its target. `--against DIR`
// adds another checkout's built CLI to the start-up round-robin, for before/after figures.
import {existsSync, mkdtempSync} from 'node:fs'
import {mkdtemp, rm} from 'node:fs/promises'
import {cpus, loadavg, tmpdir} from 'node:os'
import {join, resolve} from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'

import {sandboxEnvironment} from '../scripts/sandbox-env.js'
import {benchImport} from './import.js'
import {againstFloor, interleavedMedians, runNode, seconds} from './measure.js'
import {startStravaEmulator, type EmulatorActivity, type StravaEmulator} from 'strava-emulator'

const root = fileURLToPath(new URL('..', import.meta.url))
const cli = join(root, 'bin', 'run.js')
const smoke = process.argv.includes('--smoke')
// Another checkout's build (say, main's) in the same round-robin: before and after under the same load.
const againstAt = process.argv.indexOf('--against')
const otherCli = againstAt > 0 ? join(resolve(process.argv[againstAt + 1] ?? '.'), 'bin', 'run.js') : undefined
const repeats = smoke ? 3 : 15
const week = '2024-W10'
/** A template that needs only the activity list: what the list, archive and start-up figures have always measured. */
const listOnly = join(root, 'bench', 'list-only.md.hbs')

if (!existsSync(join(root, 'dist')) || !existsSync(join(root, 'oclif.manifest.json'))) {
  console.error('bench: no build found; run `npm run build` first.')
  process.exit(2)
}

if (process.argv.includes('--latency')) {
  const {latencyBench} = await import('./latency.js')
  await latencyBench({root, smoke})
  // The loopback figures below are another mode.
  process.exit()
}

const runCli = (args: string[], dataDir?: string, bin = cli) =>
  runNode([bin, ...args], dataDir ? {...env, WEEKNOTES_DATA_DIR: dataDir} : env, sandbox)
/** A new, empty archive directory: a run that must fetch as if nothing were held yet. */
const emptyArchive = () => mkdtempSync(join(sandbox, 'data-'))

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

/**
 * The archive: a first sync of `count` activities (one year), then the same athlete a week later (a few
 * new activities), a year's notes re-rendered from the archive, and --offline.
 */
async function benchSync(count: number): Promise<void> {
  // Dated from today: whether a week is held for good depends on how long ago it ended.
  emulator.setActivities(datedActivities(count, 54, 2))
  const dataDir = emptyArchive()
  emulator.clearRequests()
  const first = await runCli(['sync'], dataDir)
  const firstCalls = apiCalls(emulator).list
  const most = Math.ceil(count / 200) + 1
  report(
    `sync, first, ${count} activities`,
    `${seconds(first.ms)}, peak RSS ${first.rssMiB.toFixed(1)} MiB, ${firstCalls} list calls`,
    `list calls = ${most}${count >= 20_000 ? ', RSS < 120 MiB' : ''}`,
    firstCalls === most && (count < 20_000 || first.rssMiB < 120),
    'calls',
  )

  // A week later: five new activities last week. The sync re-reads the 14 days before the latest held.
  emulator.addActivities(datedActivities(5, 1, 1))
  const reread = Math.ceil((count * 2) / 53) + 5
  emulator.clearRequests()
  const later = await runCli(
    ['generate', '--week', 'last', '--output', join(dataDir, 'last.md'), '--template', listOnly],
    dataDir,
  )
  const laterCalls = apiCalls(emulator).list
  const target = Math.max(2, Math.ceil(reread / 200) + 1)
  report(
    '  a week later: generate --week last',
    `${seconds(later.ms)}, peak RSS ${later.rssMiB.toFixed(1)} MiB, ${laterCalls} list calls`,
    `list calls <= ${target}`,
    laterCalls <= target,
    'calls',
  )

  emulator.clearRequests()
  const range = ['--from', monday(52), '--to', monday(4), '--out-dir', join(dataDir, 'notes'), '--force']
  range.push('--template', listOnly)
  const rerender = await runCli(['generate', ...range], dataDir)
  const offline = await runCli(['generate', ...range, '--offline'], dataDir)
  const heldCalls = apiCalls(emulator).list
  report(
    '  49 weeks re-rendered, online / --offline',
    `${seconds(rerender.ms)} / ${seconds(offline.ms)}, peak RSS ${Math.max(rerender.rssMiB, offline.rssMiB).toFixed(1)} MiB, ${heldCalls} list calls`,
    'list calls = 0',
    heldCalls === 0,
    'calls',
  )
}

/** The Monday `weeksAgo` weeks before this week's (UTC), as YYYY-MM-DD. */
function monday(weeksAgo: number): string {
  const now = new Date()
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate())
  return new Date(today - (((now.getUTCDay() + 6) % 7) + 7 * weeksAgo) * 86_400_000).toISOString().slice(0, 10)
}

/** `count` activities spread evenly over the weeks from `fromAgo` to `toAgo` weeks ago. */
function datedActivities(count: number, fromAgo: number, toAgo: number): EmulatorActivity[] {
  const weeks = fromAgo - toAgo + 1
  const activities: EmulatorActivity[] = []
  for (let w = 0; w < weeks; w++) {
    const inWeek = Math.round((count * (w + 1)) / weeks) - Math.round((count * w) / weeks)
    activities.push(...emulator.makeActivities(inWeek, {weekStart: monday(fromAgo - w)}))
  }

  return activities
}

const emulator = await startStravaEmulator({autoApprove: true, seed: 'empty'})
emulator.setRateLimits({overall: [1e6, 1e7], read: [1e6, 1e7]}) // the bench counts calls, it does not hit limits
const sandbox = await mkdtemp(join(tmpdir(), 'weeknotes-bench-'))
const env = sandboxEnvironment(emulator, sandbox)

let cleaned: Promise<void> | undefined
const cleanUp = () => (cleaned ??= Promise.all([emulator.close(), rm(sandbox, {force: true, recursive: true})]).then())
process.once('SIGINT', () => void cleanUp().finally(() => process.exit(130)))

try {
  const cpu = cpus()
  console.log(`weeknotes bench${smoke ? ' (smoke)' : ''}, ${new Date().toISOString()}`)
  console.log(`${cpu[0]?.model.trim()}, ${cpu.length} cores, load ${loadavg()[0].toFixed(2)}, node ${process.version}`)
  console.log(`medians of ${repeats} runs, round-robin; ratios to the floor of this run (wall, and CPU user+system)\n`)

  // A stored session, through the real login (the emulator approves consent by itself).
  await runCli(['auth', '--insecure-storage'])
  emulator.setActivities(emulator.makeActivities(30, {weekStart: '2024-03-04'}))
  const defaultArgs = ['generate', '--week', week, '--output', join(sandbox, 'note.md'), '--force']
  const generateArgs = [...defaultArgs, '--template', listOnly]

  emulator.clearRequests()
  // What loading oclif's entry point alone costs, without any command or config: context for --version.
  const oclifEntry = pathToFileURL(join(root, 'node_modules', '@oclif', 'core', 'lib', 'execute.js')).href
  // Each generate run with an empty archive: what a week costs when nothing is held yet.
  const startUp = (bin: string) => [
    () => runCli(['--version'], undefined, bin),
    () => runCli(['generate', '--help'], undefined, bin),
    () => runCli(generateArgs, emptyArchive(), bin),
  ]
  const [floor, oclif, version, help, generate, ...other] = await interleavedMedians(
    [
      () => runNode(['-e', '0'], env, sandbox),
      () => runNode(['--input-type=module', '-e', `await import(${JSON.stringify(oclifEntry)})`], env, sandbox),
      ...startUp(cli),
      ...(otherCli ? startUp(otherCli) : []),
    ],
    repeats,
  )
  const perRun = apiCalls(emulator)
  const generateRuns = (repeats + 1) * (otherCli ? 2 : 1)

  report(
    'floor: node -e 0',
    `${seconds(floor.ms)} (CPU ${seconds(floor.cpuMs)}), peak RSS ${floor.rssMiB.toFixed(1)} MiB`,
  )
  report('(context) import @oclif/core/execute only', againstFloor(oclif, floor))
  report('cold start: weeknotes --version', againstFloor(version, floor), '<= 1.3x', version.ms <= 1.3 * floor.ms)
  report('cold start: weeknotes generate --help', againstFloor(help, floor), '<= 3.0x', help.ms <= 3 * floor.ms)
  report('generate, 30 activities, token valid', againstFloor(generate, floor), '<= 4.0x', generate.ms <= 4 * floor.ms)
  report('  peak RSS', `${generate.rssMiB.toFixed(1)} MiB`, '<= 100 MiB', generate.rssMiB <= 100)
  if (otherCli) {
    console.log(`  the same, with ${otherCli}:`)
    for (const [i, label] of ['--version', 'generate --help', 'generate, 30 activities'].entries()) {
      report(`  (against) ${label}`, `${againstFloor(other[i], floor)}, peak RSS ${other[i].rssMiB.toFixed(1)} MiB`)
    }
  }
  const [list, otherApi, token] = [perRun.list, perRun.otherApi, perRun.token].map((n) => n / generateRuns)
  report(
    '  calls per run: list / other API / token',
    `${list} / ${otherApi} / ${token}`,
    '<= 2 / 0 / 0',
    list <= Math.ceil(30 / 200) + 1 && otherApi === 0 && token === 0,
    'calls',
  )

  // The default template shows descriptions and photos: one detail call per activity, once; the archive keeps them.
  const detailArchive = emptyArchive()
  emulator.clearRequests()
  const firstDefault = await runCli(defaultArgs, detailArchive)
  const firstDetails = apiCalls(emulator).otherApi
  emulator.clearRequests()
  await runCli(defaultArgs, detailArchive)
  const againDetails = apiCalls(emulator).otherApi
  report(
    'default template: detail calls, first run / again',
    `${firstDetails} / ${againDetails} (first run ${seconds(firstDefault.ms)})`,
    '<= 30 / 0',
    firstDetails <= 30 && againDetails === 0,
    'calls',
  )

  emulator.expireAccessTokens()
  emulator.clearRequests()
  await runCli(generateArgs, emptyArchive())
  const expired = apiCalls(emulator)
  report('generate, token expired: token calls', `${expired.token}`, '= 1', expired.token === 1, 'calls')

  emulator.setActivities(emulator.makeActivities(450, {weekStart: '2024-03-04'}))
  emulator.clearRequests()
  await runCli(generateArgs, emptyArchive())
  const big = apiCalls(emulator)
  report('generate, 450 activities: list calls', `${big.list}`, '<= 4', big.list <= 4 && big.otherApi === 0, 'calls')

  const backfillRepeats = Math.min(repeats, 5)
  for (const count of [500, 5000]) {
    emulator.setActivities(yearOfActivities(emulator, count))
    const dir = join(sandbox, `year-${count}`)
    const args = [
      'generate',
      '--from',
      '2024-W01',
      '--to',
      '2024-W52',
      '--out-dir',
      dir,
      '--force',
      '--template',
      listOnly,
    ]
    emulator.clearRequests()
    const [backfill] = await interleavedMedians([() => runCli(args, emptyArchive())], backfillRepeats)
    const calls = apiCalls(emulator)
    const perBackfill = calls.list / (backfillRepeats + 1)
    const most = Math.ceil(count / 200) + 1
    report(
      `backfill 2024-W01..W52, ${count} activities`,
      `${againstFloor(backfill, floor)}, peak RSS ${backfill.rssMiB.toFixed(1)} MiB, ${perBackfill} list calls`,
      `list calls <= ${most}`,
      perBackfill <= most && calls.otherApi === 0,
      'calls',
    )
    report('  peak RSS', `${backfill.rssMiB.toFixed(1)} MiB`, '<= 100 MiB', backfill.rssMiB <= 100)
  }

  for (const count of smoke ? [500, 5000] : [500, 5000, 20_000]) await benchSync(count)
  await benchImport({
    smoke,
    sandbox,
    env,
    report,
    runCli: (args, environment) => runNode([cli, ...args], environment, sandbox),
  })
} finally {
  await cleanUp()
}

if (misses.length > 0) {
  console.error(`\nbench: request counts missed their target: ${misses.join('; ')}.`)
  process.exitCode = 1
}
