// The weekly job for real, as the README sets it up: a login of the blog's own made once on the laptop
// and sealed into the blog repository (.weeknotes), then the Action's steps (action.yml, run here by
// test/support/composite-action.ts) in fresh checkouts, and the README's cron line under `env -i`;
// against the emulator, which rotates refresh tokens like Strava. Every run must keep the login alive.
import assert from 'node:assert/strict'
import {execFile} from 'node:child_process'
import {chmod, mkdir, mkdtemp, readFile, rm, symlink, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, test} from 'node:test'

import {parse} from 'yaml'

import {type CredentialStore} from 'oclif-plugin-oauth/credential-store'
import {startStravaEmulator, type StravaEmulator} from 'strava-emulator'
import {storeFor} from '../../src/strava/auth.js'
import {childEnvironment, copyCheckout, type Finished, run} from '../support/checkout.js'
import {builtCli, findSecretsInFiles, findSecretsInText, repoRoot} from '../support/cli.js'
import {runCompositeAction} from '../support/composite-action.js'
import {refreshTokenAccepted} from '../support/refresh.js'

const demoBrowser = join(repoRoot, 'scripts', 'demo-browser.js')
const nodeDir = join(process.execPath, '..')
// bash, /bin/sh, env -i and cron are what these recipes run on; GitHub's Linux runners and servers have them.
const unixOnly = process.platform === 'win32' ? 'the Action and cron recipes run in bash and sh' : false

let emulator: StravaEmulator
let root: string
let origin: string
let home: string
let keyFile: string
let key: string
/** Every secret seen (client secret, store key, tokens from each sealed version); none may leak. */
const secrets = new Set<string>()
/** Everything any process printed: the workflow logs and the cron mails. */
const logs: string[] = []

const git = async (cwd: string, ...args: string[]): Promise<string> => {
  const result = await run('git', args, {cwd, env: childEnvironment({HOME: home})})
  assert.equal(result.code, 0, `git ${args.join(' ')}: ${result.stderr}`)
  return result.stdout
}

async function clone(into: string): Promise<string> {
  await git(root, 'clone', '-q', origin, into)
  await git(into, 'config', 'user.name', 'Jane Runner')
  await git(into, 'config', 'user.email', 'jane@example.org')
  return into
}

/** The built CLI as the laptop runs it, from `cwd` (no D-Bus: the sealed store needs no keyring). */
async function laptopCli(
  cwd: string,
  args: string[],
  o: {env?: Record<string, string>; input?: string} = {},
): Promise<Finished> {
  const env = childEnvironment({
    HOME: home,
    BROWSER: `${process.execPath} ${demoBrowser}`,
    STRAVA_OAUTH_URL: emulator.oauthUrl,
    STRAVA_API_URL: emulator.apiUrl,
    ...o.env,
  })
  delete env.DBUS_SESSION_BUS_ADDRESS
  const result = await run(process.execPath, [builtCli, ...args], {cwd, env, input: o.input})
  logs.push(result.stdout, result.stderr)
  return result
}

/** The sealed login as committed in origin's history at `revision`, opened with the key. */
async function sealedAt(revision: string): Promise<{bytes: Buffer; refreshToken: string}> {
  const bytes = await new Promise<Buffer>((resolve, reject) =>
    execFile(
      'git',
      ['show', `${revision}:.weeknotes/credentials.sealed`],
      {cwd: origin, encoding: 'buffer', env: childEnvironment({HOME: home})},
      (error, stdout) => (error ? reject(error) : resolve(stdout)),
    ),
  )
  const dir = await mkdtemp(join(root, 'open-'))
  await writeFile(join(dir, 'credentials.sealed'), bytes)
  const store: CredentialStore = storeFor('sealed', {configDir: dir, env: {WEEKNOTES_STORE_KEY: key}})
  const config = JSON.parse(await readGitText(revision, '.weeknotes/config.json')) as {session: {account: string}}
  const record = await store.get(config.session.account)
  assert.ok(record, 'the sealed file holds the login')
  for (const value of [record.clientSecret, record.refreshToken, record.accessToken]) if (value) secrets.add(value)
  await rm(dir, {recursive: true, force: true})
  return {bytes, refreshToken: record.refreshToken}
}

const readGitText = (revision: string, path: string) => git(origin, 'show', `${revision}:${path}`)

function readmeBlock(language: string, heading: string): string {
  return readmeText.split(heading)[1].split(`\`\`\`${language}\n`)[1].split('```')[0]
}

let readmeText: string

before(async () => {
  if (unixOnly) return
  readmeText = await readFile(join(repoRoot, 'README.md'), 'utf8')
  emulator = await startStravaEmulator({autoApprove: true, seed: 'demo', rotateRefreshTokens: true})
  emulator.setRateLimits({overall: [100_000, 1_000_000], read: [100_000, 1_000_000]})
  root = await mkdtemp(join(tmpdir(), 'weeknotes-scheduled-'))
  home = join(root, 'home')
  await mkdir(home)
  origin = join(root, 'origin.git')
  await git(root, 'init', '-q', '--bare', '-b', 'main', origin)
  secrets.add(emulator.client.secret)

  // The README's setup, once, on the laptop inside the blog checkout.
  const blog = await clone(join(root, 'laptop-blog'))
  await writeFile(join(blog, 'README.md'), '# My blog\n')
  await git(blog, 'add', 'README.md')
  await git(blog, 'commit', '-qm', 'blog')
  const made = await laptopCli(home, ['auth', 'key'])
  assert.equal(made.code, 0, made.stderr)
  key = made.stdout.trim()
  // Printing the key is that command's purpose; every other output must stay free of it.
  logs.splice(logs.indexOf(made.stdout), 1)
  assert.match(key, /^[A-Za-z0-9_-]{43}$/)
  secrets.add(key)
  keyFile = join(home, '.weeknotes-key')
  await writeFile(keyFile, `${key}\n`, {mode: 0o600})

  const sealedEnv = {WEEKNOTES_CONFIG_DIR: '.weeknotes', WEEKNOTES_STORE_KEY_FILE: keyFile}
  const login = await laptopCli(blog, ['auth', '--client-id', emulator.client.id, '--client-secret-stdin'], {
    env: sealedEnv,
    input: `${emulator.client.secret}\n`,
  })
  assert.equal(login.code, 0, login.stderr)
  assert.match(login.stdout, /Logged in to Strava as Lena Hoffmann/)

  const status = await laptopCli(blog, ['auth', 'status'], {env: sealedEnv})
  assert.equal(status.code, 0, status.stderr)
  assert.match(status.stdout, /Secrets kept in: sealed file \.weeknotes\/credentials\.sealed/)

  await git(blog, 'add', '.weeknotes/config.json', '.weeknotes/credentials.sealed')
  await git(blog, 'commit', '-qm', 'weeknotes login')
  await git(blog, 'push', '-q', 'origin', 'main')
})

after(async () => {
  await emulator?.close()
  if (root) await rm(root, {recursive: true, force: true})
})

describe('the weekly job keeps its sealed login through token rotation', {skip: unixOnly}, () => {
  test('the Action from the README workflow: two scheduled runs each commit a note and the renewed login', async () => {
    const workflow = parse(readmeBlock('yaml', '### A scheduled GitHub Actions workflow')) as {
      jobs: {note: {steps: Array<{uses?: string; with?: Record<string, string>}>}}
    }
    const step = workflow.jobs.note.steps.find((s) => /\/weeknotes@/.test(s.uses ?? ''))
    assert.ok(step?.with, 'the README workflow uses the Action')
    const repositorySecrets: Record<string, string> = {WEEKNOTES_STORE_KEY: key}
    const withInputs = Object.fromEntries(
      Object.entries(step.with).map(([name, value]) => [
        name,
        String(value).replace(/\$\{\{\s*secrets\.(\w+)\s*\}\}/g, (_, secret: string) => repositorySecrets[secret]),
      ]),
    )

    const actionPath = join(root, 'action')
    await mkdir(actionPath)
    await copyCheckout(actionPath)

    let previous = await sealedAt('main')
    for (const [run, week] of [
      [1, '2024-W10'],
      [2, '2024-W11'],
    ] as const) {
      // A week later: the access token has expired, so the run renews the login and Strava rotates it.
      emulator.expireAccessTokens()
      const workspace = await clone(join(root, `runner-${run}`, 'blog'))
      const env = childEnvironment({
        HOME: home,
        PATH: `${nodeDir}:/usr/bin:/bin`,
        // Stand-ins for Strava's addresses; a real workflow sets nothing here.
        STRAVA_OAUTH_URL: emulator.oauthUrl,
        STRAVA_API_URL: emulator.apiUrl,
      })
      delete env.DBUS_SESSION_BUS_ADDRESS
      const result = await runCompositeAction({
        actionPath,
        workspace,
        // The workflow's `week` is `last` by default; the emulator's data are in 2024.
        inputs: {...withInputs, week},
        env,
        usesOutputs: {cache: {'cache-hit': 'true'}},
      })
      logs.push(result.log)
      assert.ok(result.ok, `run ${run} failed:\n${result.log}`)
      assert.deepEqual(
        result.steps.filter((s) => s.ran).map((s) => s.label),
        ['lockfile', 'Build weeknotes', 'Write the note', 'Commit the note and the renewed login'],
      )
      assert.equal(result.outputs.weeks, week)

      const committed = await git(origin, 'show', '--name-only', '--format=%s', 'main')
      assert.deepEqual(committed.trim().split('\n').filter(Boolean), [
        `Weeknotes ${week}`,
        '.weeknotes/config.json',
        '.weeknotes/credentials.sealed',
        `content/weeknotes/${week}.md`,
      ])
      const number = Number(week.slice(-2))
      assert.match(await readGitText('main', `content/weeknotes/${week}.md`), new RegExp(`Week ${number}, 2024`))

      const current = await sealedAt('main')
      assert.notDeepEqual(current.bytes, previous.bytes, `run ${run}: the sealed file changed`)
      assert.notEqual(current.refreshToken, previous.refreshToken, `run ${run}: Strava rotated the refresh token`)
      assert.equal(await refreshTokenAccepted(emulator, previous.refreshToken), false, 'the old refresh token is dead')
      previous = current
    }

    assert.deepEqual(await findSecretsInRepository(), [], 'secrets in the repository or its history')
    assert.deepEqual(findSecretsInText(logs.join('\n'), secrets), [], 'secrets in the logs')
  })

  test("the README's cron line under env -i (HOME, PATH, the key file), twice with a rotation between", async () => {
    const crontab = readmeBlock('cron', '### cron on a server')
    const line = crontab.split('\n').find((l) => /^(\S+\s+){5}/.test(l) && !l.startsWith('#'))
    assert.ok(line, 'a schedule line in the README')
    const command = line.replace(/^(\S+\s+){5}/, '')
    assert.ok(!command.includes('%'), 'cron would turn % into a newline')
    assert.match(crontab, /^PATH=\/usr\/local\/bin:\/usr\/bin:\/bin$/m)

    // The server: its own HOME with the blog cloned, the key file (0600) and weeknotes on PATH.
    const serverHome = join(root, 'server')
    await mkdir(join(serverHome, 'bin'), {recursive: true})
    await clone(join(serverHome, 'blog'))
    await writeFile(join(serverHome, '.weeknotes-key'), `${key}\n`)
    await chmod(join(serverHome, '.weeknotes-key'), 0o600)
    await symlink(builtCli, join(serverHome, 'bin', 'weeknotes'))
    await symlink(process.execPath, join(serverHome, 'bin', 'node'))

    let previous = await sealedAt('main')
    for (const run of [1, 2]) {
      emulator.expireAccessTokens()
      if (run === 2) {
        // A week later there is no note for the new last week yet; removing this one stands in for that.
        const blog = join(serverHome, 'blog')
        await git(blog, 'rm', '-q', '-r', 'content/weeknotes')
        await git(blog, 'commit', '-qm', 'next week')
        await git(blog, 'push', '-q')
      }

      const cron = await runUnderEnvI(command, serverHome)
      logs.push(cron.stdout, cron.stderr)
      assert.equal(cron.code, 0, `cron run ${run}: ${cron.stderr}`)
      const current = await sealedAt('main')
      assert.notDeepEqual(current.bytes, previous.bytes, `cron run ${run}: the renewed login was pushed`)
      assert.equal(await refreshTokenAccepted(emulator, previous.refreshToken), false)
      assert.match(await git(origin, 'log', '-1', '--format=%s', 'main'), /^Weeknotes$/m)
      previous = current
    }

    assert.deepEqual(await findSecretsInRepository(), [])
    assert.deepEqual(findSecretsInText(logs.join('\n'), secrets), [], 'secrets in the cron output')
    const files = await findSecretsInFiles(root, secrets)
    assert.deepEqual(
      files.filter(({file}) => !file.endsWith('.weeknotes-key')),
      [],
      'secrets in clear text in a file (the key files aside)',
    )
  })
})

test(
  'the CLI with a wrong key or none: exit 3, one sentence, the sealed file untouched',
  {skip: unixOnly},
  async () => {
    const blog = await clone(join(root, 'wrong-key-blog'))
    const sealed = join(blog, '.weeknotes', 'credentials.sealed')
    const before = await readFile(sealed)
    const wrongKey = (await laptopCli(home, ['auth', 'key'])).stdout.trim()
    logs.splice(-2) // its output is the key itself
    for (const args of [
      ['generate', '--week', '2024-W10'],
      ['auth', 'status', '--show-refresh-token'],
      ['auth', 'logout'],
    ]) {
      const wrong = await laptopCli(blog, args, {
        env: {WEEKNOTES_CONFIG_DIR: '.weeknotes', WEEKNOTES_STORE_KEY: wrongKey},
      })
      assert.equal(wrong.code, 3, `${args.join(' ')}: ${wrong.stderr}`)
      assert.equal(
        plain(wrong.stderr),
        'Error: The key in WEEKNOTES_STORE_KEY does not open .weeknotes/credentials.sealed (a wrong key, or the file was changed); use the key it was sealed with, or delete the file and log in again with `weeknotes auth`.',
      )
      const none = await laptopCli(blog, args, {env: {WEEKNOTES_CONFIG_DIR: '.weeknotes'}})
      assert.equal(none.code, 3, none.stderr)
      assert.equal(
        plain(none.stderr),
        'Error: The login in .weeknotes/credentials.sealed is sealed: set WEEKNOTES_STORE_KEY (or WEEKNOTES_STORE_KEY_FILE, a file holding it) to the key it was sealed with.',
      )
    }
    assert.deepEqual(await readFile(sealed), before)
    assert.equal(await git(blog, 'status', '--porcelain'), '', 'nothing in the checkout changed')
  },
)

/** oclif wraps messages to the terminal and prefixes them with ›: one line of plain words. */
const plain = (text: string) => text.replace(/›/g, ' ').replace(/\s+/g, ' ').trim()

/** A cron job's world: nothing but HOME and PATH (the emulator's two addresses stand in for Strava's). */
function runUnderEnvI(command: string, serverHome: string): Promise<Finished> {
  return run(
    'env',
    [
      '-i',
      `HOME=${serverHome}`,
      `PATH=${join(serverHome, 'bin')}:/usr/bin:/bin`,
      `STRAVA_OAUTH_URL=${emulator.oauthUrl}`,
      `STRAVA_API_URL=${emulator.apiUrl}`,
      '/bin/sh',
      '-c',
      command,
    ],
    {cwd: serverHome},
  )
}

/** Secrets in any object of the repository (every commit, tree and blob, uncompressed) or its log. */
async function findSecretsInRepository(): Promise<string[]> {
  const objects = await run('git', ['cat-file', '--batch-all-objects', '--batch'], {
    cwd: origin,
    env: childEnvironment({HOME: home}),
  })
  const history = await git(origin, 'log', '--all', '-p', '--text')
  return findSecretsInText(objects.stdout + history, secrets)
}
