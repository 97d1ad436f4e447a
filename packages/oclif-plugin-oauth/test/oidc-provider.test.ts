// The auth core against an OAuth 2 server it was not written alongside: panva's oidc-provider, with
// its own login and consent pages driven in Chromium. Proves PKCE S256, both client authentications
// at the token endpoint, public clients, and refresh-token rotation against an independent peer.
import assert from 'node:assert/strict'
import {randomBytes} from 'node:crypto'
import {after, before, describe, test, type TestContext} from 'node:test'

import type {Browser} from 'playwright-core'

import {runAuthorizationCodeFlow} from '../src/authorization-code-flow.js'
import {oauthProvider, type OAuthProvider} from '../src/provider.js'
import {refreshGrant, revoke, type TokenGrant} from '../src/tokens.js'
import {type ChromiumOrSkip, launchChromium} from './support/browser.js'
import {type OidcServer, signInAndConsent, startOidcServer} from './support/oidc-server.js'

const secrets = {
  basic: randomBytes(24).toString('base64url'),
  post: randomBytes(24).toString('base64url'),
}
// Native clients may use a loopback redirect on any port (RFC 8252 §7.3), so one registration fits
// whatever free port the receiver gets.
const nativeClient = {
  application_type: 'native' as const,
  redirect_uris: ['http://127.0.0.1/callback'],
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
}

let server: OidcServer
let chromium: ChromiumOrSkip

before(async () => {
  server = await startOidcServer({
    clients: [
      {
        ...nativeClient,
        client_id: 'confidential-basic',
        client_secret: secrets.basic,
        token_endpoint_auth_method: 'client_secret_basic',
      },
      {
        ...nativeClient,
        client_id: 'confidential-post',
        client_secret: secrets.post,
        token_endpoint_auth_method: 'client_secret_post',
      },
      {...nativeClient, client_id: 'public', token_endpoint_auth_method: 'none'},
    ],
  })
  chromium = await launchChromium()
})

after(async () => {
  await chromium?.browser?.close()
  await server?.close()
})

function providerFor(tokenEndpointAuth: OAuthProvider['tokenEndpointAuth'], overrides: Partial<OAuthProvider> = {}) {
  return oauthProvider({
    id: 'oidc-provider',
    authorizationEndpoint: server.authorizationEndpoint,
    tokenEndpoint: server.tokenEndpoint,
    revocationEndpoint: server.revocationEndpoint,
    issuer: server.issuer,
    // OpenID Connect grants offline_access (and so a refresh token) only with prompt=consent.
    extraAuthorizationParams: {prompt: 'consent'},
    tokenEndpointAuth,
    ...overrides,
  })
}

interface Login {
  grant: TokenGrant
  authorizationUrl: URL
  callbackUrl: URL
}

/**
 * runAuthorizationCodeFlow with the browser driven while the flow's receiver waits; a failing browser
 * session cancels the flow at once and is what the test reports.
 */
async function login(
  browser: Browser,
  o: {provider: OAuthProvider; clientId: string; clientSecret?: string},
): Promise<Login> {
  let browsing: Promise<URL> | undefined
  let authorizationUrl: URL | undefined
  let browserFailure: unknown
  const cancel = new AbortController()
  const warnings: string[] = []
  const flow = runAuthorizationCodeFlow({
    ...o,
    scopes: ['openid', 'offline_access'],
    timeoutMs: 60_000,
    signal: cancel.signal,
    warn: (message) => warnings.push(message),
    presentUrl: async (url) => {
      authorizationUrl = new URL(url)
      browsing = signInAndConsent(browser, url, new URL(authorizationUrl.searchParams.get('redirect_uri')!))
      browsing.catch((error: unknown) => {
        browserFailure = error
        cancel.abort()
      })
    },
  })
  const grant = await flow.catch((error: unknown) => {
    throw browserFailure ?? error
  })
  const callbackUrl = await browsing!
  assert.deepEqual(warnings, [])
  return {grant, authorizationUrl: authorizationUrl!, callbackUrl}
}

function browserOrSkip(t: TestContext): Browser | undefined {
  if (!chromium.browser) t.skip(chromium.skipReason)
  return chromium.browser
}

async function userinfoStatus(accessToken: string): Promise<number> {
  return (await fetch(`${server.issuer}/me`, {headers: {authorization: `Bearer ${accessToken}`}})).status
}

function assertUsableGrant(grant: TokenGrant) {
  assert.equal(typeof grant.accessToken, 'string')
  assert.equal(typeof grant.refreshToken, 'string')
  assert.deepEqual([...grant.scopes].sort(), ['offline_access', 'openid'])
  const lifetime = grant.expiresAt - Date.now() / 1000
  assert.ok(lifetime > 590 && lifetime <= 601, `expiresAt from expires_in (600 s), got ${lifetime}`)
}

describe('auth core against oidc-provider', () => {
  for (const method of ['client_secret_basic', 'client_secret_post'] as const) {
    test(`confidential client (${method}) with PKCE S256: code, then refresh with rotation`, async (t) => {
      const browser = browserOrSkip(t)
      if (!browser) return
      const clientId = method === 'client_secret_basic' ? 'confidential-basic' : 'confidential-post'
      const clientSecret = method === 'client_secret_basic' ? secrets.basic : secrets.post
      const provider = providerFor(method)
      server.tokenRequests.length = 0

      const {grant, authorizationUrl, callbackUrl} = await login(browser, {provider, clientId, clientSecret})

      assert.equal(authorizationUrl.searchParams.get('code_challenge_method'), 'S256')
      assert.match(authorizationUrl.searchParams.get('code_challenge') ?? '', /^[\w-]{43}$/)
      assert.equal(callbackUrl.searchParams.get('iss'), server.issuer)
      assertUsableGrant(grant)
      assert.equal(await userinfoStatus(grant.accessToken), 200)

      const refreshed = await refreshGrant({provider, clientId, clientSecret, refreshToken: grant.refreshToken!})
      assert.notEqual(refreshed.refreshToken, grant.refreshToken, 'the refresh token was rotated')
      assert.notEqual(refreshed.accessToken, grant.accessToken)
      assert.equal(await userinfoStatus(refreshed.accessToken), 200)

      const replay = refreshGrant({provider, clientId, clientSecret, refreshToken: grant.refreshToken!})
      await assert.rejects(replay, (error: Error & {exitCode?: number}) => {
        assert.equal(error.exitCode, 3)
        assert.ok(!error.message.includes(grant.refreshToken!), 'the rejected token is not echoed')
        assert.ok(!error.message.includes(clientSecret), 'the client secret is not echoed')
        return true
      })
      assert.deepEqual(server.tokenRequests, [
        {grantType: 'authorization_code'},
        {grantType: 'refresh_token'},
        {grantType: 'refresh_token', error: 'invalid_grant'},
      ])
    })
  }

  test('public client (no secret, PKCE required): code, refresh with rotation, revocation', async (t) => {
    const browser = browserOrSkip(t)
    if (!browser) return
    const provider = providerFor('none')
    server.tokenRequests.length = 0

    const {grant, authorizationUrl} = await login(browser, {provider, clientId: 'public'})

    assert.equal(authorizationUrl.searchParams.get('code_challenge_method'), 'S256')
    assertUsableGrant(grant)
    const refreshed = await refreshGrant({provider, clientId: 'public', refreshToken: grant.refreshToken!})
    assert.notEqual(refreshed.refreshToken, grant.refreshToken)
    assert.equal(await userinfoStatus(refreshed.accessToken), 200)

    await revoke({
      provider,
      clientId: 'public',
      accessToken: refreshed.accessToken,
      refreshToken: refreshed.refreshToken,
    })
    assert.equal(await userinfoStatus(refreshed.accessToken), 401, 'the revoked access token is dead')
    await assert.rejects(refreshGrant({provider, clientId: 'public', refreshToken: refreshed.refreshToken!}), {
      exitCode: 3,
    })
  })

  test('a wrong client secret ends the login with exit 3 and is not echoed', async (t) => {
    const browser = browserOrSkip(t)
    if (!browser) return
    const wrongSecret = randomBytes(24).toString('base64url')

    const attempt = login(browser, {
      provider: providerFor('client_secret_basic'),
      clientId: 'confidential-basic',
      clientSecret: wrongSecret,
    })

    await assert.rejects(attempt, (error: Error & {exitCode?: number}) => {
      assert.equal(error.exitCode, 3)
      assert.ok(!error.message.includes(wrongSecret))
      return true
    })
  })

  test('the server really requires PKCE of a public client: without it the login fails with exit 3', async () => {
    const withoutPkce = providerFor('none', {pkce: false})
    const login = runAuthorizationCodeFlow({
      provider: withoutPkce,
      clientId: 'public',
      scopes: ['openid'],
      timeoutMs: 30_000,
      warn: () => {},
      // oidc-provider refuses before any page is shown and redirects the error to the receiver.
      presentUrl: async (url) => {
        assert.equal(new URL(url).searchParams.has('code_challenge'), false)
        void fetch(url).catch(() => {})
      },
    })

    await assert.rejects(login, (error: Error & {exitCode?: number}) => {
      assert.equal(error.exitCode, 3)
      assert.match(error.message, /PKCE|code_challenge|invalid_request/i)
      return true
    })
  })
})
