// `npm run demo`: the real CLI, end to end, against the bundled Strava emulator.
// Logs in (the emulator approves consent by itself, the "browser" is scripts/demo-browser.js), then
// prints the digest of 2024-W10. Everything lives in a temporary directory that is removed at the
// end, secrets included: they go to the --insecure-storage file there, never to your keyring.
import {spawn} from 'node:child_process'
import {existsSync, readdirSync, statSync} from 'node:fs'
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {createInterface} from 'node:readline'
import {fileURLToPath} from 'node:url'

import {startStravaEmulator} from 'strava-emulator'
import {sandboxEnvironment} from './sandbox-env.js'

const root = fileURLToPath(new URL('..', import.meta.url))
const cli = join(root, 'bin', 'run.js')
const say = (line: string) => console.error(`demo: ${line}`)

/** The newest modification time under `path` (a file or a directory of sources). */
function newest(path: string): number {
  const stat = statSync(path)
  if (!stat.isDirectory()) return stat.mtimeMs
  return Math.max(0, ...readdirSync(path).map((name) => newest(join(path, name))))
}

/** `npm ci` has built it already; build again only when the sources changed since, without npm's chatter. */
async function buildIfStale(): Promise<void> {
  const manifest = join(root, 'oclif.manifest.json')
  const inputs = ['src', 'package.json', 'tsconfig.json'].map((name) => newest(join(root, name)))
  if (existsSync(manifest) && statSync(manifest).mtimeMs >= Math.max(...inputs)) return
  say('building weeknotes (the sources changed since the last build)...')
  const output: Buffer[] = []
  const child = spawn('npm', ['run', '--silent', 'build'], {cwd: root, shell: process.platform === 'win32'})
  child.stdout.on('data', (chunk: Buffer) => output.push(chunk))
  child.stderr.on('data', (chunk: Buffer) => output.push(chunk))
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
  if (code !== 0) {
    process.stderr.write(Buffer.concat(output))
    throw new Error('`npm run build` failed')
  }
}

// The demo has already said where the login goes; the CLI repeats it at every use, as it should for
// a real login, so the demo keeps that warning (wrapped over several lines by oclif) out of its output.
const storageWarning = /Warning: Strava credentials are stored unencrypted/
const storageWarningEnd = /\(--insecure-storage\)\.\s*$/

function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  console.error(`\n$ weeknotes ${args.join(' ')}`)
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], {env, stdio: ['ignore', 'inherit', 'pipe']})
    let skipping = false
    createInterface({input: child.stderr, crlfDelay: Infinity}).on('line', (line) => {
      if (storageWarning.test(line)) skipping = true
      if (!skipping) console.error(line)
      if (skipping && storageWarningEnd.test(line)) skipping = false
    })
    child.on('error', reject)
    child.on('close', (code) => resolve(code ?? 1))
  })
}

await buildIfStale()
const emulator = await startStravaEmulator({autoApprove: true, seed: 'demo'})
const sandbox = await mkdtemp(join(tmpdir(), 'weeknotes-demo-'))
const env = sandboxEnvironment(emulator, sandbox)

try {
  say(`a Strava emulator (a local stand-in for Strava, no account needed) answers on ${emulator.url}`)
  say(`and approves the consent by itself. The login is kept in a plain file in ${sandbox}`)
  say('(--insecure-storage), not in your keyring, and deleted at the end.')
  const loginCode = await runCli(['auth', '--insecure-storage'], env)
  if (loginCode !== 0) throw new Error(`weeknotes auth exited with ${loginCode}`)

  const generateCode = await runCli(['generate', '--week', '2024-W10'], env)
  if (generateCode !== 0) throw new Error(`weeknotes generate exited with ${generateCode}`)
} catch (error) {
  console.error(`demo failed: ${(error as Error).message}.`)
  process.exitCode = 1
} finally {
  await emulator.close()
  await rm(sandbox, {force: true, recursive: true})
}
