// What bin/run.js does to start fast (README, Performance), checked on the built CLI: the bundle's V8 code
// cache (written after a first run, used by the next, replaced when damaged, never written when V8's flags
// changed or Node's compile cache is off), and a start that never sets up ICU's collator.
import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {chmod, cp, mkdir, readdir, readFile, stat, symlink, utimes, writeFile} from 'node:fs/promises'
import {dirname, join} from 'node:path'
import {test} from 'node:test'

import {builtCli, cliEnvironment, createCliHome, repoRoot, runCli, type CliHome} from '../support/cli.js'
import {useCiModeCli} from '../support/ci-mode.js'

const ci = useCiModeCli()
/** Windows has no owners and modes to check (fs.Stats' mode shows only the read-only attribute): a cache is per user there. */
const posixModes = {skip: process.platform === 'win32' ? 'no POSIX owners and modes on Windows' : false}

/** The bundle's code caches under `directory`, by file name. */
async function codeCaches(directory: string): Promise<string[]> {
  const entries = await readdir(directory, {recursive: true, withFileTypes: true}).catch(() => [])
  return entries.filter((e) => e.isFile() && /^weeknotes-.*\.v8$/.test(e.name)).map((e) => join(e.parentPath, e.name))
}

async function withHome(t: {after: (fn: () => Promise<void>) => void}): Promise<CliHome> {
  const home = await createCliHome()
  t.after(() => home.remove())
  return home
}

test('the code cache: written by a first run, used by the next, replaced when damaged', async (t) => {
  const home = await withHome(t)
  const compileCache = join(home.root, 'compile-cache')
  const env = cliEnvironment(home, {NODE_COMPILE_CACHE: compileCache})

  const first = await runCli(['generate', '--help'], {env})
  assert.equal(first.code, 0, first.stderr)
  const [cache, ...others] = await codeCaches(compileCache)
  assert.deepEqual(others, [], 'one cache for one command')
  assert.match(cache, /-generate_help\.v8$/)
  const written = await stat(cache)
  if (process.platform !== 'win32') assert.equal(written.mode & 0o777, 0o600)

  // Used, so left as it is: a refused cache would have been written again.
  const second = await runCli(['generate', '--help'], {env})
  assert.equal(second.stdout, first.stdout)
  const kept = await stat(cache)
  assert.deepEqual([kept.ino, kept.mtimeMs], [written.ino, written.mtimeMs])

  await writeFile(cache, 'not a code cache')
  const damaged = await runCli(['generate', '--help'], {env})
  assert.equal(damaged.code, 0, damaged.stderr)
  assert.equal(damaged.stdout, first.stdout)
  assert.ok((await stat(cache)).size > 100_000, 'a damaged cache is replaced')

  // Damaged past its header, which is all V8 checks: taken, it crashed the CLI at every start.
  const intact = await readFile(cache)
  const damagedInside = Buffer.from(intact)
  damagedInside.fill(0x5a, 5000, 5008)
  await writeFile(cache, damagedInside)
  const inside = await runCli(['generate', '--help'], {env})
  assert.deepEqual([inside.code, inside.stdout], [0, first.stdout], inside.stderr)
  assert.ok(!(await readFile(cache)).equals(damagedInside), 'a cache damaged inside is replaced')

  // Another command, another cache; the first stays. Another install's stays too, unless a month old.
  const otherInstall = (name: string) => join(dirname(cache), `weeknotes-another-install-${name}.v8`)
  await writeFile(otherInstall('recent'), 'x')
  await writeFile(otherInstall('stale'), 'x')
  const monthAndDayAgo = new Date(Date.now() - 31 * 86_400_000)
  await utimes(otherInstall('stale'), monthAndDayAgo, monthAndDayAgo)
  assert.equal((await runCli(['--help'], {env})).code, 0)
  const caches = await codeCaches(compileCache)
  assert.equal(caches.length, 3)
  assert.ok(caches.includes(cache) && caches.includes(otherInstall('recent')))
})

/** A copy of the built package under `root` (its node_modules linked), to change its bundle. */
async function copyOfPackage(root: string): Promise<{bin: string; bundle: string}> {
  const copy = join(root, 'package')
  await mkdir(copy)
  for (const part of ['bin', 'dist', 'templates', 'package.json', 'oclif.manifest.json'])
    await cp(join(repoRoot, part), join(copy, part), {recursive: true, preserveTimestamps: true})
  await symlink(join(repoRoot, 'node_modules'), join(copy, 'node_modules'), 'junction')
  return {bin: join(copy, 'bin', 'run.js'), bundle: join(copy, 'dist', 'index.js')}
}

/** Runs `bin`; with `umask`, under that umask (set by a shell: the test process's is shared by every test file). */
function runBin(
  bin: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  umask?: string,
): Promise<{code: number | null; stdout: string}> {
  return new Promise((resolve, reject) => {
    const command = [process.execPath, bin, ...args]
    const [file, ...rest] = umask ? ['/bin/sh', '-c', `umask ${umask} && exec "$@"`, 'sh', ...command] : command
    const child = spawn(file, rest, {cwd: env.HOME, env, stdio: ['ignore', 'pipe', 'inherit']})
    let stdout = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.on('error', reject)
    child.on('close', (code) => resolve({code, stdout}))
  })
}

test('a bundle rewritten in place with the same size and modification time (tar -x of a new version) is not served the old code', async (t) => {
  const home = await withHome(t)
  const env = cliEnvironment(home, {NODE_COMPILE_CACHE: join(home.root, 'compile-cache')})
  const {bin, bundle} = await copyOfPackage(home.root)
  const before = await runBin(bin, ['--help'], env)
  assert.match(before.stdout, /^COMMANDS$/m)
  assert.equal((await codeCaches(home.root)).length, 1)

  // The next version: one string changed, same length; written in place (same inode), times set back.
  const old = await stat(bundle)
  const source = await readFile(bundle, 'utf8')
  assert.equal(source.split('"COMMANDS"').length, 2)
  await writeFile(bundle, source.replace('"COMMANDS"', '"COMMANDZ"'))
  await utimes(bundle, old.atime, old.mtime)
  const now = await stat(bundle)
  assert.deepEqual([now.size, now.mtimeMs, now.ino], [old.size, old.mtimeMs, old.ino])

  const after = await runBin(bin, ['--help'], env)
  assert.match(after.stdout, /^COMMANDZ$/m)
})

test('a code cache in a directory others can write to is neither read nor written', posixModes, async (t) => {
  const home = await withHome(t)
  const env = cliEnvironment(home, {NODE_COMPILE_CACHE: join(home.root, 'compile-cache')})
  assert.equal((await runCli(['--help'], {env})).code, 0)
  const [cache] = await codeCaches(home.root)
  await chmod(dirname(cache), 0o777)
  await writeFile(cache, 'planted by another user')
  const run = await runCli(['--help'], {env})
  assert.equal(run.code, 0, run.stderr)
  assert.equal(await readFile(cache, 'utf8'), 'planted by another user')
})

test('with the umask of user private groups (002), the code cache is still written and read', posixModes, async (t) => {
  const home = await withHome(t)
  const env = cliEnvironment(home, {NODE_COMPILE_CACHE: join(home.root, 'compile-cache')})
  assert.equal((await runBin(builtCli, ['--help'], env, '002')).code, 0)
  const [cache, ...others] = await codeCaches(home.root)
  assert.deepEqual(others, [])
  const written = await stat(cache)
  assert.equal((await runBin(builtCli, ['--help'], env, '002')).code, 0)
  const kept = await stat(cache)
  assert.deepEqual([kept.ino, kept.mtimeMs], [written.ino, written.mtimeMs], 'read, not written again')
})

test('a cache file another user could have written is not read, even in a private directory', posixModes, async (t) => {
  const home = await withHome(t)
  const env = cliEnvironment(home, {NODE_COMPILE_CACHE: join(home.root, 'compile-cache')})
  assert.equal((await runCli(['--help'], {env})).code, 0)
  const [cache] = await codeCaches(home.root)
  const written = await stat(cache)
  await chmod(cache, 0o666)
  assert.equal((await runCli(['--help'], {env})).code, 0)
  const after = await stat(cache)
  assert.notEqual(after.ino, written.ino, 'not read: written again')
  assert.equal(after.mode & 0o777, 0o600)
})

test(
  "Node's compile cache: a directory of this user's in the temp dir, not used when others can write to it",
  posixModes,
  async (t) => {
    const uid = process.getuid?.() ?? 0
    const home = await withHome(t)
    assert.equal((await runCli(['--help'], {env: cliEnvironment(home)})).code, 0)
    const mine = join(home.root, 'tmp', `weeknotes-compile-cache-${uid}`)
    assert.equal((await stat(mine)).mode & 0o777, 0o700)
    assert.equal((await codeCaches(mine)).length, 1)
    assert.deepEqual(await readdir(join(home.root, 'tmp')), [`weeknotes-compile-cache-${uid}`])

    // Made first by another user of the machine, for them to plant caches in: neither Node nor weeknotes reads it.
    const other = await withHome(t)
    const planted = join(other.root, 'tmp', `weeknotes-compile-cache-${uid}`)
    await mkdir(planted)
    await chmod(planted, 0o777)
    assert.equal((await runCli(['--help'], {env: cliEnvironment(other)})).code, 0)
    assert.deepEqual(await readdir(join(other.root, 'tmp'), {recursive: true}), [`weeknotes-compile-cache-${uid}`])
  },
)

test('no code cache when Node compile cache is off, or when the run changed V8 flags', async (t) => {
  const home = await withHome(t)
  const off = await runCli(['generate', '--help'], {env: cliEnvironment(home, {NODE_DISABLE_COMPILE_CACHE: '1'})})
  assert.equal(off.code, 0, off.stderr)
  assert.deepEqual(await codeCaches(home.root), [])

  // A flag set while the CLI runs, as a long sync sets one: V8 would refuse a cache written afterwards. Set at
  // exit, by a listener that runs before bin/run.js's (registered first): a timer of the preload can fire
  // before bin/run.js starts (Node 22), and the flag would then be there from the start.
  const setFlag =
    "process.on('exit',()=>process.getBuiltinModule('node:v8').setFlagsFromString('--semi-space-growth-factor=1'))"
  const flagged = await runCli(['generate', '--help'], {
    env: cliEnvironment(home, {NODE_OPTIONS: `--import=data:text/javascript,${setFlag}`}),
  })
  assert.equal(flagged.code, 0, flagged.stderr)
  assert.deepEqual(await codeCaches(home.root), [])

  // The same preload without the flag: the cache is written, so the flag is what kept it out.
  const unflagged = await runCli(['generate', '--help'], {
    env: cliEnvironment(home, {NODE_OPTIONS: "--import=data:text/javascript,process.on('exit',()=>{})"}),
  })
  assert.equal(unflagged.code, 0, unflagged.stderr)
  assert.equal((await codeCaches(home.root)).length, 1)
})

test("a week's generate caches its code; a half-year backfill tunes V8's heap, so caches none", async () => {
  ci.emulator.setActivities(ci.emulator.makeActivities(30, {weekStart: '2024-03-04'}))
  const week = join(ci.home.root, 'week-cache')
  const run = await runCli(['generate', '--week', '2024-W10'], {env: ci.env({NODE_COMPILE_CACHE: week})})
  assert.equal(run.code, 0, run.stderr)
  assert.equal((await codeCaches(week)).length, 1)

  const backfill = join(ci.home.root, 'backfill-cache')
  const out = join(ci.home.root, 'notes')
  const args = ['generate', '--from', '2024-W01', '--to', '2024-W26', '--out-dir', out]
  const long = await runCli(args, {env: ci.env({NODE_COMPILE_CACHE: backfill})})
  assert.equal(long.code, 0, long.stderr)
  assert.deepEqual(await codeCaches(backfill), [])
})

test('a failed run caches nothing: its cache, of an early stop, would be the one every later run takes', async () => {
  ci.emulator.setActivities(ci.emulator.makeActivities(30, {weekStart: '2024-03-04'}))
  const directory = join(ci.home.root, 'failed-first-cache')
  const env = cliEnvironment(ci.home, {NODE_COMPILE_CACHE: directory, WEEKNOTES_DATA_DIR: ci.dataDir})
  const failed = await runCli(['generate', '--week', '2024-W10'], {env})
  assert.notEqual(failed.code, 0)
  assert.deepEqual(await codeCaches(directory), [])
  const run = await runCli(['generate', '--week', '2024-W10'], {env: ci.env({NODE_COMPILE_CACHE: directory})})
  assert.equal(run.code, 0, run.stderr)
  assert.equal((await codeCaches(directory)).length, 1)
})

test('a start never sets up ICU collator (about 10 ms): oclif sorts its command ids by code point', async (t) => {
  // What makes the bundle's code-point sort (scripts/bundle.js) list the commands as oclif's own would.
  const manifest = JSON.parse(await readFile(join(repoRoot, 'oclif.manifest.json'), 'utf8')) as {commands: object}
  const ids = Object.keys(manifest.commands)
  assert.deepEqual(
    [...ids].sort(),
    [...ids].sort((a, b) => a.localeCompare(b)),
  )

  const home = await withHome(t)
  const noCollator =
    "--import=data:text/javascript,String.prototype.localeCompare=Intl.Collator=()=>{throw(Error('collator'))}"
  for (const args of [['--help'], ['generate', '--help'], ['auth', 'status']]) {
    const plain = await runCli(args, {env: cliEnvironment(home)})
    const watched = await runCli(args, {env: cliEnvironment(home, {NODE_OPTIONS: noCollator})})
    assert.deepEqual([watched.code, watched.stdout, watched.stderr], [plain.code, plain.stdout, plain.stderr])
  }
})
