// `npm test` and its tiers (README, Development): `node scripts/test.js [--list] [tier ...]`, all tiers when
// none is named; --list prints each test file's tier instead of running it.
//
// A test file's tier follows from what it needs, read from its imports, so a file keeps its tier
// wherever it moves (test/ or a workspace package's test/). The first tier that matches wins:
//   browser  a real Chromium           imports support/browser.js or playwright-core
//   keyring  the OS keyring            imports support/keyring.js or @napi-rs/keyring
//   cli      node processes            imports support/cli.js (the built CLI: `npm run build` first),
//                                      or starts node itself (process.execPath) for exits and signals
//   unit     none of these: offline, in-process, no build; the Strava emulator on 127.0.0.1 at most
//
// Unit files run in parallel, a few files to a process, one after the other inside it
// (--test-isolation=none): starting tsx for each of ~50 files would cost more than all their tests.
// The other tiers run one file at a time, as the whole suite did before.
import {spawn} from 'node:child_process'
import {existsSync, readdirSync, readFileSync} from 'node:fs'
import {availableParallelism} from 'node:os'
import {join, resolve} from 'node:path'

const root = resolve(import.meta.dirname, '..')
const tierNeeds = {
  browser: /support\/browser\.js'|'playwright-core'/,
  keyring: /support\/keyring\.js'|'@napi-rs\/keyring'/,
  cli: /support\/cli\.js'|process\.execPath/,
}
const tiers = ['unit', 'cli', 'keyring', 'browser']
// oauth-plugin-source: the workspace packages' TypeScript sources, not their builds (packages/*/package.json).
const common = [
  '--conditions=oauth-plugin-source',
  '--import',
  'tsx',
  '--test',
  '--test-timeout=180000',
  '--test-force-exit',
  '--test-reporter=spec',
]
// Node 22.13 knows the flag only by its experimental name.
const noIsolation = process.allowedNodeEnvironmentFlags.has('--test-isolation')
  ? '--test-isolation=none'
  : '--experimental-test-isolation=none'

const args = process.argv.slice(2)
const requested = args.filter((arg) => arg !== '--list')
const unknown = requested.filter((tier) => !tiers.includes(tier))
if (unknown.length > 0) {
  console.error(`Unknown test tier ${unknown.join(', ')}: choose from ${tiers.join(', ')} (and --list).`)
  process.exit(2)
}

const chosen = requested.length > 0 ? requested : tiers
const byTier = Object.groupBy(testFiles(), tierOf)
if (args.includes('--list')) {
  for (const tier of chosen) for (const file of byTier[tier] ?? []) console.log(`${tier}\t${file}`)
} else {
  process.exitCode = await runTiers(chosen)
}

/** Runs the tiers one after the other; the exit code is 1 when any test failed. */
async function runTiers(names) {
  const totals = {}
  let failed = false
  for (const tier of names) {
    const files = byTier[tier] ?? []
    if (files.length === 0) continue
    const runs =
      tier === 'unit'
        ? await runInParallel(files)
        : [await runNode([...common, '--test-concurrency=1', ...files], true)]
    for (const {code, output} of runs) {
      failed ||= code !== 0
      for (const [, name, count] of output.matchAll(/^ℹ (tests|pass|fail|cancelled|skipped|todo) (\d+)$/gm)) {
        totals[name] = (totals[name] ?? 0) + Number(count)
      }
    }
  }

  const counts = Object.entries(totals).map(([name, count]) => `${name} ${count}`)
  console.log(`\n${names.join(', ')}: ${counts.join(', ')}`)
  return failed ? 1 : 0
}

/** Every *.test.ts under test/ and packages/NAME/test/, as paths relative to the repository (with /). */
function testFiles() {
  const packages = existsSync(join(root, 'packages')) ? readdirSync(join(root, 'packages')) : []
  const folders = ['test', ...packages.map((name) => `packages/${name}/test`)]
  return folders
    .filter((folder) => existsSync(join(root, folder)))
    .flatMap((folder) => readdirSync(join(root, folder), {recursive: true}).map((file) => `${folder}/${file}`))
    .map((file) => file.replaceAll('\\', '/'))
    .filter((file) => file.endsWith('.test.ts') && !file.split('/').includes('node_modules'))
    .sort()
}

function tierOf(file) {
  const source = readFileSync(join(root, file), 'utf8')
  return Object.keys(tierNeeds).find((tier) => tierNeeds[tier].test(source)) ?? 'unit'
}

/**
 * The unit files in batches of about six, each batch one process that runs its files one after the other
 * (--test-isolation=none). Two processes per core at a time (the tests wait for I/O much of the time),
 * each taking the next batch when it is done, so that no process is left with all the slow files. Files
 * that start child processes, the slowest, are dealt first, one to a batch, and their batches run first.
 */
async function runInParallel(files) {
  const spawns = (file) => /'node:child_process'/.test(readFileSync(join(root, file), 'utf8'))
  const dealt = [...files.filter(spawns), ...files.filter((file) => !spawns(file))]
  const count = Math.ceil(files.length / 6)
  const batches = Array.from({length: count}, (_, index) => dealt.filter((_, position) => position % count === index))
  const results = []
  const worker = async () => {
    for (let batch = batches.shift(); batch; batch = batches.shift()) {
      results.push(await runNode([...common, noIsolation, ...batch], false))
    }
  }

  await Promise.all(Array.from({length: 2 * availableParallelism()}, worker))
  return results
}

/** Runs node with args from the repository root; live output streams as it comes, else it is printed at the end. */
function runNode(args, live) {
  const child = spawn(process.execPath, args, {cwd: root, stdio: ['ignore', 'pipe', 'inherit']})
  let output = ''
  child.stdout.setEncoding('utf8').on('data', (chunk) => {
    output += chunk
    if (live) process.stdout.write(chunk)
  })
  return new Promise((done) => {
    child.on('close', (code) => {
      if (!live) process.stdout.write(`\n${output}`)
      done({code, output})
    })
  })
}
