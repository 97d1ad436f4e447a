import assert from 'node:assert/strict'
import {PassThrough} from 'node:stream'
import {test} from 'node:test'

import {buildAuthorizationUrl, runAuthorizationCodeFlow} from '../src/authorization-code-flow.js'
import {checkGrantedScopes} from '../src/preset.js'
import {AuthError} from '../src/errors.js'
import {pkceChallenge} from '../src/pkce.js'
import {oauthProvider, type OAuthProvider} from '../src/provider.js'
import {
  connectRefused,
  redirectBack,
  startFakeOAuthServer,
  tokenResponse,
  type FakeOAuthServer,
} from './fake-oauth-server.js'
import {exampleProvider} from './support/example-preset.js'

const CLIENT_SECRET = 'flow-client-secret-abcdef0123456789'
type FlowOptions = Parameters<typeof runAuthorizationCodeFlow>[0]

async function withServer(t: {after: (fn: () => Promise<void>) => void}): Promise<FakeOAuthServer> {
  const server = await startFakeOAuthServer()
  t.after(() => server.close())
  return server
}

/** A browser in which the user clicks Authorize at once: GET the consent URL, follow the redirect to the receiver. */
async function clickingBrowser(url: string): Promise<void> {
  await (await fetch(url)).text()
}

/** The flow as a confidential client (id 1) asking for `read`, within 10 s; each test sets what it is about. */
function flow(o: Partial<FlowOptions> & Pick<FlowOptions, 'provider' | 'presentUrl'>) {
  return runAuthorizationCodeFlow({
    clientId: '1',
    clientSecret: CLIENT_SECRET,
    scopes: ['read'],
    timeoutMs: 10_000,
    ...o,
  })
}

function redirectPort(authorizationUrl: string): number {
  return Number(new URL(new URL(authorizationUrl).searchParams.get('redirect_uri') ?? '').port)
}

function genericProvider(server: FakeOAuthServer, overrides: Partial<OAuthProvider> = {}): OAuthProvider {
  return oauthProvider({
    authorizationEndpoint: `${server.url}/authorize`,
    tokenEndpoint: `${server.url}/token`,
    ...overrides,
  })
}

test('a confidential client: consent URL, loopback callback and client_secret_post exchange', async (t) => {
  const server = await withServer(t)
  server.handle('/oauth/authorize', redirectBack({code: 'the-code', scope: 'read,activity:read_all'}))
  server.handle('/oauth/token', () => tokenResponse({account: {id: 1, firstname: 'Marianne', lastname: 'Vos'}}))
  let presented = ''
  const grant = await runAuthorizationCodeFlow({
    provider: exampleProvider(`${server.url}/oauth`),
    clientId: '12345',
    clientSecret: CLIENT_SECRET,
    scopes: ['read', 'activity:read_all'],
    timeoutMs: 10_000,
    presentUrl: async (url) => {
      presented = url
      await clickingBrowser(url)
    },
  })

  const query = new URL(presented).searchParams
  assert.equal(new URL(presented).pathname, '/oauth/authorize')
  assert.equal(query.get('client_id'), '12345')
  assert.equal(query.get('response_type'), 'code')
  assert.equal(query.get('scope'), 'read,activity:read_all')
  assert.equal(query.get('prompt'), 'consent')
  assert.match(query.get('state') ?? '', /^[A-Za-z0-9_-]{43}$/)
  assert.match(query.get('redirect_uri') ?? '', /^http:\/\/127\.0\.0\.1:\d+\/callback$/)
  assert.equal(query.has('code_challenge'), false, 'no PKCE when the provider does not use it')
  assert.ok(!presented.includes(CLIENT_SECRET))

  const token = server.requests.find((r) => r.path === '/oauth/token')
  assert.deepEqual(Object.fromEntries(token?.form ?? []), {
    grant_type: 'authorization_code',
    code: 'the-code',
    redirect_uri: query.get('redirect_uri'),
    client_id: '12345',
    client_secret: CLIENT_SECRET,
  })
  assert.deepEqual(grant.scopes, ['read', 'activity:read_all'])
  assert.equal(grant.accessToken, 'fake-access-token')
  assert.deepEqual(grant.athlete, {id: 1, firstname: 'Marianne', lastname: 'Vos'})
  assert.equal(await connectRefused(redirectPort(presented)), true)
})

test('the granted scopes come from the redirect, not from the request', async (t) => {
  const server = await withServer(t)
  server.handle('/oauth/authorize', redirectBack({code: 'c', scope: 'read'}))
  server.handle('/oauth/token', () => tokenResponse())
  const grant = await flow({
    provider: exampleProvider(`${server.url}/oauth`),
    scopes: ['read', 'activity:read_all'],
    presentUrl: clickingBrowser,
  })
  assert.deepEqual(grant.scopes, ['read'])
})

for (const auth of ['client_secret_basic', 'none'] as const) {
  test(`generic provider with PKCE and ${auth}`, async (t) => {
    const server = await withServer(t)
    let challenge = ''
    server.handle(
      '/authorize',
      redirectBack((request) => {
        challenge = request.query.get('code_challenge') ?? ''
        assert.equal(request.query.get('code_challenge_method'), 'S256')
        assert.equal(request.query.get('scope'), 'openid offline_access')
        return {code: 'pkce-code'}
      }),
    )
    server.handle('/token', (request) =>
      pkceChallenge(request.form.get('code_verifier') ?? '') === challenge
        ? tokenResponse({scope: 'openid offline_access', expires_at: undefined, expires_in: 60})
        : {status: 400, body: {error: 'invalid_grant', error_description: 'PKCE verification failed'}},
    )
    const grant = await runAuthorizationCodeFlow({
      provider: genericProvider(server, {tokenEndpointAuth: auth}),
      clientId: 'native-app',
      clientSecret: auth === 'none' ? undefined : CLIENT_SECRET,
      scopes: ['openid', 'offline_access'],
      timeoutMs: 10_000,
      presentUrl: clickingBrowser,
      now: () => 2_000_000_000_000,
    })
    assert.deepEqual(grant.scopes, ['openid', 'offline_access'])
    assert.equal(grant.expiresAt, 2_000_000_060)
    const token = server.requests.find((r) => r.path === '/token')
    assert.ok(token)
    assert.equal(token.form.get('code'), 'pkce-code')
    if (auth === 'none') {
      assert.equal(token.headers.authorization, undefined)
      assert.equal(token.form.get('client_id'), 'native-app')
    } else {
      assert.match(token.headers.authorization ?? '', /^Basic /)
    }
    assert.equal(token.form.has('client_secret'), false)
  })
}

test('a declined consent ends the flow with exit 3 and no token request', async (t) => {
  const server = await withServer(t)
  server.handle('/oauth/authorize', redirectBack({error: 'access_denied'}))
  let presented = ''
  const error = await flow({
    provider: exampleProvider(`${server.url}/oauth`),
    presentUrl: async (url) => {
      presented = url
      await clickingBrowser(url)
    },
  }).catch((e: unknown) => e)
  assert.ok(error instanceof AuthError)
  assert.equal(error.exitCode, 3)
  assert.equal(error.reason, 'access_denied')
  assert.match(error.message, /^You declined access/)
  assert.equal(server.requests.filter((r) => r.path === '/oauth/token').length, 0)
  assert.equal(await connectRefused(redirectPort(presented)), true)
})

test('a timeout ends the flow with exit 3, says how to retry, and frees the port', async () => {
  let presented = ''
  const error = await flow({
    provider: exampleProvider('http://127.0.0.1:9/oauth'),
    timeoutMs: 150,
    presentUrl: async (url) => void (presented = url),
  }).catch((e: unknown) => e)
  assert.ok(error instanceof AuthError)
  assert.equal(error.exitCode, 3)
  assert.equal(error.reason, 'timeout')
  assert.match(error.message, /--timeout/)
  assert.match(error.message, /--no-browser/)
  assert.equal(await connectRefused(redirectPort(presented)), true)
})

test('an abort (Ctrl-C) ends the flow and frees the port', async () => {
  const controller = new AbortController()
  let presented = ''
  const error = await flow({
    provider: exampleProvider('http://127.0.0.1:9/oauth'),
    timeoutMs: 60_000,
    signal: controller.signal,
    presentUrl: async (url) => {
      presented = url
      controller.abort()
    },
  }).catch((e: unknown) => e)
  assert.ok(error instanceof AuthError)
  assert.equal(error.reason, 'cancelled')
  assert.equal(await connectRefused(redirectPort(presented)), true)
})

test('a failing presentUrl closes the receiver and passes its error on', async () => {
  let presented = ''
  const error = await flow({
    provider: exampleProvider('http://127.0.0.1:9/oauth'),
    clientSecret: undefined,
    timeoutMs: 60_000,
    presentUrl: async (url) => {
      presented = url
      throw new Error('terminal went away')
    },
  }).catch((e: unknown) => e)
  assert.equal((error as Error).message, 'terminal went away')
  assert.equal(await connectRefused(redirectPort(presented)), true)
})

function redirectedUrl(authorizationUrl: string, params: Record<string, string>): string {
  const query = new URL(authorizationUrl).searchParams
  return `${query.get('redirect_uri')}?${new URLSearchParams({state: query.get('state') ?? '', ...params})}`
}

test('paste mode: the redirected URL pasted on stdin completes the login', async (t) => {
  const server = await withServer(t)
  server.handle('/oauth/token', () => tokenResponse())
  const input = new PassThrough()
  const grant = await flow({
    provider: exampleProvider(`${server.url}/oauth`),
    scopes: ['read', 'activity:read_all'],
    pastedInput: input,
    presentUrl: async (url) =>
      void input.write(`\n  ${redirectedUrl(url, {code: 'pasted-code', scope: 'read,activity:read'})}  \n`),
  })
  assert.deepEqual(grant.scopes, ['read', 'activity:read'])
  assert.equal(server.requests.find((r) => r.path === '/oauth/token')?.form.get('code'), 'pasted-code')
})

test('paste mode: a bare code completes the login with the requested scopes', async (t) => {
  const server = await withServer(t)
  server.handle('/oauth/token', () => tokenResponse())
  const input = new PassThrough()
  const warnings: string[] = []
  const grant = await flow({
    warn: (message) => warnings.push(message),
    provider: exampleProvider(`${server.url}/oauth`),
    scopes: ['read', 'activity:read_all'],
    pastedInput: input,
    presentUrl: async () => void input.write('0123456789abcdef0123456789abcdef01234567\n'),
  })
  assert.deepEqual(grant.scopes, ['read', 'activity:read_all'])
  assert.match(warnings.join('\n'), /granted scopes are assumed/)
  assert.equal(
    server.requests.find((r) => r.path === '/oauth/token')?.form.get('code'),
    '0123456789abcdef0123456789abcdef01234567',
  )
})

test('paste mode: a URL with the wrong state is rejected with a warning, and the browser callback still wins', async (t) => {
  const server = await withServer(t)
  server.handle('/oauth/token', () => tokenResponse())
  const input = new PassThrough()
  const warnings: string[] = []
  let rejectedPaste!: () => void
  const pasteRejected = new Promise<void>((resolve) => (rejectedPaste = resolve))
  const grant = await flow({
    provider: exampleProvider(`${server.url}/oauth`),
    pastedInput: input,
    warn: (message) => {
      warnings.push(message)
      rejectedPaste()
    },
    presentUrl: async (url) => {
      const forged = redirectedUrl(url, {code: 'forged-code'}).replace(/state=[^&]+/, 'state=forged')
      input.write(`${forged}\nnot a code at all\n`)
      await pasteRejected
      await clickingBrowser(url)
    },
  })
  assert.equal(grant.accessToken, 'fake-access-token')
  assert.match(warnings[0], /does not belong to this login/)
  assert.deepEqual(
    server.requests.filter((r) => r.path === '/oauth/token').map((r) => r.form.get('code')),
    ['fake-authorization-code'],
  )
})

test('a failed exchange reports a sentence without the code or the secret', async (t) => {
  const server = await withServer(t)
  server.handle('/oauth/token', (request) => ({
    status: 400,
    body: {
      error: 'invalid_request',
      error_description: `code ${request.form.get('code')} secret ${request.form.get('client_secret')}`,
    },
  }))
  const error = await flow({
    provider: exampleProvider(`${server.url}/oauth`),
    presentUrl: clickingBrowser,
  }).catch((e: unknown) => e)
  assert.ok(error instanceof AuthError)
  assert.equal(error.reason, 'rejected')
  assert.match(error.message, /invalid_request: code \[redacted\] secret \[redacted\]/)
  assert.ok(!error.message.includes('fake-authorization-code'), error.message)
  assert.ok(!error.message.includes(CLIENT_SECRET), error.message)
})

test('implicit grant only when asked, with a deprecation warning and the fragment relayed', async (t) => {
  const server = await withServer(t)
  const warnings: string[] = []
  const grant = await runAuthorizationCodeFlow({
    provider: genericProvider(server),
    clientId: 'legacy',
    scopes: ['read'],
    timeoutMs: 10_000,
    implicit: true,
    warn: (message) => warnings.push(message),
    now: () => 1_000_000_000_000,
    presentUrl: async (url) => {
      const query = new URL(url).searchParams
      assert.equal(query.get('response_type'), 'token')
      assert.equal(query.has('code_challenge'), false)
      // What the relay page's script does in a browser: post the fragment back to the receiver.
      const callback = query.get('redirect_uri') ?? ''
      assert.match(await (await fetch(callback)).text(), /location\.hash/)
      const fragment = new URLSearchParams({
        access_token: 'implicit-token',
        expires_in: '120',
        state: query.get('state') ?? '',
      })
      await (await fetch(`${callback}/fragment`, {method: 'POST', body: fragment.toString()})).text()
    },
  })
  assert.match(warnings[0], /implicit grant is deprecated/)
  assert.deepEqual(grant, {accessToken: 'implicit-token', expiresAt: 1_000_000_120, scopes: ['read']})
  assert.equal(server.requests.length, 0)
})

test('buildAuthorizationUrl: provider extras cannot replace the security parameters', () => {
  const provider = oauthProvider({
    authorizationEndpoint: 'https://id.example/authorize?tenant=a',
    tokenEndpoint: 'https://id.example/token',
    extraAuthorizationParams: {state: 'evil', prompt: 'consent'},
  })
  const url = new URL(
    buildAuthorizationUrl({
      provider,
      clientId: 'c',
      redirectUri: 'http://127.0.0.1:1/callback',
      scopes: ['a', 'b'],
      state: 's',
      codeChallenge: 'ch',
    }),
  )
  assert.equal(url.searchParams.get('tenant'), 'a')
  assert.equal(url.searchParams.get('prompt'), 'consent')
  assert.equal(url.searchParams.get('state'), 's')
  assert.equal(url.searchParams.get('scope'), 'a b')
  assert.equal(url.searchParams.get('code_challenge'), 'ch')
  assert.equal(url.searchParams.get('code_challenge_method'), 'S256')
})

test('checkGrantedScopes reports missing required and recommended scopes', () => {
  const wanted = {required: ['activity:read'], recommended: ['activity:read_all']}
  assert.deepEqual(checkGrantedScopes(['read', 'activity:read_all', 'activity:read'], wanted), {
    missing: [],
    missingRecommended: [],
  })
  assert.deepEqual(checkGrantedScopes(['read', 'activity:read'], wanted), {
    missing: [],
    missingRecommended: ['activity:read_all'],
  })
  assert.deepEqual(checkGrantedScopes(['read'], wanted), {
    missing: ['activity:read'],
    missingRecommended: ['activity:read_all'],
  })
  assert.deepEqual(checkGrantedScopes([], {required: [], recommended: []}), {missing: [], missingRecommended: []})
})

test("checkGrantedScopes follows the provider's implied scopes", () => {
  const wanted = {
    required: ['activity:read'],
    recommended: ['activity:read_all'],
    implied: {'activity:read_all': ['activity:read']},
  }
  assert.deepEqual(checkGrantedScopes(['read', 'activity:read_all'], wanted), {missing: [], missingRecommended: []})
  assert.deepEqual(checkGrantedScopes(['read', 'activity:read_all'], {required: ['activity:read'], recommended: []}), {
    missing: ['activity:read'],
    missingRecommended: [],
  })
})

test('the timeout wins even while presentUrl never returns', async () => {
  const error = await flow({
    provider: exampleProvider('http://127.0.0.1:9/oauth'),
    timeoutMs: 100,
    presentUrl: () => new Promise(() => {}),
  }).catch((e: unknown) => e)
  assert.ok(error instanceof AuthError)
  assert.equal(error.reason, 'timeout')
})

test('Ctrl-C during the code exchange cancels the token request', async (t) => {
  const server = await withServer(t)
  const controller = new AbortController()
  server.handle('/oauth/token', () => {
    controller.abort()
    return 'hang'
  })
  const error = await flow({
    provider: exampleProvider(`${server.url}/oauth`),
    signal: controller.signal,
    presentUrl: clickingBrowser,
  }).catch((e: unknown) => e)
  assert.ok(error instanceof AuthError)
  assert.equal(error.reason, 'cancelled')
})
