// The built CLI as a user meets it: pipes closed early, full disks, paths that are not what they seem,
// mistyped commands, and a terminal that shows what it waits for. Exit codes as the README documents them.
import assert from 'node:assert/strict'
import {type ChildProcess, spawn} from 'node:child_process'
import {closeSync, existsSync, mkdtempSync, openSync} from 'node:fs'
import {mkdir, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {after, before, beforeEach, test} from 'node:test'

import {builtCli, cliEnvironment, createCliHome, runCli, type CliHome} from '../support/cli.js'
import {startStravaEmulator, type StravaEmulator} from '../emulator/index.js'

let emulator: StravaEmulator
let home: CliHome

before(async () => {
  emulator = await startStravaEmulator({seed: 'empty'})
  emulator.setRateLimits({overall: [100_000, 1_000_000], read: [100_000, 1_000_000]})
  home = await createCliHome()
})
after(async () => {
  await emulator.close()
  await home.remove()
})
beforeEach(() => emulator.setActivities(emulator.makeActivities(30, {weekStart: '2024-03-04'})))

function ciEnv(extra: Record<string, string | undefined> = {}) {
  return cliEnvironment(home, {
    STRAVA_CLIENT_ID: emulator.client.id,
    STRAVA_CLIENT_SECRET: emulator.client.secret,
    STRAVA_REFRESH_TOKEN: emulator.issueTokens().refreshToken,
    STRAVA_API_URL: emulator.apiUrl,
    STRAVA_OAUTH_URL: emulator.oauthUrl,
    ...extra,
  })
}

const plain = (text: string) => text.replace(/›/g, ' ').replace(/\s+/g, ' ')

/**
 * Runs the built CLI with stdout a pipe or a file descriptor. The pipe's reading end is closed at once (as
 * `| true` does) or after the first chunk (as `| head -1` does).
 */
function runWith(args: string[], env: NodeJS.ProcessEnv, stdout: 'pipe' | number, readFirstChunkThenClose = false) {
  const child: ChildProcess = spawn(process.execPath, [builtCli, ...args], {
    cwd: env.HOME,
    env,
    stdio: ['ignore', stdout, 'pipe'],
  })
  let stderr = ''
  let first = ''
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk))
  if (stdout === 'pipe') {
    if (readFirstChunkThenClose) {
      child.stdout!.once('data', (chunk: Buffer) => {
        first = chunk.toString('utf8')
        child.stdout!.destroy()
      })
    } else child.stdout!.destroy()
  }

  return new Promise<{code: number | null; stderr: string; first: string}>((resolve) =>
    child.on('close', (code: number | null) => resolve({code, stderr, first})),
  )
}

test('a pipe closed early ends quietly with 0: --help | head -1, --version | true, generate | true', async () => {
  const help = await runWith(['--help'], cliEnvironment(home), 'pipe', true)
  assert.match(help.first, /Markdown digest/)
  assert.deepEqual({code: help.code, stderr: help.stderr}, {code: 0, stderr: ''})
  for (const args of [['--version'], ['generate', '--week', '2024-W10']]) {
    const result = await runWith(args, ciEnv(), 'pipe')
    assert.equal(result.code, 0, `${args.join(' ')}: ${result.stderr}`)
    assert.doesNotMatch(result.stderr, /unsettled|Error|at /, args.join(' '))
  }
})

test('generate > /dev/full exits 6 with one sentence, no stack trace', async (t) => {
  if (!existsSync('/dev/full')) return t.skip('needs /dev/full')
  const full = openSync('/dev/full', 'w')
  try {
    const result = await runWith(['generate', '--week', '2024-W10'], ciEnv(), full)
    assert.equal(result.code, 6, result.stderr)
    // (A warning about the rotated refresh token may come first: CI mode.)
    assert.match(
      result.stderr,
      /The output could not be written \(the disk is full\); free some space or write it elsewhere\.\n$/,
    )
    assert.doesNotMatch(result.stderr, /^\s+at /m)
  } finally {
    closeSync(full)
  }
})

test('a mistyped command suggests the closest one (exit 2)', async () => {
  const result = await runCli(['generat'], {env: cliEnvironment(home)})
  assert.equal(result.code, 2)
  assert.match(plain(result.stderr), /"generat" is not a weeknotes command\. Did you mean `weeknotes generate`\?/)
  const logout = await runCli(['logout'], {env: cliEnvironment(home)})
  assert.match(plain(logout.stderr), /Did you mean `weeknotes auth logout`\?/)
})

test('user errors get their documented codes, never "Unexpected failure"', async () => {
  const file = join(home.root, 'a-file')
  await writeFile(file, 'x')
  const directory = join(home.root, 'a-directory')
  await mkdir(directory, {recursive: true})
  const damaged = join(home.root, 'damaged-config')
  await mkdir(damaged, {recursive: true})
  await writeFile(join(damaged, 'config.json'), '{"clientId": "1", "sess')

  const cases: {args: string[]; env: NodeJS.ProcessEnv; code: number; message: RegExp}[] = [
    {args: ['--out-dir', file], env: ciEnv(), code: 2, message: /a-file is not a directory/},
    {args: ['--output', directory, '--force'], env: ciEnv(), code: 2, message: /a-directory is a directory/},
    {args: ['--output', '/dev/null', '--force'], env: ciEnv(), code: 2, message: /\/dev\/null is a device/},
    {
      args: [],
      env: ciEnv({STRAVA_API_URL: 'ftp://user:hunter2-pw@example.com/api'}),
      code: 2,
      message: /uses ftp:, not https:; check STRAVA_API_URL/,
    },
    {
      args: [],
      env: ciEnv({STRAVA_API_URL: emulator.apiUrl.replace('http:', 'https:')}),
      code: 5,
      message: /secure connection to 127\.0\.0\.1:\d+ failed/,
    },
    {
      args: [],
      env: cliEnvironment(home, {WEEKNOTES_CONFIG_DIR: damaged}),
      code: 3,
      message: /config\.json could not be read/,
    },
    {args: ['--out-dir', '/sys/weeknotes-test'], env: ciEnv(), code: 6, message: /\/sys\/weeknotes-test/},
  ]
  for (const {args, env, code, message} of cases) {
    const result = await runCli(['generate', '--week', '2024-W10', ...args], {env})
    const stderr = plain(result.stderr)
    assert.equal(result.code, code, `${args.join(' ')}: ${stderr}`)
    assert.match(stderr, message)
    assert.doesNotMatch(stderr, /Unexpected failure|hunter2-pw/)
  }
})

test('--output - writes to stdout', async () => {
  const result = await runCli(['generate', '--week', '2024-W10', '--output', '-'], {env: ciEnv()})
  assert.equal(result.code, 0, result.stderr)
  assert.match(result.stdout, /^---\ntitle: "Week 10, 2024/)
})

test('on a terminal, fetching and retrying show what it waits for; in a log, nothing extra', async (t) => {
  if (process.platform !== 'linux' || !existsSync('/usr/bin/script')) return t.skip('needs util-linux script')
  // Each run with an empty archive of its own: one that already holds 2024-W10 would fetch nothing.
  const emptyArchive = () => ciEnv({WEEKNOTES_DATA_DIR: mkdtempSync(join(home.root, 'data-'))})
  emulator.inject({kind: 'status', status: 503, match: '/api/v3/athlete/activities'})
  const args = ['generate', '--week', '2024-W10', '--output', join(home.root, 'tty.md'), '--force']
  const command = [process.execPath, builtCli, ...args].map((arg) => `'${arg.replace(/'/g, `'\\''`)}'`).join(' ')
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn('/usr/bin/script', ['-qec', command, '/dev/null'], {env: emptyArchive(), cwd: home.home})
    let text = ''
    child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')))
    child.on('error', reject)
    child.on('close', (code) => (code === 0 ? resolve(text) : reject(new Error(`exit ${code}: ${text}`))))
  })
  assert.match(output, /Fetching page 1 of activities from Strava\.\.\./)
  assert.match(output, /Strava did not answer \(503 Service Unavailable\); retrying in \d+ s\.\.\./)
  assert.match(output, /Fetching page 2 of activities from Strava/)

  emulator.inject({kind: 'status', status: 503, match: '/api/v3/athlete/activities'})
  const logged = await runCli(args, {env: emptyArchive()})
  assert.equal(logged.code, 0, logged.stderr)
  assert.doesNotMatch(logged.stderr, /Fetching|retrying/)
})
