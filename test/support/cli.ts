import {type ChildProcessWithoutNullStreams, spawn} from 'node:child_process'
import {existsSync} from 'node:fs'
import {mkdir, mkdtemp, readdir, readFile, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url))
export const builtCli = join(repoRoot, 'bin', 'run.js')
export const fakeBrowserScript = join(repoRoot, 'test', 'support', 'fake-browser.js')

/**
 * A throwaway home for one test: the CLI sees nothing of the developer's real config, cache or data,
 * and everything it writes (temporary files included) lands under `root`.
 */
export interface CliHome {
  root: string
  home: string
  configDir: string
  cacheDir: string
  dataDir: string
  /** Where the fake $BROWSER appends one JSON line per call. */
  browserLog: string
  remove(): Promise<void>
}

export async function createCliHome(): Promise<CliHome> {
  const root = await mkdtemp(join(tmpdir(), 'weeknotes-e2e-'))
  const home = join(root, 'home')
  const configDir = join(home, '.config', 'weeknotes')
  const cacheDir = join(home, '.cache', 'weeknotes')
  const dataDir = join(home, '.local', 'share', 'weeknotes')
  await mkdir(home, {recursive: true})
  await mkdir(join(root, 'tmp'))
  return {
    root,
    home,
    configDir,
    cacheDir,
    dataDir,
    browserLog: join(root, 'browser-calls.jsonl'),
    remove: () => rm(root, {recursive: true, force: true}),
  }
}

/**
 * The environment of a CLI run: only what a process needs from the parent (PATH, the D-Bus session
 * of the keyring), never the parent's STRAVA_* or WEEKNOTES_* settings, plus the isolated locations.
 */
export function cliEnvironment(home: CliHome, extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const inherited: NodeJS.ProcessEnv = {}
  for (const name of ['PATH', 'DBUS_SESSION_BUS_ADDRESS', 'LANG', 'SYSTEMROOT']) {
    if (process.env[name] !== undefined) inherited[name] = process.env[name]
  }

  const env: NodeJS.ProcessEnv = {
    ...inherited,
    HOME: home.home,
    // Temporary files too land where the leak scan looks.
    TMPDIR: join(home.root, 'tmp'),
    USERPROFILE: home.home,
    XDG_CONFIG_HOME: join(home.home, '.config'),
    XDG_CACHE_HOME: join(home.home, '.cache'),
    XDG_DATA_HOME: join(home.home, '.local', 'share'),
    XDG_STATE_HOME: join(home.home, '.local', 'state'),
    WEEKNOTES_CONFIG_DIR: home.configDir,
    WEEKNOTES_CACHE_DIR: home.cacheDir,
    WEEKNOTES_DATA_DIR: home.dataDir,
    BROWSER: fakeBrowserScript,
    WEEKNOTES_TEST_BROWSER_LOG: home.browserLog,
    NO_COLOR: '1',
  }
  for (const [name, value] of Object.entries(extra)) {
    if (value === undefined) delete env[name]
    else env[name] = value
  }

  return env
}

export interface CliResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

export interface CliRun {
  child: ChildProcessWithoutNullStreams
  readonly stdout: string
  readonly stderr: string
  /** Resolves with the first match of pattern in stderr (already written or still to come). */
  waitForStderr(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>
  waitForStdout(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>
  write(text: string): void
  endInput(): void
  /** Settles when the process has exited; kills it (SIGKILL) after the run's timeout. */
  result: Promise<CliResult>
}

export interface RunCliOptions {
  env: NodeJS.ProcessEnv
  /** Written to stdin, which is then closed. Leave undefined to keep stdin open (paste mode). */
  input?: string
  timeoutMs?: number
}

/** Starts the BUILT CLI (`node bin/run.js ...`) as a user would, from the isolated home. */
export function startCli(args: string[], options: RunCliOptions): CliRun {
  assertBuilt()
  const child = spawn(process.execPath, [builtCli, ...args], {cwd: options.env.HOME, env: options.env})
  const output = {stdout: '', stderr: ''}
  const listeners = new Set<() => void>()
  let exited = false
  const notify = () => listeners.forEach((listener) => listener())

  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    output.stdout += chunk
    notify()
  })
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    output.stderr += chunk
    notify()
  })
  // A CLI that exits before reading its input makes further writes fail with EPIPE; the exit code says more.
  child.stdin.on('error', () => {})

  const timeoutMs = options.timeoutMs ?? 60_000
  const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
  const result = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code, signal) => {
      exited = true
      clearTimeout(killer)
      notify()
      resolve({code, signal, ...output})
    })
  })

  const waitFor = (stream: 'stdout' | 'stderr', pattern: RegExp, waitMs = 30_000) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const check = () => {
        const match = output[stream].match(pattern)
        if (match) finish(() => resolve(match))
        else if (exited)
          finish(() => reject(new Error(`CLI exited before its ${stream} matched ${pattern}${describe()}`)))
      }

      const timer = setTimeout(
        () => finish(() => reject(new Error(`No ${pattern} on ${stream} within ${waitMs} ms${describe()}`))),
        waitMs,
      )
      const finish = (settle: () => void) => {
        clearTimeout(timer)
        listeners.delete(check)
        settle()
      }

      listeners.add(check)
      check()
    })
  const describe = () => `\n--- stdout:\n${output.stdout}\n--- stderr:\n${output.stderr}`

  if (options.input !== undefined) child.stdin.end(options.input)

  return {
    child,
    get stdout() {
      return output.stdout
    },
    get stderr() {
      return output.stderr
    },
    waitForStderr: (pattern, waitMs) => waitFor('stderr', pattern, waitMs),
    waitForStdout: (pattern, waitMs) => waitFor('stdout', pattern, waitMs),
    write: (text) => child.stdin.write(text),
    endInput: () => child.stdin.end(),
    result,
  }
}

/** Runs the built CLI to completion; stdin gets `input` (or nothing) and is closed at once. */
export function runCli(args: string[], options: Omit<RunCliOptions, 'input'> & {input?: string}): Promise<CliResult> {
  return startCli(args, {...options, input: options.input ?? ''}).result
}

/** Why a test cannot give the CLI a terminal here (undefined when it can): it takes util-linux `script`. */
export const terminalSkipReason =
  process.platform === 'linux' && existsSync('/usr/bin/script')
    ? undefined
    : 'needs util-linux script (/usr/bin/script) for a pseudo-terminal'

/** Runs the built CLI on a pseudo-terminal, from the isolated home; `output` is what the terminal showed. */
export function runCliOnTerminal(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{code: number | null; output: string}> {
  assertBuilt()
  const command = [process.execPath, builtCli, ...args].map((arg) => `'${arg.replace(/'/g, `'\\''`)}'`).join(' ')
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/script', ['-qec', command, '/dev/null'], {env, cwd: env.HOME})
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')))
    child.on('error', reject)
    child.on('close', (code) => resolve({code, output}))
  })
}

/** A missing build fails the test with what to do, rather than with bin/run.js's "Cannot find module". */
function assertBuilt(): void {
  if (!existsSync(join(repoRoot, 'dist', 'index.js'))) {
    throw new Error('These tests run the built CLI: run `npm run build` first (npm test and npm run test:cli do).')
  }
}

export interface SecretSighting {
  file: string
  secret: string
}

/**
 * Every file under root (dot-files included, symlinks not followed) that contains one of the secrets
 * verbatim or URL-encoded. An empty list is the expected outcome.
 */
export async function findSecretsInFiles(root: string, secrets: Iterable<string>): Promise<SecretSighting[]> {
  const needles = secretNeedles(secrets)
  const sightings: SecretSighting[] = []
  const entries = await readdir(root, {recursive: true, withFileTypes: true}).catch(() => [])
  for (const entry of entries) {
    if (!entry.isFile()) continue
    const file = join(entry.parentPath, entry.name)
    const content = await readFile(file, 'latin1')
    for (const [secret, forms] of needles) {
      if (forms.some((form) => content.includes(form))) sightings.push({file, secret: mask(secret)})
    }
  }

  return sightings
}

/** The secrets found in a piece of text (output, a page, an argv), masked so the report does not leak them. */
export function findSecretsInText(text: string, secrets: Iterable<string>): string[] {
  return [...secretNeedles(secrets)]
    .filter(([, forms]) => forms.some((form) => text.includes(form)))
    .map(([secret]) => mask(secret))
}

function secretNeedles(secrets: Iterable<string>): Map<string, string[]> {
  const needles = new Map<string, string[]>()
  for (const secret of secrets) {
    if (secret.length < 8) throw new Error(`Refusing to look for a secret this short: ${mask(secret)}`)
    needles.set(secret, [...new Set([secret, encodeURIComponent(secret)])])
  }

  return needles
}

function mask(secret: string): string {
  return `${secret.slice(0, 3)}…(${secret.length} chars)`
}
