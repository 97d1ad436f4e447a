// The plugin is generic: a second, tiny host CLI (test/tiny-host: its own bin, one command of its own, the
// plugin as an ordinary oclif core plugin, a preset for a standard OAuth 2 server) runs the plugin's commands
// as a user would, as processes, against panva's oidc-provider: login in Chromium, status, a refresh with
// rotation, logout with revocation. Its names (`tiny`, TINY_*) come from its preset and oclif's config.
import assert from 'node:assert/strict'
import {type ChildProcess, spawn} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import {mkdtemp, readdir, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, test} from 'node:test'
import {fileURLToPath} from 'node:url'

import {startFakeOAuthServer} from './fake-oauth-server.js'
import {type ChromiumOrSkip, launchChromium} from './support/browser.js'
import {type OidcServer, signInAndConsent, startOidcServer} from './support/oidc-server.js'

const bin = fileURLToPath(new URL('tiny-host/bin.ts', import.meta.url))
const clientSecret = randomBytes(24).toString('base64url')

let server: OidcServer
let chromium: ChromiumOrSkip
let configDir: string

before(async () => {
  server = await startOidcServer({
    clients: [
      {
        application_type: 'native',
        client_id: 'tiny',
        client_secret: clientSecret,
        token_endpoint_auth_method: 'client_secret_basic',
        redirect_uris: ['http://127.0.0.1/callback'],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
      },
    ],
    // Below the session's five-minute margin: every run that takes a token renews it first.
    accessTokenTtl: 120,
  })
  chromium = await launchChromium()
  configDir = await mkdtemp(join(tmpdir(), 'tiny-host-'))
})

after(async () => {
  await chromium?.browser?.close()
  await server?.close()
  await rm(configDir, {recursive: true, force: true})
})

interface Run {
  code: number | null
  stdout: string
  stderr: string
}

interface TinyOptions {
  stdin?: string
  onStderr?: (text: string) => void
  configDir?: string
  env?: Record<string, string>
}

function tiny(args: string[], o: TinyOptions = {}): Promise<Run> & {child: ChildProcess} {
  const child = spawn(process.execPath, ['--conditions=oauth-plugin-source', '--import', 'tsx', bin, ...args], {
    env: {
      PATH: process.env.PATH,
      HOME: o.configDir ?? configDir,
      TINY_CONFIG_DIR: o.configDir ?? configDir,
      TINY_OAUTH_ISSUER: server.issuer,
      TINY_STORE_KEY: 'a-passphrase-long-enough-for-the-sealed-store',
      ...o.env,
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString()
    o.onStderr?.(stderr)
  })
  if (o.stdin === undefined) child.stdin.end()
  else child.stdin.write(o.stdin)
  const done = new Promise<Run>((resolve) => {
    child.on('close', (code) => {
      child.stdin.destroy()
      resolve({code, stdout, stderr})
    })
  })
  return Object.assign(done, {child})
}

describe('a second host (tiny) runs the plugin as a core plugin against oidc-provider', () => {
  test('login in Chromium, status, refresh with rotation, logout with revocation', async (t) => {
    if (!chromium.browser) return t.skip(chromium.skipReason)
    const browser = chromium.browser

    // Login: the secret on stdin's first line, consent in Chromium at the URL the command prints.
    let consent: Promise<URL> | undefined
    const login = await tiny(['auth', '--no-browser', '--client-id', 'tiny', '--client-secret-stdin'], {
      stdin: `${clientSecret}\n`,
      onStderr: (text) => {
        const url = /Open this URL to authorize tiny: (\S+)/.exec(text)?.[1]
        if (!url || consent) return
        consent = signInAndConsent(browser, url, new URL(new URL(url).searchParams.get('redirect_uri')!))
      },
    })
    await consent
    assert.equal(login.code, 0, login.stderr)
    assert.equal(login.stdout.trim(), 'Logged in to OIDC as athlete-1.')
    assert.ok(!`${login.stdout}${login.stderr}`.includes(clientSecret), 'the client secret is never shown')
    assert.deepEqual((await readdir(configDir)).sort(), ['config.json', 'credentials.sealed'])

    const status = await tiny(['auth', 'status', '--json'])
    assert.equal(status.code, 0, status.stderr)
    const shown = JSON.parse(status.stdout) as Record<string, unknown>
    assert.deepEqual(
      {...shown, expiresAt: typeof shown.expiresAt},
      {
        loggedIn: true,
        clientId: 'tiny',
        athlete: {sub: 'athlete-1'},
        scopes: ['openid', 'offline_access'],
        expiresAt: 'string',
        storage: 'sealed',
      },
    )

    // The access token lives 120 s, inside the renewal margin: each run renews, and the rotated refresh
    // token of the first run is what the second one spends.
    server.tokenRequests.length = 0
    for (const run of [1, 2]) {
      const token = await tiny(['token'])
      assert.equal(token.code, 0, `run ${run}: ${token.stderr}`)
      assert.deepEqual(JSON.parse(token.stdout), {storage: 'sealed', account: {sub: 'athlete-1'}, token: true})
    }
    assert.deepEqual(server.tokenRequests, [{grantType: 'refresh_token'}, {grantType: 'refresh_token'}])

    const logout = await tiny(['auth', 'logout'])
    assert.equal(logout.code, 0, logout.stderr)
    assert.equal(logout.stdout.trim(), 'Logged out; access revoked at OIDC.')
    assert.deepEqual(await readdir(configDir), ['config.json'], 'the secrets are gone, the client id stays')

    const after = await tiny(['auth', 'status'])
    assert.equal(after.code, 3)
    assert.equal(after.stdout.trim(), 'Not logged in to OIDC. Run `tiny auth` to log in.')
    const token = await tiny(['token'])
    assert.equal(token.code, 3)
    // oclif wraps the error at the terminal width, with ` ›   ` before each line.
    const said = token.stderr.replaceAll(/\s*›\s+/g, ' ')
    assert.match(said, /Not logged in\. Run `tiny auth` first\./)
    assert.match(said, /Or, for CI, set TINY_CLIENT_ID, TINY_CLIENT_SECRET and TINY_REFRESH_TOKEN in the environment\./)
  })

  test('the implicit grant stays behind the preset: a provider that does not allow it refuses --implicit', async () => {
    const login = await tiny(['auth', '--implicit', '--client-id', 'tiny', '--no-browser'])
    assert.equal(login.code, 2)
    assert.match(login.stderr, /OIDC is not set up for the implicit grant; leave out --implicit\./)
  })

  // oidc-provider refuses to offer `response_type=token` alone, so a stand-in server does: it answers the
  // authorization request with the token in the redirect's fragment, which the receiver's page relays.
  test('--implicit, where the preset allows it: the token from the fragment, a deprecation warning, no refresh token', async (t) => {
    if (!chromium.browser) return t.skip(chromium.skipReason)
    const legacy = await startFakeOAuthServer()
    const home = await mkdtemp(join(tmpdir(), 'tiny-host-implicit-'))
    t.after(async () => {
      await legacy.close()
      await rm(home, {recursive: true, force: true})
    })
    legacy.handle('/auth', (request) => {
      const fragment = new URLSearchParams({
        access_token: 'implicit-access-token',
        token_type: 'Bearer',
        expires_in: '3600',
        state: request.query.get('state') ?? '',
      })
      return {status: 302, headers: {location: `${request.query.get('redirect_uri')}#${fragment}`}}
    })

    let visit: Promise<void> | undefined
    const login = await tiny(['auth', '--implicit', '--no-browser', '--client-id', 'legacy'], {
      configDir: home,
      env: {TINY_OAUTH_ISSUER: legacy.url, TINY_IMPLICIT: '1', TINY_CLIENT_SECRET: 'not-used-by-the-implicit-grant'},
      onStderr: (text) => {
        const url = /Open this URL to authorize tiny: (\S+)/.exec(text)?.[1]
        if (!url || visit) return
        visit = (async () => {
          const context = await chromium.browser!.newContext()
          const page = await context.newPage()
          await page.goto(url)
          await page.waitForSelector('text=Authorization received')
          await context.close()
        })()
      },
    })
    await visit
    assert.equal(login.code, 0, login.stderr)
    assert.equal(new URL(legacy.requests[0].query.get('redirect_uri')!).hostname, '127.0.0.1')
    assert.equal(legacy.requests[0].query.get('response_type'), 'token')
    assert.match(login.stderr, /implicit grant is deprecated/)
    assert.ok(!legacy.requests.some((request) => request.path === '/token'), 'no token request')
    const status = await tiny(['auth', 'status', '--json'], {configDir: home, env: {TINY_OAUTH_ISSUER: legacy.url}})
    assert.equal(status.code, 0, status.stderr)
    assert.equal((JSON.parse(status.stdout) as {storage: string}).storage, 'sealed')
  })
})
