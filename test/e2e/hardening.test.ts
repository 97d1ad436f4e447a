// The built CLI as a user meets it: pipes closed early, full disks, paths that are not what they seem,
// mistyped commands, and a terminal that shows what it waits for. Exit codes as the README documents them.
import assert from 'node:assert/strict'
import {type ChildProcess, spawn} from 'node:child_process'
import {closeSync, existsSync, mkdtempSync, openSync} from 'node:fs'
import {mkdir, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {beforeEach, test} from 'node:test'

import {builtCli, cliEnvironment, runCli, runCliOnTerminal, terminalSkipReason} from '../support/cli.js'
import {plain, useCiModeCli} from '../support/ci-mode.js'

const ci = useCiModeCli()
beforeEach(() => ci.emulator.setActivities(ci.emulator.makeActivities(30, {weekStart: '2024-03-04'})))

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
  const help = await runWith(['--help'], cliEnvironment(ci.home), 'pipe', true)
  assert.match(help.first, /Markdown digest/)
  assert.deepEqual({code: help.code, stderr: help.stderr}, {code: 0, stderr: ''})
  for (const args of [['--version'], ['generate', '--week', '2024-W10']]) {
    const result = await runWith(args, ci.env(), 'pipe')
    assert.equal(result.code, 0, `${args.join(' ')}: ${result.stderr}`)
    assert.doesNotMatch(result.stderr, /unsettled|Error|at /, args.join(' '))
  }
})

test('generate > /dev/full exits 6 with one sentence, no stack trace', async (t) => {
  if (!existsSync('/dev/full')) return t.skip('needs /dev/full')
  const full = openSync('/dev/full', 'w')
  try {
    const result = await runWith(['generate', '--week', '2024-W10'], ci.env(), full)
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
  const result = await runCli(['generat'], {env: cliEnvironment(ci.home)})
  assert.equal(result.code, 2)
  assert.match(plain(result.stderr), /"generat" is not a weeknotes command\. Did you mean `weeknotes generate`\?/)
  const logout = await runCli(['logout'], {env: cliEnvironment(ci.home)})
  assert.match(plain(logout.stderr), /Did you mean `weeknotes auth logout`\?/)
})

test('user errors get their documented codes, never "Unexpected failure"', async () => {
  const file = join(ci.home.root, 'a-file')
  await writeFile(file, 'x')
  const directory = join(ci.home.root, 'a-directory')
  await mkdir(directory, {recursive: true})
  const damaged = join(ci.home.root, 'damaged-config')
  await mkdir(damaged, {recursive: true})
  await writeFile(join(damaged, 'config.json'), '{"clientId": "1", "sess')

  const cases: {args: string[]; env: NodeJS.ProcessEnv; code: number; message: RegExp}[] = [
    {args: ['--out-dir', file], env: ci.env(), code: 2, message: /a-file is not a directory/},
    {args: ['--output', directory, '--force'], env: ci.env(), code: 2, message: /a-directory is a directory/},
    {args: ['--output', '/dev/null', '--force'], env: ci.env(), code: 2, message: /\/dev\/null is a device/},
    {
      args: [],
      env: ci.env({STRAVA_API_URL: 'ftp://user:hunter2-pw@example.com/api'}),
      code: 2,
      message: /uses ftp:, not https:; check STRAVA_API_URL/,
    },
    {
      args: [],
      env: ci.env({STRAVA_API_URL: ci.emulator.apiUrl.replace('http:', 'https:')}),
      code: 5,
      message: /secure connection to 127\.0\.0\.1:\d+ failed/,
    },
    {
      args: [],
      env: cliEnvironment(ci.home, {WEEKNOTES_CONFIG_DIR: damaged}),
      code: 3,
      message: /config\.json could not be read/,
    },
    {args: ['--out-dir', '/sys/weeknotes-test'], env: ci.env(), code: 6, message: /\/sys\/weeknotes-test/},
    {
      args: [],
      env: ci.env({WEEKNOTES_DATA_DIR: join(file, 'data')}),
      code: 6,
      message: /a-file\/data\/archive\.sqlite cannot be used \(ENOTDIR\)\. A part of its path is a file/,
    },
  ]
  for (const {args, env, code, message} of cases) {
    const result = await runCli(['generate', '--week', '2024-W10', ...args], {env})
    const stderr = plain(result.stderr)
    assert.equal(result.code, code, `${args.join(' ')}: ${stderr}`)
    assert.match(stderr, message)
    assert.doesNotMatch(stderr, /Unexpected failure|hunter2-pw/)
    // One sentence of weeknotes', no Node warning before it (oclif's look for user plugins in the data dir).
    assert.doesNotMatch(stderr, /\(node:\d+\)/)
  }
})

test('--output - writes to stdout', async () => {
  const result = await runCli(['generate', '--week', '2024-W10', '--output', '-'], {env: ci.env()})
  assert.equal(result.code, 0, result.stderr)
  assert.match(result.stdout, /^---\ntitle: "Week 10, 2024/)
})

test(
  'on a terminal, fetching and retrying show what it waits for; in a log, nothing extra',
  {skip: terminalSkipReason},
  async () => {
    // Each run with an empty archive of its own: one that already holds 2024-W10 would fetch nothing.
    const emptyArchive = () => ci.env({WEEKNOTES_DATA_DIR: mkdtempSync(join(ci.home.root, 'data-'))})
    ci.emulator.inject({kind: 'status', status: 503, match: '/api/v3/athlete/activities'})
    const args = ['generate', '--week', '2024-W10', '--output', join(ci.home.root, 'tty.md'), '--force']
    const {code, output} = await runCliOnTerminal(args, emptyArchive())
    assert.equal(code, 0, output)
    assert.match(output, /Fetching page 1 of activities from Strava\.\.\./)
    assert.match(output, /Strava did not answer \(503 Service Unavailable\); retrying in \d+ s\.\.\./)
    assert.match(output, /Fetching page 2 of activities from Strava/)

    ci.emulator.inject({kind: 'status', status: 503, match: '/api/v3/athlete/activities'})
    const logged = await runCli(args, {env: emptyArchive()})
    assert.equal(logged.code, 0, logged.stderr)
    assert.doesNotMatch(logged.stderr, /Fetching|retrying/)
  },
)
