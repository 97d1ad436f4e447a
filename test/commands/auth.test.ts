// The built CLI (`npm test` builds it first) as a process with an isolated HOME: the auth command paths
// the browser end-to-end suite does not take (no keyring, --insecure-storage, CI mode, bad input).
import assert from 'node:assert/strict'
import {existsSync} from 'node:fs'
import {readFile, stat, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {setTimeout as delay} from 'node:timers/promises'
import {after, afterEach, before, beforeEach, describe, it} from 'node:test'

import {startStravaEmulator, type StravaEmulator} from 'strava-emulator'
import {type CliHome, cliEnvironment, createCliHome, startCli} from '../support/cli.js'
import {refreshTokenAccepted} from '../support/refresh.js'

// oclif wraps warnings and errors to the terminal width.
const unwrapped = (text: string) => text.replace(/\s*\n\s*(›\s*)?/g, ' ')

describe('weeknotes auth commands (built CLI)', () => {
  let emulator: StravaEmulator
  let home: CliHome
  let fetchingBrowser: string

  before(async () => {
    emulator = await startStravaEmulator({autoApprove: true, seed: 'empty'})
  })
  after(async () => {
    await emulator.close()
  })
  beforeEach(async () => {
    home = await createCliHome()
    // A $BROWSER that "clicks" at once: the emulator approves and redirects to the loopback receiver.
    fetchingBrowser = join(home.root, 'fetching-browser.mjs')
    await writeFile(fetchingBrowser, '#!/usr/bin/env node\nawait fetch(process.argv[2])\n', {mode: 0o755})
  })
  afterEach(async () => {
    await home.remove()
  })

  const run = (args: string[], env: Record<string, string | undefined> = {}, input = '') =>
    startCli(args, {
      env: cliEnvironment(home, {STRAVA_OAUTH_URL: emulator.oauthUrl, BROWSER: fetchingBrowser, ...env}),
      input,
    }).result

  it('status says not logged in with exit 3, also as JSON', async () => {
    const json = await run(['auth', 'status', '--json'])
    assert.equal(json.code, 3)
    assert.deepEqual(JSON.parse(json.stdout), {
      loggedIn: false,
      clientId: null,
      athlete: null,
      scopes: [],
      expiresAt: null,
      storage: null,
    })
    const text = await run(['auth', 'status'])
    assert.equal(text.code, 3)
    assert.match(text.stdout, /Not logged in/)
  })

  it('without a keyring, login exits 3 naming the three choices before any consent', async () => {
    const result = await run(
      ['auth', '--client-id', emulator.client.id, '--client-secret-stdin'],
      {
        DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/weeknotes-bus',
      },
      `${emulator.client.secret}\n`,
    )
    assert.equal(result.code, 3)
    assert.match(result.stderr, /No usable system keyring/)
    assert.match(result.stderr, /Secret Service/)
    assert.match(result.stderr, /--insecure-storage/)
    assert.match(result.stderr, /STRAVA_REFRESH_TOKEN/)
    assert.doesNotMatch(result.stderr, /authorize\?/)
    assert.ok(!result.stderr.includes(emulator.client.secret))
  })

  // Under cron, SSH or in a container there is no D-Bus session, and the binding only says "AccessDenied".
  it('without a D-Bus session, login names that cause before asking for the client id or secret', async () => {
    const result = await run(['auth'], {DBUS_SESSION_BUS_ADDRESS: undefined})
    assert.equal(result.code, 3, result.stderr)
    assert.match(unwrapped(result.stderr), /no D-Bus session: DBUS_SESSION_BUS_ADDRESS is not set/)
    assert.doesNotMatch(result.stderr, /AccessDenied/)
    assert.doesNotMatch(result.stderr, /client ID|client secret/i, 'the store is checked before the app credentials')
    assert.match(result.stderr, /--insecure-storage/)
  })

  it('without a terminal and without a secret, login exits 2 explaining the options', async () => {
    const result = await run(['auth', '--client-id', emulator.client.id, '--insecure-storage'])
    assert.equal(result.code, 2)
    assert.match(result.stderr, /--client-secret-stdin/)
    assert.match(result.stderr, /STRAVA_CLIENT_SECRET/)
  })

  // A headless box: xdg-open starts, finds no browser and exits 3.
  it('when the browser does not open, it says so and logs in from the pasted redirect address', async () => {
    const failingOpener = join(home.root, 'failing-opener.mjs')
    await writeFile(failingOpener, 'process.exit(3)\n')
    const login = startCli(['auth', '--client-id', emulator.client.id, '--insecure-storage'], {
      env: cliEnvironment(home, {
        STRAVA_OAUTH_URL: emulator.oauthUrl,
        STRAVA_CLIENT_SECRET: emulator.client.secret,
        BROWSER: `${process.execPath} ${failingOpener}`,
      }),
    })
    const [consentUrl] = await login.waitForStderr(/http:\/\/127\.0\.0\.1:\d+\/oauth\/authorize\?\S+/)
    await login.waitForStderr(/The browser did not open\..*paste the address/s)
    // The emulator approves at once; its redirect is what a browser elsewhere would show.
    const approval = await fetch(consentUrl, {redirect: 'manual'})
    login.write(`${approval.headers.get('location')}\n`)
    const result = await login.result
    assert.equal(result.code, 0, result.stderr)
    assert.match(result.stdout, /Logged in to Strava/)
    assert.doesNotMatch(result.stderr, /Waiting for the authorization in the browser/)
  })

  describe('a renewal interrupted by a signal', {skip: process.platform === 'win32' && 'no POSIX signals'}, () => {
    const credentials = async () =>
      Object.values(JSON.parse(await readFile(join(home.configDir, 'credentials.json'), 'utf8')))[0] as {
        refreshToken: string
      }
    const tokenCalls = () => emulator.requests.filter((request) => request.path === '/oauth/token')
    const generate = () =>
      startCli(['generate', '--week', '2024-W10'], {
        env: cliEnvironment(home, {STRAVA_OAUTH_URL: emulator.oauthUrl, STRAVA_API_URL: emulator.apiUrl}),
        input: '',
      })

    /** Logs in, expires the access token at Strava and starts a generate whose refresh answers slowly. */
    async function generateMidRenewal(delayMs: number) {
      const args = ['auth', '--client-id', emulator.client.id, '--client-secret-stdin', '--insecure-storage']
      const login = await run(args, {}, `${emulator.client.secret}\n`)
      assert.equal(login.code, 0, login.stderr)
      const before = await credentials()
      emulator.expireAccessTokens()
      emulator.clearRequests()
      // Strava has the refresh token (and replaces it) before its answer reaches weeknotes.
      emulator.inject({kind: 'slow', delayMs, match: '/oauth/token'})
      const running = generate()
      const refreshing = (async () => {
        while (tokenCalls().length === 0) await delay(20)
      })()
      const exited = running.result.then((result) => {
        throw new Error(`generate ended before it refreshed (exit ${result.code}): ${result.stderr}`)
      })
      await Promise.race([refreshing, exited])
      return {before, running}
    }

    for (const [signal, code] of [
      ['SIGINT', 130],
      ['SIGTERM', 143],
      ['SIGHUP', 129],
    ] as const) {
      it(`${signal} waits until the new tokens are saved, exits ${code}, and the next run uses them`, async () => {
        const {before, running} = await generateMidRenewal(1500)
        running.child.kill(signal)
        const result = await running.result
        assert.equal(result.code, code, result.stderr)
        assert.match(unwrapped(result.stderr), /stopping as soon as the new tokens are saved/)
        assert.match(unwrapped(result.stderr), /Interrupted; the renewed login was saved first/)
        assert.notEqual((await credentials()).refreshToken, before.refreshToken, 'the rotated token is saved')

        emulator.expireAccessTokens()
        emulator.clearRequests()
        const next = await generate().result
        assert.equal(next.code, 0, next.stderr)
        assert.deepEqual(
          tokenCalls().map((call) => call.status),
          [200],
          'the saved refresh token is the live one',
        )
      })
    }

    it('a second Ctrl-C stops at once, warning that the login may be lost', async () => {
      const {running} = await generateMidRenewal(8000)
      running.child.kill('SIGINT')
      await running.waitForStderr(/Interrupted while renewing/)
      const started = Date.now()
      running.child.kill('SIGINT')
      const result = await running.result
      assert.equal(result.code, 130, result.stderr)
      assert.ok(Date.now() - started < 5000, 'it did not wait for the answer')
      assert.match(unwrapped(result.stderr), /Stopped before the renewed login was saved/)
    })
  })

  it('rejects a bad --timeout with exit 2 and one sentence', async () => {
    const result = await run(['auth', '--timeout', 'soon', '--client-id', '1'])
    assert.equal(result.code, 2)
    assert.equal(
      unwrapped(result.stderr).trim(),
      '›   Error: "soon" is not a duration; give seconds (300) or a number with s, m or h (30s, 5m).',
    )
    const tooLong = await run(['auth', '--timeout', '25h', '--client-id', '1'])
    assert.equal(tooLong.code, 2)
    assert.equal(unwrapped(tooLong.stderr).trim(), '›   Error: "25h" is too long; give at most 24h.')
  })

  for (const scope of ['read activity:read_all', 'read, activity:read_all', 'read,activity:read_all']) {
    it(`--scope "${scope}" asks Strava with commas and keeps the scopes of a space-separated token response`, async () => {
      emulator.configure({tokenScopeSeparator: ' '})
      try {
        emulator.clearRequests()
        const login = await run(
          ['auth', '--client-id', emulator.client.id, '--client-secret-stdin', '--insecure-storage', '--scope', scope],
          {},
          `${emulator.client.secret}\n`,
        )
        assert.equal(login.code, 0, login.stderr)
        const authorize = emulator.requests.find((request) => request.path === '/oauth/authorize')
        assert.equal(authorize?.query.scope, 'read,activity:read_all')
        const config = JSON.parse(await readFile(join(home.configDir, 'config.json'), 'utf8'))
        assert.deepEqual(config.session.scopes, ['read', 'activity:read_all'])
        assert.doesNotMatch(login.stderr, /private activities/, 'activity:read_all was recognised as granted')
      } finally {
        emulator.configure({tokenScopeSeparator: undefined})
      }
    })
  }

  it('--insecure-storage: logs in, status shows the file store, logout revokes and clears it', async () => {
    const login = await run(
      ['auth', '--client-id', emulator.client.id, '--client-secret-stdin', '--insecure-storage'],
      {},
      `${emulator.client.secret}\n`,
    )
    assert.equal(login.code, 0, login.stderr)
    assert.equal(
      login.stdout,
      `Logged in to Strava as ${emulator.athlete.firstname} ${emulator.athlete.lastname} (athlete ${emulator.athlete.id}).\n`,
    )
    assert.match(login.stderr, /Open this URL to authorize weeknotes: http:\/\/127\.0\.0\.1:\d+\/oauth\/authorize\?/)
    assert.match(login.stderr, /unencrypted/)
    assert.ok(!login.stderr.includes(emulator.client.secret))
    const credentialsFile = join(home.configDir, 'credentials.json')
    assert.equal((await stat(credentialsFile)).mode & 0o777, 0o600)
    const record = Object.values(JSON.parse(await readFile(credentialsFile, 'utf8')))[0] as Record<string, string>
    const configText = await readFile(join(home.configDir, 'config.json'), 'utf8')
    for (const secret of [record.clientSecret, record.refreshToken, record.accessToken]) {
      assert.ok(!configText.includes(secret))
      assert.ok(!login.stdout.includes(secret) && !login.stderr.includes(secret))
    }

    const status = await run(['auth', 'status', '--json'])
    assert.equal(status.code, 0)
    const parsed = JSON.parse(status.stdout)
    assert.equal(parsed.loggedIn, true)
    assert.equal(parsed.storage, 'file')
    assert.equal(parsed.athlete.id, emulator.athlete.id)

    emulator.clearRequests()
    const logout = await run(['auth', 'logout'])
    assert.equal(logout.code, 0, logout.stderr)
    assert.deepEqual(
      emulator.requests.map((request) => request.path),
      ['/oauth/revoke'],
    )
    assert.ok(!existsSync(credentialsFile))
    assert.equal((await run(['auth', 'status'])).code, 3)
    const again = await run(['auth', 'logout'])
    assert.equal(again.code, 0)
    assert.match(again.stdout, /Not logged in/)
  })

  it('WEEKNOTES_STORE_KEY: logs in with no keyring into credentials.sealed; status names it; logout revokes and removes it', async () => {
    const key = (await run(['auth', 'key'])).stdout.trim()
    const env = {WEEKNOTES_STORE_KEY: key, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/weeknotes-bus'}
    const login = await run(
      ['auth', '--client-id', emulator.client.id, '--client-secret-stdin'],
      env,
      `${emulator.client.secret}\n`,
    )
    assert.equal(login.code, 0, login.stderr)
    const sealed = join(home.configDir, 'credentials.sealed')
    assert.equal((await stat(sealed)).mode & 0o777, 0o600)
    assert.ok(!(await readFile(sealed, 'latin1')).includes(emulator.client.secret))
    assert.ok(!existsSync(join(home.configDir, 'credentials.json')))

    const status = await run(['auth', 'status'], env)
    assert.equal(status.code, 0, status.stderr)
    assert.match(status.stdout, new RegExp(`Secrets kept in: sealed file ${sealed.replace(/[.]/g, '\\.')}\n`))
    assert.equal(JSON.parse((await run(['auth', 'status', '--json'], env)).stdout).storage, 'sealed')

    emulator.clearRequests()
    const logout = await run(['auth', 'logout'], env)
    assert.equal(logout.code, 0, logout.stderr)
    assert.deepEqual(
      emulator.requests.map((request) => request.path),
      ['/oauth/revoke'],
    )
    assert.ok(!existsSync(sealed))
  })

  it('a store key and --insecure-storage together are refused with exit 2', async () => {
    const result = await run(['auth', '--client-id', emulator.client.id, '--insecure-storage'], {
      WEEKNOTES_STORE_KEY: 'x'.repeat(43),
    })
    assert.equal(result.code, 2)
    assert.match(result.stderr, /drop one/)
  })

  it('auth key prints a new random key each time', async () => {
    const [one, two] = await Promise.all([run(['auth', 'key']), run(['auth', 'key'])])
    assert.match(one.stdout, /^[A-Za-z0-9_-]{43}\n$/)
    assert.notEqual(one.stdout, two.stdout)
  })

  it('--print-refresh-token: only the new refresh token on stdout, nothing stored, and it works in CI mode', async () => {
    const result = await run(
      ['auth', '--client-id', emulator.client.id, '--client-secret-stdin', '--print-refresh-token'],
      {DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/weeknotes-bus'},
      `${emulator.client.secret}\n`,
    )
    assert.equal(result.code, 0, result.stderr)
    const token = result.stdout.trim()
    assert.match(result.stdout, /^[0-9a-f]{40}\n$/)
    assert.match(result.stderr, /Nothing was stored/)
    assert.match(result.stderr, /may replace it/)
    assert.ok(!result.stderr.includes(token))
    assert.ok(!existsSync(home.configDir), 'no config directory created')

    const status = await run(['auth', 'status', '--json'], {
      STRAVA_CLIENT_ID: emulator.client.id,
      STRAVA_CLIENT_SECRET: emulator.client.secret,
      STRAVA_REFRESH_TOKEN: token,
    })
    assert.equal(JSON.parse(status.stdout).storage, 'environment')
    assert.ok(await refreshTokenAccepted(emulator, token), 'Strava accepts the printed refresh token')
  })

  it('logging in again with the same app reuses the saved client secret and replaces the tokens', async () => {
    const args = ['auth', '--client-id', emulator.client.id, '--insecure-storage']
    assert.equal((await run([...args, '--client-secret-stdin'], {}, `${emulator.client.secret}\n`)).code, 0)
    const credentialsFile = join(home.configDir, 'credentials.json')
    const first = JSON.parse(await readFile(credentialsFile, 'utf8'))
    const again = await run(args)
    assert.equal(again.code, 0, again.stderr)
    const second = JSON.parse(await readFile(credentialsFile, 'utf8'))
    assert.deepEqual(Object.keys(second), Object.keys(first))
    const [before, after] = [first, second].map((all) => Object.values(all)[0] as Record<string, string>)
    assert.equal(after.clientSecret, emulator.client.secret)
    assert.notEqual(after.refreshToken, before.refreshToken)
  })

  it('CI mode counts as logged in for status, with nothing stored', async () => {
    const result = await run(['auth', 'status', '--json'], {
      STRAVA_CLIENT_ID: '12345',
      STRAVA_CLIENT_SECRET: 'x',
      STRAVA_REFRESH_TOKEN: 'y',
    })
    assert.equal(result.code, 0)
    assert.equal(JSON.parse(result.stdout).storage, 'environment')
    assert.ok(!existsSync(join(home.configDir, 'config.json')))
  })

  it('CI mode without the client secret or id is not logged in: status names the missing variable, exit 3', async () => {
    const noSecret = await run(['auth', 'status'], {STRAVA_CLIENT_ID: '12345', STRAVA_REFRESH_TOKEN: 'y'})
    assert.equal(noSecret.code, 3, noSecret.stdout + noSecret.stderr)
    assert.match(noSecret.stdout, /CI mode is incomplete.*STRAVA_CLIENT_SECRET is not/)
    assert.doesNotMatch(noSecret.stdout, /Logged in/)

    const neither = await run(['auth', 'status', '--json'], {STRAVA_REFRESH_TOKEN: 'y'})
    assert.equal(neither.code, 3)
    assert.deepEqual(JSON.parse(neither.stdout), {
      loggedIn: false,
      clientId: null,
      athlete: null,
      scopes: [],
      expiresAt: null,
      storage: 'environment',
      missing: ['STRAVA_CLIENT_ID', 'STRAVA_CLIENT_SECRET'],
    })
  })
})
