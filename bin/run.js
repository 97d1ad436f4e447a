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

  const pjson = JSON.parse(fs.readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
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

// The bundle (scripts/bundle.js), CommonJS: required, not imported, which would first scan it for exports.
const loadCli = () => process.getBuiltinModule('node:module').createRequire(import.meta.url)('../dist/index.js')

const version = versionLine()
if (version) {
  // Should the write fail (a closed pipe, a full disk), the CLI's own handler says so, as for any output.
  process.stdout.once('error', (error) => {
    loadCli().handleStdoutErrors()
    process.stdout.emit('error', error)
  })
  process.stdout.write(version)
} else {
  // V8's compiled code for the bundle, kept by Node (in the temp dir, or $NODE_COMPILE_CACHE; off with
  // NODE_DISABLE_COMPILE_CACHE=1): later runs skip compiling, about a seventh of the CPU time of `generate`.
  process.getBuiltinModule('node:module').enableCompileCache?.()
  const {execute, handleStdoutErrors} = loadCli()
  handleStdoutErrors()
  await execute({dir: import.meta.url})
}
