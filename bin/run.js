#!/usr/bin/env node

// First, in syntax every Node parses and before anything is loaded: on an older Node the CLI would run
// and print wrong results (activity ids above 2^53 lose digits). Keep in step with package.json engines.
const [major, minor] = process.versions.node.split('.').map(Number)
if (major < 22 || (major === 22 && minor < 13)) {
  console.error(`weeknotes needs Node.js 22.13 or newer, but this is Node.js ${process.versions.node}.`)
  process.exit(1)
}

// A bare `--version` is answered here, without loading oclif (about three quarters of its start-up):
// the line oclif's Config prints, `name/version platform-arch node-vX`. Anything else, and WSL (which
// oclif names `wsl` after a check of its own), goes to oclif.
function versionLine() {
  if (process.argv.length !== 3 || process.argv[2] !== '--version') return undefined
  const fs = process.getBuiltinModule('node:fs')
  const os = process.getBuiltinModule('node:os')
  if (process.platform === 'linux' && mayBeWsl(fs, os)) return undefined

  const pjson = readPackageJson()
  const arch = process.arch === 'ia32' ? 'x86' : process.arch
  return `${pjson.name}/${pjson.version} ${process.platform}-${arch} node-${process.version}\n`
}

// The signs is-wsl looks for; a false alarm only costs the slow path.
function mayBeWsl(fs, os) {
  let kernel = os.release()
  try {
    kernel += fs.readFileSync('/proc/version', 'utf8')
  } catch {
    // No /proc (a container without it): the release string has to do.
  }
  return /microsoft/i.test(kernel) || fs.existsSync('/run/WSL')
}

const root = new URL('..', import.meta.url)
const bundle = new URL('dist/index.js', root)
const readPackageJson = () =>
  JSON.parse(process.getBuiltinModule('node:fs').readFileSync(new URL('package.json', root), 'utf8'))

/**
 * The bundle (scripts/bundle.js), CommonJS, compiled with V8's code cache from an earlier run when there is
 * one. Node's own compile cache (which still serves every other file) is written when a file is compiled,
 * before it runs, so it holds little more than the bundle's top level: each function that runs is compiled
 * again on every start. This cache is written after a run, with what that run compiled: a fifth to a quarter
 * of the time of `generate --help` and of a week's `generate` (README, Performance). It lives in a directory
 * of its own inside Node's compile cache, and is off with it (NODE_DISABLE_COMPILE_CACHE=1).
 */
function loadCli() {
  const nodeModule = process.getBuiltinModule('node:module')
  const file = process.getBuiltinModule('node:url').fileURLToPath(bundle)
  const require = nodeModule.createRequire(file)
  // Registered where `require` looks first: oclif requires the bundle again for its commands and help class.
  if (require.cache[file]) return require.cache[file].exports
  const module = new nodeModule.Module(file)
  module.filename = file
  require.cache[file] = module

  const fs = process.getBuiltinModule('node:fs')
  const vm = process.getBuiltinModule('node:vm')
  const nodeDirectory = nodeModule.getCompileCacheDir?.()
  // A directory of its own: Node makes its own with the umask's mode (775 under user private groups).
  const directory = nodeDirectory && ownDirectory(fs, `${nodeDirectory}/weeknotes`)
  const cache = codeCache(directory, file, fs.statSync(file))
  const cachedData = cache && readIfIntact(readIfPresent(fs, cache.file))
  const script = new vm.Script(nodeModule.wrap(fs.readFileSync(file, 'utf8')), {
    filename: file,
    cachedData,
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  })
  withoutLoaderWarning()
  if (cache && (!cachedData || script.cachedDataRejected)) saveOnExit(fs, vm, script, cache)
  script.runInThisContext().call(module.exports, module.exports, require, module, file, dirname(file))
  module.loaded = true
  return module.exports
}

/**
 * The bundle's `import()` (the keyring binding, `open`, Handlebars' compiler) goes through Node's own loader,
 * as it would from a file Node loaded, but Node still calls that option of `vm` experimental and prints a
 * warning at the first `import()`: on stderr of every run, where a cron job mails it. Only that warning is
 * dropped; every other goes through as usual.
 */
function withoutLoaderWarning() {
  const emitWarning = process.emitWarning
  process.emitWarning = function (warning, ...rest) {
    if (String(warning?.message ?? warning).startsWith('vm.USE_MAIN_CONTEXT_DEFAULT_LOADER ')) return
    return emitWarning.call(process, warning, ...rest)
  }
}

const dirname = (file) => process.getBuiltinModule('node:path').dirname(file)

/**
 * `path`, made with mode 700 when missing, if it is a directory of this user's that no other can write to:
 * code read from a cache runs as this user's, so one planted by another user of the machine (in a shared
 * temp dir) must never be read. Windows: per-user, no owner to check.
 */
function ownDirectory(fs, path) {
  let stats
  try {
    // Looked at first: on every start but the first it is there, and a mkdir would throw.
    stats = fs.lstatSync(path, {throwIfNoEntry: false})
    if (!stats) {
      fs.mkdirSync(path, {mode: 0o700})
      stats = fs.lstatSync(path)
    }
  } catch {
    return undefined
  }
  return stats.isDirectory() && (!process.getuid || ownedAndPrivate(stats)) ? path : undefined
}

const ownedAndPrivate = (stats) => stats.uid === process.getuid() && (stats.mode & 0o022) === 0

/**
 * Where Node's compile cache goes unless $NODE_COMPILE_CACHE says: a directory of this user's in the temp dir,
 * not Node's default ($TMPDIR/node-compile-cache), which the first user to make it shares with every other
 * (Node reads a cache from it whoever wrote it). `null` when that directory is another user's or others can
 * write to it: no compile cache then. `undefined`: Node's choice.
 */
function compileCacheDirectory(fs) {
  if (!process.getuid || process.env.NODE_COMPILE_CACHE) return undefined
  const {join} = process.getBuiltinModule('node:path')
  const temporary = process.getBuiltinModule('node:os').tmpdir()
  return ownDirectory(fs, join(temporary, `weeknotes-compile-cache-${process.getuid()}`)) ?? null
}

/** A short name for a string (djb2): file names of caches, not security. */
function nameFor(text) {
  let hash = 5381
  for (let i = 0; i < text.length; i++) hash = (hash * 33 + text.charCodeAt(i)) >>> 0
  return hash.toString(36)
}

/**
 * A cache per install, build, V8 setting and command. V8 checks its own version and flags but knows the
 * source only by its length, so the name carries the bundle's size, times and inode (a rebuild or reinstall
 * starts afresh). The change time too: a tarball sets the modification time (npm pack's are all 1985-10-26)
 * and `tar -x` over an install rewrites the file in place (same inode), but nothing sets the change time
 * back. Node's directory is one per Node version. Per command (and its --help), because each
 * run caches what it compiled: the login's cache would leave most of `generate` to compile.
 */
function codeCache(directory, file, stats) {
  if (!directory) return undefined
  const words = []
  for (const arg of process.argv.slice(2)) {
    if (!/^[a-z][a-z-]*$/.test(arg) || words.length === 2) break
    words.push(arg)
  }
  if (process.argv.includes('--help')) words.push('help')
  const install = `weeknotes-${nameFor(file)}-`
  const build = `${install}${stats.size}-${Math.trunc(stats.mtimeMs)}-${Math.trunc(stats.ctimeMs)}-${stats.ino}-`
  const settings = nameFor(`${process.execArgv.join(' ')} ${process.env.NODE_OPTIONS ?? ''}`)
  return {directory, install, build, file: `${directory}/${build}${settings}-${words.join('_') || 'root'}.v8`}
}

/**
 * The cache, if it is a file of this user's that no other can write to, checked on the file opened: the
 * directory checked at start may have been swapped for another since (by whoever may write to its parent).
 */
function readIfPresent(fs, file) {
  let fd
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW ?? 0))
    const stats = fs.fstatSync(fd)
    if (!stats.isFile() || (process.getuid && !ownedAndPrivate(stats))) return undefined
    return fs.readFileSync(fd)
  } catch {
    return undefined
  } finally {
    if (fd !== undefined) fs.closeSync(fd)
  }
}

/**
 * The cache without its checksum, if that matches. V8 checks a cache's header (its version, flags, the
 * source's length) but not its contents: a damaged one (a disk error, a write cut short by a crash) would be
 * taken, crash every run (SIGSEGV, SIGTRAP, a TypeError) and, taken, never be written again.
 */
function readIfIntact(data) {
  if (!data || data.length < 4) return undefined
  const content = data.subarray(0, -4)
  return process.getBuiltinModule('node:zlib').crc32(content) === data.readUInt32LE(data.length - 4)
    ? content
    : undefined
}

/**
 * At exit, the code of every function the run compiled, unless the run changed V8's flags (a long sync tunes
 * its heap), which V8 would refuse the cache for. A cache is never worth failing a run for.
 */
function saveOnExit(fs, vm, script, cache) {
  const flagsAtStart = new vm.Script('0', {filename: 'weeknotes:flags-at-start'}).createCachedData()
  const temporary = `${cache.file}.${process.pid}.tmp`
  process.once('exit', (code) => {
    // A failed run (not logged in, a bad flag) stops early: its cache, taken by every later run, would be kept.
    if (code !== 0) return
    try {
      // Another name, or V8 would reuse the script compiled at start instead of checking the data against its flags.
      const probe = new vm.Script('0', {filename: 'weeknotes:flags-at-exit', cachedData: flagsAtStart})
      if (probe.cachedDataRejected) return
      const data = script.createCachedData()
      const checksum = new Uint8Array(4)
      new DataView(checksum.buffer).setUint32(0, process.getBuiltinModule('node:zlib').crc32(data), true)
      // A new file (wx): never written through a link planted under its name.
      fs.writeFileSync(temporary, data, {flag: 'wx', mode: 0o600})
      fs.appendFileSync(temporary, checksum)
      fs.renameSync(temporary, cache.file)
      // This install's earlier builds go: not a set per upgrade. Other installs keep theirs unless unchanged for
      // a month (gone, or moved: npx, a removed checkout); one still in use is written again on its next run.
      const monthAgo = Date.now() - 30 * 86_400_000
      for (const name of fs.readdirSync(cache.directory)) {
        const path = `${cache.directory}/${name}`
        if (name.startsWith(cache.build)) continue
        if (name.startsWith(cache.install) || fs.statSync(path).mtimeMs < monthAgo) fs.rmSync(path, {force: true})
      }
    } catch {
      // Unwritable or full: the next run compiles as this one did.
      fs.rmSync(temporary, {force: true})
    }
  })
}

const version = versionLine()
if (version) {
  // Should the write fail (a closed pipe, a full disk), the CLI's own handler says so, as for any output.
  process.stdout.once('error', (error) => {
    loadCli().handleStdoutErrors()
    process.stdout.emit('error', error)
  })
  process.stdout.write(version)
} else {
  // Node's compile cache ($NODE_COMPILE_CACHE, or a directory of this user's in the temp dir; off with
  // NODE_DISABLE_COMPILE_CACHE=1): later runs skip compiling the files loaded from outside the bundle, and the
  // bundle's own cache goes inside it.
  const compileCache = compileCacheDirectory(process.getBuiltinModule('node:fs'))
  if (compileCache !== null) process.getBuiltinModule('node:module').enableCompileCache?.(compileCache)
  const {execute, handleStdoutErrors} = loadCli()
  handleStdoutErrors()
  // The package root and its package.json as oclif would find them, handed over: its search costs ~3 ms.
  // No user plugins (weeknotes has no `plugins` command): oclif would read a package.json in the data directory
  // at every start, and warn when that directory is unusable before weeknotes can say so in a sentence.
  const packageRoot = process.getBuiltinModule('node:url').fileURLToPath(root)
  await execute({loadOptions: {root: packageRoot, pjson: readPackageJson(), userPlugins: false}})
}
