// End-to-end: the BUILT CLI (`node bin/run.js`, built by `npm test`'s pretest) as a separate process
// with an isolated HOME, the Strava emulator on 127.0.0.1, a real Chromium clicking the consent page and
// the real Secret Service (gnome-keyring under dbus-run-session in CI).
import assert from 'node:assert/strict'
import {existsSync} from 'node:fs'
import {readFile, stat, watch} from 'node:fs/promises'
import {connect} from 'node:net'
import {networkInterfaces} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, test, type TestContext} from 'node:test'

import type {Browser, Route} from 'playwright-core'

import {startStravaEmulator, type StravaEmulator} from 'strava-emulator'
import {type ChromiumOrSkip, launchChromium} from '../../packages/oclif-plugin-oauth/test/support/browser.js'
import {
  type CliHome,
  type CliResult,
  type CliRun,
  cliEnvironment,
  createCliHome,
  findSecretsInFiles,
  findSecretsInText,
  startCli,
} from '../support/cli.js'
import {
  clearKeyringService,
  keyringCredentials,
  secretServiceSkipReason,
  secretStringsOf,
  uniqueKeyringService,
} from '../../packages/oclif-plugin-oauth/test/support/keyring.js'

let emulator: StravaEmulator
let chromium: ChromiumOrSkip
let keyringSkipReason: string | undefined

before(async () => {
  // One after another, so that a failure (a required capability missing) leaves only started things
  // behind, each already assigned for after() to close.
  keyringSkipReason = await secretServiceSkipReason()
  chromium = await launchChromium()
  // Every refresh mints a token: these tests move weeknotes' clock (or expire tokens) to provoke
  // renewals and rotation while the emulator runs on the real clock. Strava's handing back of a live
  // token is covered in test/strava/strava-behaviour.test.ts.
  emulator = await startStravaEmulator({reuseLiveAccessTokens: false})
})

after(async () => {
  await chromium?.browser?.close()
  await emulator?.close()
})

/** One test's world: its own HOME and config dir, keyring service, and the secrets it must never leak. */
interface Scenario {
  browser: Browser
  home: CliHome
  service: string
  env: NodeJS.ProcessEnv
  /** Client secret, tokens and codes seen so far; checked against every file and every output at the end. */
  secrets: Set<string>
  runs: CliRun[]
  pages: string[]
  start(args: string[], options?: {env?: Record<string, string | undefined>; input?: string}): CliRun
  run(args: string[], options?: {env?: Record<string, string | undefined>; input?: string}): Promise<CliResult>
}

async function scenario(t: TestContext, label: string): Promise<Scenario | undefined> {
  if (!chromium.browser) {
    t.skip(chromium.skipReason)
    return undefined
  }

  if (keyringSkipReason) {
    t.skip(keyringSkipReason)
    return undefined
  }

  const home = await createCliHome()
  const service = uniqueKeyringService(label)
  t.after(async () => {
    await clearKeyringService(service)
    await home.remove()
  })
  emulator.clearRequests()
  const env = cliEnvironment(home, {
    WEEKNOTES_KEYRING_SERVICE: service,
    STRAVA_OAUTH_URL: emulator.oauthUrl,
    STRAVA_API_URL: emulator.apiUrl,
    STRAVA_CLIENT_ID: emulator.client.id,
    STRAVA_CLIENT_SECRET: emulator.client.secret,
  })
  const runs: CliRun[] = []
  const start: Scenario['start'] = (args, options = {}) => {
    const run = startCli(args, {env: {...env, ...options.env}, input: options.input})
    runs.push(run)
    return run
  }

  return {
    browser: chromium.browser,
    home,
    service,
    env,
    secrets: new Set([emulator.client.secret]),
    runs,
    pages: [],
    start,
    run: (args, options = {}) => start(args, {input: '', ...options}).result,
  }
}

/** Remembers every token-shaped value in the test's keyring entries as a secret to look for elsewhere. */
async function rememberStoredSecrets(s: Scenario): Promise<void> {
  for (const secret of secretStringsOf(await keyringCredentials(s.service))) s.secrets.add(secret)
}

/** The one login record the session store keeps in the keyring (a JSON document). */
async function storedRecord(s: Scenario): Promise<Record<string, unknown>> {
  const credentials = await keyringCredentials(s.service)
  assert.equal(credentials.length, 1, `one keyring entry expected under ${s.service}, found ${credentials.length}`)
  return JSON.parse(credentials[0].password) as Record<string, unknown>
}

/**
 * Scenario 8: no file under the isolated HOME, no output and no page shows a secret (the explicit
 * --insecure-storage file aside).
 */
async function assertNothingLeaked(s: Scenario, o: {optedInFile?: string} = {}): Promise<void> {
  await rememberStoredSecrets(s)
  const sightings = (await findSecretsInFiles(s.home.root, s.secrets)).filter(({file}) => file !== o.optedInFile)
  assert.deepEqual(sightings, [], 'secrets found in files under the test HOME')
  for (const run of s.runs) {
    assert.deepEqual(findSecretsInText(run.stdout, s.secrets), [], 'secret on stdout')
    assert.deepEqual(findSecretsInText(run.stderr, s.secrets), [], 'secret on stderr')
  }

  for (const page of s.pages) assert.deepEqual(findSecretsInText(page, s.secrets), [], 'secret on the result page')
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

async function consentUrlOf(run: CliRun): Promise<URL> {
  const [url] = await run.waitForStderr(new RegExp(`${escapeRegExp(emulator.oauthUrl)}/authorize\\?\\S+`))
  return new URL(url)
}

function redirectUriOf(consentUrl: URL): URL {
  const redirectUri = consentUrl.searchParams.get('redirect_uri')
  assert.ok(redirectUri, `no redirect_uri in ${consentUrl}`)
  return new URL(redirectUri)
}

interface ConsentOptions {
  button?: 'authorize' | 'cancel'
  untick?: string[]
  /** Paste mode: the browser cannot reach the CLI; return the redirect's address instead of following it. */
  interceptRedirect?: boolean
}

/**
 * Opens the consent URL in a fresh Chromium context, unticks scopes, clicks a button and follows the
 * redirect to the CLI's loopback receiver (whose result page is kept for the leak check), or captures it.
 */
async function consent(s: Scenario, consentUrl: URL, options: ConsentOptions = {}): Promise<URL> {
  const context = await s.browser.newContext()
  try {
    const page = await context.newPage()
    const redirectUri = redirectUriOf(consentUrl)
    let intercepted: URL | undefined
    if (options.interceptRedirect) {
      // Redirect hops are not routed, so the consent form's POST is fetched here without following
      // its redirect, as a browser on another machine would leave it: an address to copy.
      await page.route(
        (url) => url.origin === emulator.url,
        async (route: Route) => {
          const response = await route.fetch({maxRedirects: 0})
          const location = response.headers().location
          if (location?.startsWith(redirectUri.href)) {
            intercepted = new URL(location)
            return route.fulfill({status: 200, contentType: 'text/html', body: '<p>copy the address</p>'})
          }

          return route.fulfill({response})
        },
      )
    }

    await page.goto(consentUrl.href)
    for (const scope of options.untick ?? []) await page.uncheck(`input[name="scope-${scope}"]`)
    await page.click(`#${options.button ?? 'authorize'}`)
    if (options.interceptRedirect) {
      await page.waitForFunction(() => document.body.textContent?.includes('copy the address'))
      assert.ok(intercepted, 'the consent did not redirect to the receiver')
      return intercepted
    }

    await page
      .waitForURL((url) => url.origin === redirectUri.origin && url.pathname === redirectUri.pathname, {
        waitUntil: 'domcontentloaded',
      })
      .catch(async (error: Error) => {
        throw new Error(`${error.message}\nThe browser is at ${page.url()}:\n${await page.content()}`)
      })
    s.pages.push(await page.content())
    const landed = new URL(page.url())
    const code = landed.searchParams.get('code')
    if (code) s.secrets.add(code)
    return landed
  } finally {
    await context.close()
  }
}

/** `weeknotes auth --no-browser`, consent given in Chromium; resolves with the finished run. */
async function login(s: Scenario, args: string[] = [], options: ConsentOptions = {}): Promise<CliResult> {
  const run = s.start(['auth', '--no-browser', ...args])
  await consent(s, await consentUrlOf(run), options).catch((error: Error) => {
    throw new Error(`${error.message}\n--- CLI stdout:\n${run.stdout}\n--- CLI stderr:\n${run.stderr}`)
  })
  const result = await run.result
  await rememberStoredSecrets(s)
  return result
}

async function authStatus(s: Scenario, env?: Record<string, string | undefined>) {
  const result = await s.run(['auth', 'status', '--json'], {env})
  return {result, status: result.code === 0 ? (JSON.parse(result.stdout) as Record<string, unknown>) : undefined}
}

function loggedInLine(): string {
  const {id, firstname, lastname} = emulator.athlete
  return `Logged in to Strava as ${firstname} ${lastname} (athlete ${id}).`
}

const callAthlete = (accessToken: string) =>
  fetch(`${emulator.apiUrl}/athlete`, {headers: {authorization: `Bearer ${accessToken}`}})

const tokenRequests = () =>
  emulator.requests.filter((entry) => entry.method === 'POST' && entry.path === '/oauth/token')

async function refreshWithEmulator(refreshToken: string) {
  return fetch(`${emulator.oauthUrl}/token`, {
    method: 'POST',
    body: new URLSearchParams({
      client_id: emulator.client.id,
      client_secret: emulator.client.secret,
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
    }),
  })
}

/** Resolves with the first complete line written to `path`, watching its directory instead of polling. */
async function firstLineOf(path: string, timeoutMs = 30_000): Promise<string> {
  const signal = AbortSignal.timeout(timeoutMs)
  const watcher = watch(join(path, '..'), {signal})
  const completeLine = async () => {
    const text = await readFile(path, 'utf8').catch(() => '')
    return text.includes('\n') ? text.slice(0, text.indexOf('\n')) : undefined
  }

  try {
    let line = await completeLine()
    if (line !== undefined) return line
    for await (const _event of watcher) {
      line = await completeLine()
      if (line !== undefined) return line
    }
  } catch (error) {
    if (!signal.aborted) throw error
  }

  throw new Error(`No complete line in ${path} within ${timeoutMs} ms`)
}

/** This machine's non-loopback IPv4 addresses, where the loopback receiver must not answer. */
function externalAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flat()
    .filter((address) => address && address.family === 'IPv4' && !address.internal)
    .map((address) => address!.address)
}

function portIsClosed(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, host)
    socket.once('connect', () => {
      socket.destroy()
      resolve(false)
    })
    socket.once('error', () => resolve(true))
    // A silently dropped connection attempt is as closed as a refused one.
    socket.setTimeout(5000, () => {
      socket.destroy()
      resolve(true)
    })
  })
}

describe('weeknotes auth (built CLI, emulator, Chromium, keyring)', () => {
  test('login with STRAVA_CLIENT_SECRET, Chromium clicking Authorize; secrets in the keyring; status', async (t) => {
    const s = await scenario(t, 'login-env')
    if (!s) return

    const result = await login(s)

    assert.equal(result.code, 0, result.stderr)
    assert.ok(result.stdout.includes(loggedInLine()), result.stdout)
    assert.match(result.stderr, /Open this URL/i)
    assert.equal(existsSync(s.home.browserLog), false, '--no-browser must not start $BROWSER')
    assert.deepEqual(
      tokenRequests().map((entry) => [entry.grantType, entry.status]),
      [['authorization_code', 200]],
    )

    const record = await storedRecord(s)
    assert.equal(record.clientSecret, emulator.client.secret)
    assert.equal(typeof record.refreshToken, 'string')
    assert.equal(typeof record.accessToken, 'string')
    assert.deepEqual(record.scopes, ['read', 'activity:read', 'activity:read_all'])
    // Strava's token response has only the athlete summary; one GET /athlete adds the units preference.
    assert.deepEqual(
      emulator.requests.filter((entry) => entry.path.startsWith('/api/v3/')).map((entry) => entry.path),
      ['/api/v3/athlete'],
    )
    const config = JSON.parse(await readFile(join(s.home.configDir, 'config.json'), 'utf8'))
    assert.equal(config.session.athlete.measurement_preference, emulator.athlete.measurement_preference)

    emulator.clearRequests()
    const {result: statusRun, status} = await authStatus(s, {STRAVA_CLIENT_SECRET: undefined})
    assert.equal(statusRun.code, 0, statusRun.stderr)
    assert.deepEqual(status, {
      loggedIn: true,
      clientId: emulator.client.id,
      athlete: {id: emulator.athlete.id, firstname: emulator.athlete.firstname, lastname: emulator.athlete.lastname},
      scopes: ['read', 'activity:read', 'activity:read_all'],
      expiresAt: status?.expiresAt,
      storage: 'keyring',
    })
    const expiresIn = Date.parse(String(status?.expiresAt)) - Date.now()
    assert.ok(expiresIn > 5.5 * 3600_000 && expiresIn <= 6 * 3600_000 + 60_000, `expiresAt ${status?.expiresAt}`)
    assert.deepEqual(tokenRequests(), [], 'status must not refresh')

    const plainStatus = await s.run(['auth', 'status'])
    assert.equal(plainStatus.code, 0, plainStatus.stderr)
    assert.ok(plainStatus.stdout.includes(String(emulator.athlete.firstname)), plainStatus.stdout)

    await assertNothingLeaked(s)
  })

  test('login with --client-id and --client-secret-stdin through $BROWSER', async (t) => {
    const s = await scenario(t, 'login-stdin')
    if (!s) return

    const run = s.start(['auth', '--client-id', emulator.client.id, '--client-secret-stdin'], {
      env: {STRAVA_CLIENT_ID: undefined, STRAVA_CLIENT_SECRET: undefined},
      input: `${emulator.client.secret}\n`,
    })
    const printed = await consentUrlOf(run)
    const firstCall = JSON.parse(await firstLineOf(s.home.browserLog)) as {argv: string[]}
    assert.equal(firstCall.argv.at(-1), printed.href, '$BROWSER gets the consent URL as its last argument')
    assert.deepEqual(findSecretsInText(firstCall.argv.join(' '), s.secrets), [], 'secret in $BROWSER argv')

    await consent(s, new URL(firstCall.argv.at(-1)!))
    const result = await run.result
    assert.equal((await readFile(s.home.browserLog, 'utf8')).trim().split('\n').length, 1, '$BROWSER started once')

    assert.equal(result.code, 0, result.stderr)
    assert.ok(result.stdout.includes(loggedInLine()), result.stdout)
    const record = await storedRecord(s)
    assert.equal(record.clientSecret, emulator.client.secret)
    const {status} = await authStatus(s, {STRAVA_CLIENT_ID: undefined, STRAVA_CLIENT_SECRET: undefined})
    assert.equal(status?.clientId, emulator.client.id)
    assert.equal(status?.storage, 'keyring')

    await assertNothingLeaked(s)
  })

  test('an access token Strava expired is refreshed once, the rotated refresh token stored, the old one dead', async (t) => {
    const s = await scenario(t, 'refresh')
    if (!s) return
    const loginResult = await login(s)
    assert.equal(loginResult.code, 0, loginResult.stderr)
    const before = await storedRecord(s)

    emulator.expireAccessTokens()
    emulator.clearRequests()
    const {openTokenSession} = await import('../../src/strava/auth.js')
    const warnings: string[] = []
    const session = await openTokenSession({
      configDir: s.home.configDir,
      env: {...s.env, STRAVA_CLIENT_ID: undefined, STRAVA_CLIENT_SECRET: undefined},
      warn: (message) => warnings.push(message),
    })
    // Still valid by the stored expiry, so it is used as is; Strava's 401 is what starts the refresh.
    const stale = await session.accessToken()
    assert.equal(stale, before.accessToken)
    assert.equal((await callAthlete(stale)).status, 401)
    const accessToken = await session.renewAfterRejection(stale)
    s.secrets.add(accessToken)

    assert.deepEqual(
      tokenRequests().map((entry) => [entry.grantType, entry.status]),
      [['refresh_token', 200]],
    )
    assert.notEqual(accessToken, before.accessToken)
    const after = await storedRecord(s)
    await rememberStoredSecrets(s)
    assert.equal(after.accessToken, accessToken)
    assert.notEqual(after.refreshToken, before.refreshToken, 'the rotated refresh token is stored')
    assert.equal(after.clientSecret, emulator.client.secret)
    assert.equal((await refreshWithEmulator(String(before.refreshToken))).status, 400, 'the old refresh token is dead')
    assert.equal((await callAthlete(accessToken)).status, 200)
    assert.equal(await session.accessToken(), accessToken, 'a valid token is reused')
    assert.equal(
      await session.renewAfterRejection(stale),
      accessToken,
      'a late 401 for the old token does not refresh again',
    )
    assert.deepEqual(
      tokenRequests().map((entry) => [entry.grantType, entry.status]),
      [
        ['refresh_token', 200],
        ['refresh_token', 400],
      ],
      'one refresh by the session, then the test replaying the old refresh token',
    )
    assert.deepEqual(warnings, [])

    await t.test('a token within the expiry margin is refreshed before use', async () => {
      emulator.clearRequests()
      const expiresAt = Number(after.expiresAt)
      const nearExpiry = await openTokenSession({
        configDir: s.home.configDir,
        env: {...s.env, STRAVA_CLIENT_ID: undefined, STRAVA_CLIENT_SECRET: undefined},
        now: () => (expiresAt - 60) * 1000,
      })
      const renewed = await nearExpiry.accessToken()
      s.secrets.add(renewed)
      assert.notEqual(renewed, accessToken)
      assert.deepEqual(
        tokenRequests().map((entry) => entry.grantType),
        ['refresh_token'],
      )
      assert.equal((await storedRecord(s)).accessToken, renewed)
      await rememberStoredSecrets(s)
    })

    await t.test('generate refreshes an expired token end to end', async () => {
      const stored = await storedRecord(s)
      emulator.expireAccessTokens()
      emulator.clearRequests()
      const generated = await s.run(['generate', '--week', '2024-W10', '--json'], {
        env: {STRAVA_CLIENT_SECRET: undefined},
      })
      assert.equal(generated.code, 0, generated.stderr)
      const digest = JSON.parse(generated.stdout) as {week: {id: string}; activities: unknown[]}
      assert.equal(digest.week.id, '2024-W10')
      assert.ok(digest.activities.length > 0, 'the seeded week has activities')
      assert.deepEqual(
        tokenRequests().map((entry) => entry.grantType),
        ['refresh_token'],
      )
      assert.notEqual((await storedRecord(s)).refreshToken, stored.refreshToken)
      await rememberStoredSecrets(s)
    })

    await t.test('two generate runs at once spend the rotating refresh token once', async () => {
      emulator.expireAccessTokens()
      emulator.clearRequests()
      // A slow refresh keeps the first run inside its lock while the second meets Strava's 401 too.
      emulator.inject({kind: 'slow', delayMs: 2000, match: '/oauth/token', times: 1})
      // A fresh archive: the one of the run above already holds 2024-W10 and would need no request.
      const env = {STRAVA_CLIENT_SECRET: undefined, WEEKNOTES_DATA_DIR: join(s.home.root, 'data-concurrent')}
      const runs = await Promise.all([
        s.run(['generate', '--week', '2024-W10', '--json'], {env}),
        s.run(['generate', '--week', '2024-W10', '--json'], {env}),
      ])
      for (const run of runs) assert.equal(run.code, 0, run.stderr)
      const rejected = emulator.requests.filter((entry) => entry.status === 401)
      assert.equal(rejected.length, 2, 'both runs found the access token expired')
      // Without the cross-process lock both would refresh with the same token and the second would
      // get Strava's "RefreshToken invalid" (400).
      assert.deepEqual(
        tokenRequests().map((entry) => [entry.grantType, entry.status]),
        [['refresh_token', 200]],
      )
      await rememberStoredSecrets(s)
    })

    await assertNothingLeaked(s)
  })

  describe('CI mode: generate refreshes from STRAVA_REFRESH_TOKEN, stores nothing, warns once about rotation', () => {
    const ciRun = async (t: TestContext, args: string[]) => {
      const home = await createCliHome()
      t.after(() => home.remove())
      const issued = emulator.issueTokens()
      emulator.clearRequests()
      const env = cliEnvironment(home, {
        // No keyring at all: CI mode must not need one.
        DBUS_SESSION_BUS_ADDRESS: `unix:path=${join(home.root, 'no-bus')}`,
        STRAVA_OAUTH_URL: emulator.oauthUrl,
        STRAVA_API_URL: emulator.apiUrl,
        STRAVA_CLIENT_ID: emulator.client.id,
        STRAVA_CLIENT_SECRET: emulator.client.secret,
        STRAVA_REFRESH_TOKEN: issued.refreshToken,
      })
      const result = await startCli(['generate', '--week', '2024-W10', ...args], {env, input: ''}).result
      return {home, issued, result}
    }

    const assertCiRun = async ({home, issued, result}: Awaited<ReturnType<typeof ciRun>>) => {
      assert.equal(result.code, 0, result.stderr)
      assert.deepEqual(
        tokenRequests().map((entry) => [entry.grantType, entry.status]),
        [['refresh_token', 200]],
      )
      assert.equal((await refreshWithEmulator(issued.refreshToken)).status, 400, 'Strava rotated the CI token')
      const secrets = [emulator.client.secret, issued.refreshToken, issued.accessToken]
      assert.deepEqual(findSecretsInText(result.stdout + result.stderr, secrets), [])
      assert.deepEqual(await findSecretsInFiles(home.root, secrets), [])
      assert.equal(result.stderr.match(/Warning:/g)?.length, 1, `one warning:\n${result.stderr}`)
      assert.match(result.stderr, /STRAVA_REFRESH_TOKEN/, 'it says which secret to update')
    }

    test('writing the note to a file', async (t) => {
      const run = await ciRun(t, ['--output', 'note.md'])
      assert.match(await readFile(join(run.home.home, 'note.md'), 'utf8'), /2024/)
      await assertCiRun(run)
    })

    // oclif's Command.warn() prints nothing when --json is given, so the rotation warning is lost
    // exactly where a CI job is most likely to be scripted.
    test('with --json', async (t) => {
      const run = await ciRun(t, ['--json'])
      assert.equal((JSON.parse(run.result.stdout) as {week: {id: string}}).week.id, '2024-W10')
      await assertCiRun(run)
    })
  })

  test('denied consent exits 3 with a clear message and stores nothing', async (t) => {
    const s = await scenario(t, 'denied')
    if (!s) return

    const result = await login(s, [], {button: 'cancel'})

    assert.equal(result.code, 3, result.stderr)
    assert.match(result.stderr, /declined|denied/i)
    assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace')
    assert.deepEqual(tokenRequests(), [])
    assert.deepEqual(await keyringCredentials(s.service), [])
    assert.equal((await authStatus(s)).result.code, 3)

    await assertNothingLeaked(s)
  })

  test('a refused re-login keeps the session that works', async (t) => {
    const s = await scenario(t, 'relogin')
    if (!s) return
    assert.equal((await login(s)).code, 0)
    const before = await storedRecord(s)

    const refused = await login(s, [], {button: 'cancel'})

    assert.equal(refused.code, 3, refused.stderr)
    assert.deepEqual(await storedRecord(s), before)
    const {result, status} = await authStatus(s)
    assert.equal(result.code, 0, result.stderr)
    assert.equal(status?.loggedIn, true)

    await assertNothingLeaked(s)
  })

  test('Ctrl-C while waiting for consent closes the receiver and stores nothing', async (t) => {
    const s = await scenario(t, 'interrupt')
    if (!s) return
    const run = s.start(['auth', '--no-browser'])
    const port = Number(redirectUriOf(await consentUrlOf(run)).port)
    await run.waitForStderr(/Waiting for/i)

    run.child.kill('SIGINT')
    const result = await run.result

    assert.notEqual(result.code, 0)
    assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace')
    assert.equal(await portIsClosed(port), true)
    assert.deepEqual(await keyringCredentials(s.service), [])
    await assertNothingLeaked(s)
  })

  test('no answer within --timeout exits 3 and stores nothing', async (t) => {
    const s = await scenario(t, 'timeout')
    if (!s) return

    const result = await s.run(['auth', '--no-browser', '--timeout', '2s'])

    assert.equal(result.code, 3, result.stderr)
    assert.match(result.stderr, /--timeout|within/i)
    assert.deepEqual(await keyringCredentials(s.service), [])
    await assertNothingLeaked(s)
  })

  test('a wrong client secret fails the code exchange with exit 3, not echoed, the working login kept', async (t) => {
    const s = await scenario(t, 'wrong-secret')
    if (!s) return
    const wrongSecret = 'wrong-client-secret-0123456789'
    s.secrets.add(wrongSecret)

    assert.equal((await login(s)).code, 0)
    const run = s.start(['auth', '--no-browser'], {env: {STRAVA_CLIENT_SECRET: wrongSecret}})
    await consent(s, await consentUrlOf(run))
    const rejected = await run.result

    assert.equal(rejected.code, 3, rejected.stderr)
    assert.match(rejected.stderr, /secret/i)
    assert.doesNotMatch(rejected.stderr, /\n\s+at /, 'no stack trace')
    assert.equal((await storedRecord(s)).clientSecret, emulator.client.secret, 'the working login is kept')
    await assertNothingLeaked(s)
  })

  // With activity:read_all alone requested, unticking it would leave no activity access at all.
  test('with the default scopes, unticked activity:read_all logs in with a warning about private activities', async (t) => {
    const s = await scenario(t, 'no-read-all')
    if (!s) return

    const result = await login(s, [], {untick: ['activity:read_all']})

    assert.equal(result.code, 0, result.stderr)
    assert.match(result.stderr, /private/i)
    const {status} = await authStatus(s)
    assert.deepEqual([...(status?.scopes as string[])].sort(), ['activity:read', 'read'])
    assert.deepEqual([...((await storedRecord(s)).scopes as string[])].sort(), ['activity:read', 'read'])

    await assertNothingLeaked(s)
  })

  test('unticked activity:read fails the login with exit 3', async (t) => {
    const s = await scenario(t, 'no-read')
    if (!s) return

    const result = await login(s, ['--scope', 'read,activity:read'], {untick: ['activity:read']})

    assert.equal(result.code, 3, result.stderr)
    assert.match(result.stderr, /activities/i)
    assert.deepEqual(await keyringCredentials(s.service), [])
    assert.equal((await authStatus(s)).result.code, 3)

    await assertNothingLeaked(s)
  })

  test('a forged callback gets 400 and the real consent still completes the login', async (t) => {
    const s = await scenario(t, 'forged')
    if (!s) return

    const run = s.start(['auth', '--no-browser'])
    const consentUrl = await consentUrlOf(run)
    const redirectUri = redirectUriOf(consentUrl)
    assert.deepEqual(
      {
        ...Object.fromEntries(consentUrl.searchParams),
        redirect_uri: `${redirectUri.protocol}//${redirectUri.hostname}${redirectUri.pathname}`,
        state: undefined,
      },
      {
        approval_prompt: 'auto',
        client_id: emulator.client.id,
        redirect_uri: 'http://127.0.0.1/callback',
        response_type: 'code',
        scope: 'read,activity:read,activity:read_all',
        state: undefined,
      },
      'Strava parameters, no PKCE',
    )
    assert.match(consentUrl.searchParams.get('state') ?? '', /^[\w-]{43,}$/, 'a high-entropy state')
    for (const address of externalAddresses()) {
      assert.equal(await portIsClosed(Number(redirectUri.port), address), true, `the receiver answers on ${address}`)
    }

    const forged = new URL(redirectUri)
    forged.searchParams.set('code', '<script>forged-authorization-code</script>')
    forged.searchParams.set('state', 'not-the-state-of-this-login')
    const forgedResponse = await fetch(forged)
    assert.equal(forgedResponse.status, 400)
    assert.doesNotMatch(await forgedResponse.text(), /<script>/, 'nothing from the request is echoed unescaped')
    const withoutState = new URL(redirectUri)
    withoutState.searchParams.set('code', 'forged-authorization-code')
    assert.equal((await fetch(withoutState)).status, 400)
    const elsewhere = await fetch(new URL('/', redirectUri))
    assert.ok(elsewhere.status >= 400, `the receiver answers only its callback path, / gave ${elsewhere.status}`)

    await consent(s, consentUrl)
    const result = await run.result

    assert.equal(result.code, 0, result.stderr)
    assert.ok(result.stdout.includes(loggedInLine()), result.stdout)
    assert.deepEqual(
      tokenRequests().map((entry) => entry.grantType),
      ['authorization_code'],
      'only the real code is exchanged',
    )

    await assertNothingLeaked(s)
  })

  test('paste mode: the redirected address on stdin logs in and the receiver closes', async (t) => {
    const s = await scenario(t, 'paste')
    if (!s) return

    const run = s.start(['auth', '--no-browser'])
    const consentUrl = await consentUrlOf(run)
    const port = Number(redirectUriOf(consentUrl).port)
    const redirected = await consent(s, consentUrl, {interceptRedirect: true})
    s.secrets.add(redirected.searchParams.get('code')!)
    run.write(`${redirected.href}\n`)
    await run.waitForStdout(/Logged in to Strava/)
    assert.equal(await portIsClosed(port), true, 'the loopback receiver is closed once the paste won')
    run.endInput()
    const result = await run.result

    assert.equal(result.code, 0, result.stderr)
    assert.ok(result.stdout.includes(loggedInLine()), result.stdout)
    assert.equal((await storedRecord(s)).clientSecret, emulator.client.secret)

    await assertNothingLeaked(s)
  })

  test('--insecure-storage keeps the secrets only in credentials.json (mode 0600), with a warning', async (t) => {
    const s = await scenario(t, 'insecure')
    if (!s) return

    const result = await login(s, ['--insecure-storage'])

    assert.equal(result.code, 0, result.stderr)
    assert.match(result.stderr, /unencrypted|insecure/i)
    assert.deepEqual(await keyringCredentials(s.service), [], 'nothing in the keyring')
    const credentialsFile = join(s.home.configDir, 'credentials.json')
    assert.equal((await stat(credentialsFile)).mode & 0o777, 0o600)
    const stored = secretStringsOf([{account: 'file', password: await readFile(credentialsFile, 'utf8')}])
    stored.forEach((secret) => s.secrets.add(secret))
    const inFile = await findSecretsInFiles(s.home.root, s.secrets)
    assert.ok(
      inFile.some(({file}) => file === credentialsFile),
      'the leak scan finds the opted-in file, so it would find any other',
    )
    assert.ok(stored.includes(emulator.client.secret))
    const {status} = await authStatus(s, {STRAVA_CLIENT_SECRET: undefined})
    assert.equal(status?.storage, 'file')

    await assertNothingLeaked(s, {optedInFile: credentialsFile})
  })

  test('without a reachable keyring, login stops before consent and names the choices', async (t) => {
    const home = await createCliHome()
    t.after(() => home.remove())
    emulator.clearRequests()
    const env = cliEnvironment(home, {
      DBUS_SESSION_BUS_ADDRESS: `unix:path=${join(home.root, 'no-bus')}`,
      STRAVA_OAUTH_URL: emulator.oauthUrl,
      STRAVA_API_URL: emulator.apiUrl,
      STRAVA_CLIENT_ID: emulator.client.id,
      STRAVA_CLIENT_SECRET: emulator.client.secret,
    })

    const result = await startCli(['auth', '--no-browser'], {env, input: ''}).result

    assert.equal(result.code, 3, result.stderr)
    assert.match(result.stderr, /keyring/i)
    assert.match(result.stderr, /--insecure-storage/)
    assert.match(result.stderr, /STRAVA_REFRESH_TOKEN/)
    assert.doesNotMatch(result.stderr, /oauth\/authorize/, 'no consent is asked for a login that cannot be kept')
    assert.deepEqual(emulator.requests, [])
    assert.deepEqual(findSecretsInText(result.stdout + result.stderr, [emulator.client.secret]), [])
    assert.deepEqual(await findSecretsInFiles(home.root, [emulator.client.secret]), [])
  })

  test('logout revokes at Strava (/oauth/revoke, HTTP Basic) and deletes the stored secrets', async (t) => {
    const s = await scenario(t, 'logout')
    if (!s) return
    assert.equal((await login(s)).code, 0)
    const {accessToken, refreshToken} = await storedRecord(s)
    emulator.clearRequests()

    const result = await s.run(['auth', 'logout'], {env: {STRAVA_CLIENT_SECRET: undefined}})

    assert.equal(result.code, 0, result.stderr)
    assert.deepEqual(
      emulator.requests.map((entry) => [entry.method, entry.path, entry.status, entry.authorization, entry.params]),
      [['POST', '/oauth/revoke', 200, 'Basic', ['token', 'token_type_hint']]],
    )
    assert.deepEqual(await keyringCredentials(s.service), [])
    assert.equal((await authStatus(s)).result.code, 3)
    assert.equal((await callAthlete(String(accessToken))).status, 401, 'the access token no longer works')
    assert.equal((await refreshWithEmulator(String(refreshToken))).status, 400, 'the refresh token no longer works')

    await assertNothingLeaked(s)
  })

  test('logout with Strava unreachable still clears local state, with a warning', async (t) => {
    const s = await scenario(t, 'logout-offline')
    if (!s) return
    const gone = await startStravaEmulator()
    let stopped = false
    t.after(() => (stopped ? undefined : gone.close()))
    const onGone = {STRAVA_OAUTH_URL: gone.oauthUrl, STRAVA_API_URL: gone.apiUrl}
    const run = s.start(['auth', '--no-browser'], {env: onGone})
    const consentUrl = new URL(
      (await run.waitForStderr(new RegExp(`${escapeRegExp(gone.oauthUrl)}/authorize\\?\\S+`)))[0],
    )
    await consent(s, consentUrl)
    assert.equal((await run.result).code, 0, run.stderr)
    await rememberStoredSecrets(s)
    assert.equal((await keyringCredentials(s.service)).length, 1)
    await gone.close()
    stopped = true

    const result = await s.run(['auth', 'logout'], {env: {...onGone, STRAVA_CLIENT_SECRET: undefined}})

    assert.equal(result.code, 0, result.stderr)
    assert.match(result.stderr, /warn/i)
    assert.deepEqual(await keyringCredentials(s.service), [])
    assert.equal((await authStatus(s, onGone)).result.code, 3)

    await assertNothingLeaked(s)
  })
})
