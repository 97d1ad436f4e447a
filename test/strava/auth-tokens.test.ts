// The plugin's token client with Strava's preset: its fault bodies, its revocation, weeknotes' wording.
import assert from 'node:assert/strict'
import {test} from 'node:test'

import {AuthError, AuthRateLimitError, AuthServerUnavailableError, redactSecrets} from 'oclif-plugin-oauth/errors'
import {oauthProvider} from 'oclif-plugin-oauth/provider'
import {exchangeCode, refreshGrant, revoke} from 'oclif-plugin-oauth/tokens'

import {stravaPreset, stravaProvider} from '../../src/strava/auth-preset.js'
import {
  startFakeOAuthServer,
  tokenResponse,
  type FakeOAuthServer,
} from '../../packages/oclif-plugin-oauth/test/fake-oauth-server.js'

const CLIENT_SECRET = 'client-secret-0123456789abcdef'
const CODE = 'authorization-code-abcdef012345'
const REFRESH_TOKEN = 'refresh-token-9876543210fedcba'
const ACCESS_TOKEN = 'access-token-1111222233334444'
const noSleep = async () => {}

async function withServer(t: {after: (fn: () => Promise<void>) => void}): Promise<FakeOAuthServer> {
  const server = await startFakeOAuthServer()
  t.after(() => server.close())
  return server
}

function strava(server: FakeOAuthServer) {
  return stravaProvider(`${server.url}/oauth`)
}

/** The Strava preset on the fake server with client '1' and CLIENT_SECRET. */
function stravaClient(server: FakeOAuthServer) {
  return {provider: strava(server), clientId: '1', clientSecret: CLIENT_SECRET}
}

function assertNoSecrets(message: string) {
  for (const secret of [CLIENT_SECRET, CODE, REFRESH_TOKEN, ACCESS_TOKEN])
    assert.ok(!message.includes(secret), `leaked in: ${message}`)
}

test('exchangeCode with client_secret_post sends the credentials in the form body', async (t) => {
  const server = await withServer(t)
  server.handle('/oauth/token', () => tokenResponse({athlete: {id: 134815, firstname: 'Marianne'}}))
  const grant = await exchangeCode({
    provider: strava(server),
    clientId: '12345',
    clientSecret: CLIENT_SECRET,
    code: CODE,
    redirectUri: 'http://127.0.0.1:5000/callback',
    scopes: ['read', 'activity:read'],
  })
  assert.deepEqual(grant, {
    accessToken: 'fake-access-token',
    refreshToken: 'fake-refresh-token',
    expiresAt: 1_900_000_000,
    scopes: ['read', 'activity:read'],
    athlete: {id: 134815, firstname: 'Marianne'},
  })
  const [request] = server.requests
  assert.equal(request.method, 'POST')
  assert.equal(request.headers['content-type'], 'application/x-www-form-urlencoded')
  assert.equal(request.headers.authorization, undefined)
  assert.deepEqual(Object.fromEntries(request.form), {
    grant_type: 'authorization_code',
    code: CODE,
    redirect_uri: 'http://127.0.0.1:5000/callback',
    client_id: '12345',
    client_secret: CLIENT_SECRET,
  })
})

test('exchangeCode with client_secret_basic sends an Authorization header and the PKCE verifier', async (t) => {
  const server = await withServer(t)
  server.handle('/token', () => tokenResponse({expires_at: undefined, expires_in: 600, scope: 'openid offline_access'}))
  const provider = oauthProvider({authorizationEndpoint: `${server.url}/auth`, tokenEndpoint: `${server.url}/token`})
  const grant = await exchangeCode({
    provider,
    clientId: 'my app',
    clientSecret: 'p@ss:word',
    code: CODE,
    redirectUri: 'http://127.0.0.1:5000/callback',
    codeVerifier: 'verifier-value',
    now: () => 1_000_000_000_000,
  })
  assert.equal(grant.expiresAt, 1_000_000_600)
  assert.deepEqual(grant.scopes, ['openid', 'offline_access'])
  const [request] = server.requests
  // RFC 6749 §2.3.1: form-urlencoded before Base64.
  assert.equal(request.headers.authorization, `Basic ${Buffer.from('my+app:p%40ss%3Aword').toString('base64')}`)
  assert.equal(request.form.get('client_secret'), null)
  assert.equal(request.form.get('client_id'), null)
  assert.equal(request.form.get('code_verifier'), 'verifier-value')
})

test('a public client (no secret) sends only its client_id', async (t) => {
  const server = await withServer(t)
  server.handle('/token', () => tokenResponse())
  const provider = oauthProvider({
    authorizationEndpoint: `${server.url}/auth`,
    tokenEndpoint: `${server.url}/token`,
    tokenEndpointAuth: 'none',
  })
  await exchangeCode({
    provider,
    clientId: 'public-app',
    code: CODE,
    redirectUri: 'http://127.0.0.1:1/callback',
    codeVerifier: 'v',
  })
  const [request] = server.requests
  assert.equal(request.headers.authorization, undefined)
  assert.equal(request.form.get('client_id'), 'public-app')
  assert.equal(request.form.has('client_secret'), false)
})

const stravaFaults = [
  {
    name: 'wrong client secret (401 Authorization Error)',
    status: 401,
    body: {
      message: 'Authorization Error',
      errors: [{resource: 'Application', field: 'client_secret', code: 'invalid'}],
    },
    reason: 'invalid_client',
    text: /Strava rejected the client secret/,
  },
  {
    name: 'unknown client id',
    status: 400,
    body: {message: 'Bad Request', errors: [{resource: 'Application', field: 'client_id', code: 'invalid'}]},
    reason: 'invalid_client',
    text: /Strava does not know this client id/,
  },
  {
    name: 'used or expired code',
    status: 400,
    body: {message: 'Bad Request', errors: [{resource: 'AuthorizationCode', field: 'code', code: 'invalid'}]},
    reason: 'invalid_code',
    text: /expired or was already used\. Run `weeknotes auth` again/,
  },
] as const

for (const fault of stravaFaults) {
  test(`exchangeCode maps Strava's fault: ${fault.name}`, async (t) => {
    const server = await withServer(t)
    server.handle('/oauth/token', () => ({status: fault.status, body: fault.body}))
    const error = await exchangeCode({
      provider: strava(server),
      clientId: '12345',
      clientSecret: CLIENT_SECRET,
      code: CODE,
      redirectUri: 'http://127.0.0.1:5000/callback',
      cli: stravaPreset.cli,
    }).catch((error_: unknown) => error_)
    assert.ok(error instanceof AuthError)
    assert.equal(error.exitCode, 3)
    assert.equal(error.reason, fault.reason)
    assert.match(error.message, fault.text)
    assertNoSecrets(error.message)
    assert.equal(server.requests.length, 1, 'a code exchange is never retried')
  })
}

test("refreshGrant maps Strava's RefreshToken invalid to exit 3 with 'run weeknotes auth again'", async (t) => {
  const server = await withServer(t)
  server.handle('/oauth/token', () => ({
    status: 400,
    body: {message: 'Bad Request', errors: [{resource: 'RefreshToken', field: 'refresh_token', code: 'invalid'}]},
  }))
  const error = await refreshGrant({
    provider: strava(server),
    clientId: '12345',
    clientSecret: CLIENT_SECRET,
    refreshToken: REFRESH_TOKEN,
    sleep: noSleep,
    cli: stravaPreset.cli,
  }).catch((error_: unknown) => error_)
  assert.ok(error instanceof AuthError)
  assert.equal(error.exitCode, 3)
  assert.equal(error.reason, 'invalid_refresh_token')
  assert.match(error.message, /rejected the refresh token.*Run `weeknotes auth` again/)
  assert.equal(server.requests.length, 1, 'a rejection is final')
})

test('generic invalid_grant bodies are mapped and their description is redacted', async (t) => {
  const server = await withServer(t)
  server.handle('/token', (request) => ({
    status: 400,
    body: {error: 'invalid_grant', error_description: `grant ${request.form.get('refresh_token')} is revoked`},
  }))
  const provider = oauthProvider({authorizationEndpoint: `${server.url}/auth`, tokenEndpoint: `${server.url}/token`})
  const error = await refreshGrant({
    provider,
    clientId: 'c',
    clientSecret: CLIENT_SECRET,
    refreshToken: REFRESH_TOKEN,
    sleep: noSleep,
  }).catch((error_: unknown) => error_)
  assert.ok(error instanceof AuthError)
  assert.equal(error.reason, 'invalid_refresh_token')
  assertNoSecrets(error.message)
})

test('other OAuth errors keep their description, with every secret redacted', async (t) => {
  const server = await withServer(t)
  server.handle('/token', (request) => ({
    status: 400,
    body: {
      error: 'invalid_request',
      error_description: `bad ${request.form.get('code')} with ${CLIENT_SECRET} (${encodeURIComponent(CLIENT_SECRET)})`,
    },
  }))
  const provider = oauthProvider({
    authorizationEndpoint: `${server.url}/auth`,
    tokenEndpoint: `${server.url}/token`,
    tokenEndpointAuth: 'client_secret_post',
  })
  const error = await exchangeCode({
    provider,
    clientId: 'c',
    clientSecret: CLIENT_SECRET,
    code: CODE,
    redirectUri: 'http://127.0.0.1:1/callback',
  }).catch((error_: unknown) => error_)
  assert.ok(error instanceof AuthError)
  assert.equal(error.reason, 'rejected')
  assert.match(error.message, /invalid_request: bad \[redacted\] with \[redacted\]/)
  assertNoSecrets(error.message)
})

test('a 5xx on code exchange fails at once with exit 5 (codes are single-use)', async (t) => {
  const server = await withServer(t)
  server.handle('/oauth/token', () => ({status: 502, body: {message: 'Bad Gateway'}}))
  const error = await exchangeCode({
    ...stravaClient(server),
    code: CODE,
    redirectUri: 'http://127.0.0.1:1/callback',
  }).catch((error_: unknown) => error_)
  assert.ok(error instanceof AuthServerUnavailableError)
  assert.equal(error.exitCode, 5)
  assert.equal(server.requests.length, 1)
})

test('refreshGrant retries 5xx a couple of times, then succeeds', async (t) => {
  const server = await withServer(t)
  let calls = 0
  server.handle('/oauth/token', () =>
    ++calls < 3 ? {status: 503, body: {}} : tokenResponse({refresh_token: 'rotated-refresh-token'}),
  )
  const delays: number[] = []
  const grant = await refreshGrant({
    ...stravaClient(server),
    refreshToken: REFRESH_TOKEN,
    scopes: ['read', 'activity:read_all'],
    sleep: async (ms) => void delays.push(ms),
  })
  assert.equal(grant.refreshToken, 'rotated-refresh-token')
  assert.deepEqual(grant.scopes, ['read', 'activity:read_all'], 'scopes carried over when the response has none')
  assert.equal(server.requests.length, 3)
  assert.equal(delays.length, 2)
  assert.deepEqual(Object.fromEntries(server.requests[0].form), {
    grant_type: 'refresh_token',
    refresh_token: REFRESH_TOKEN,
    client_id: '1',
    client_secret: CLIENT_SECRET,
  })
})

test('refreshGrant gives up with exit 5 after its retries', async (t) => {
  const server = await withServer(t)
  server.handle('/oauth/token', () => ({status: 500, body: {}}))
  const error = await refreshGrant({
    ...stravaClient(server),
    refreshToken: REFRESH_TOKEN,
    sleep: noSleep,
  }).catch((error_: unknown) => error_)
  assert.ok(error instanceof AuthServerUnavailableError)
  assert.equal(error.exitCode, 5)
  assert.equal(server.requests.length, 3)
  assertNoSecrets(error.message)
})

test('refreshGrant keeps the refresh token when the server does not rotate it', async (t) => {
  const server = await withServer(t)
  server.handle('/oauth/token', () => tokenResponse({refresh_token: undefined}))
  const grant = await refreshGrant({
    ...stravaClient(server),
    refreshToken: REFRESH_TOKEN,
  })
  assert.equal(grant.refreshToken, REFRESH_TOKEN)
})

test('network failures and malformed answers are exit 5 without secrets', async (t) => {
  const server = await withServer(t)
  server.handle('/oauth/token', () => 'reset')
  const provider = strava(server)
  const reset = await refreshGrant({
    provider,
    clientId: '1',
    clientSecret: CLIENT_SECRET,
    refreshToken: REFRESH_TOKEN,
    sleep: noSleep,
  }).catch((e: unknown) => e)
  assert.ok(reset instanceof AuthServerUnavailableError)
  assert.match(reset.message, /Strava could not be reached/)
  assertNoSecrets(reset.message)

  server.handle('/oauth/token', () => ({status: 200, body: undefined}))
  const empty = await exchangeCode({
    provider,
    clientId: '1',
    clientSecret: CLIENT_SECRET,
    code: CODE,
    redirectUri: 'http://127.0.0.1:1/callback',
  }).catch((e: unknown) => e)
  assert.ok(empty instanceof AuthServerUnavailableError)

  server.handle('/oauth/token', () => ({status: 200, body: {token_type: 'Bearer'}}))
  const noToken = await exchangeCode({
    provider,
    clientId: '1',
    clientSecret: CLIENT_SECRET,
    code: CODE,
    redirectUri: 'http://127.0.0.1:1/callback',
  }).catch((e: unknown) => e)
  assert.ok(noToken instanceof AuthServerUnavailableError)
})

test('every request has a timeout', async (t) => {
  const server = await withServer(t)
  server.handle('/oauth/token', () => 'hang')
  const error = await exchangeCode({
    ...stravaClient(server),
    code: CODE,
    redirectUri: 'http://127.0.0.1:1/callback',
    requestTimeoutMs: 100,
  }).catch((e: unknown) => e)
  assert.ok(error instanceof AuthServerUnavailableError)
  assert.match(error.message, /did not answer in time/)
})

test('a 429 from the token endpoint is exit 4', async (t) => {
  const server = await withServer(t)
  server.handle('/oauth/token', () => ({status: 429, body: {message: 'Rate Limit Exceeded'}}))
  const error = await refreshGrant({
    ...stravaClient(server),
    refreshToken: REFRESH_TOKEN,
    sleep: noSleep,
  }).catch((e: unknown) => e)
  assert.ok(error instanceof AuthRateLimitError)
  assert.equal(error.exitCode, 4)
})

/** The Strava preset as it was before /oauth/revoke: deauthorization alone. */
function deauthorizeOnly(server: FakeOAuthServer) {
  return {
    provider: stravaProvider(`${server.url}/oauth`, {revocation: false}),
    clientId: '1',
    clientSecret: CLIENT_SECRET,
  }
}

const basicAuth = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`

test('revoke posts once to Strava /oauth/revoke: Basic client credentials, the refresh token and its hint', async (t) => {
  const server = await withServer(t)
  server.handle('/oauth/revoke', () => ({status: 200}))
  await revoke({...stravaClient(server), accessToken: ACCESS_TOKEN, refreshToken: REFRESH_TOKEN})
  assert.equal(server.requests.length, 1, 'revoking one token of the pair revokes the other')
  const [request] = server.requests
  assert.equal(request.path, '/oauth/revoke')
  assert.equal(request.headers.authorization, basicAuth('1', CLIENT_SECRET))
  assert.deepEqual(Object.fromEntries(request.form), {token: REFRESH_TOKEN, token_type_hint: 'refresh_token'})
  assert.equal(request.query.size, 0, 'nothing in the query')
})

test('revoke sends the access token when there is no refresh token', async (t) => {
  const server = await withServer(t)
  server.handle('/oauth/revoke', () => ({status: 200}))
  await revoke({...stravaClient(server), accessToken: ACCESS_TOKEN})
  assert.deepEqual(Object.fromEntries(server.requests[0].form), {token: ACCESS_TOKEN, token_type_hint: 'access_token'})
})

for (const status of [404, 405]) {
  test(`revoke falls back to /oauth/deauthorize when /oauth/revoke answers ${status}`, async (t) => {
    const server = await withServer(t)
    server.handle('/oauth/revoke', () => ({status, body: {message: 'Record Not Found'}}))
    server.handle('/oauth/deauthorize', () => ({status: 200, body: {access_token: ACCESS_TOKEN}}))
    await revoke({...stravaClient(server), accessToken: ACCESS_TOKEN, refreshToken: REFRESH_TOKEN})
    assert.deepEqual(
      server.requests.map((r) => r.path),
      ['/oauth/revoke', '/oauth/deauthorize'],
    )
  })
}

test('revoke does not fall back on other refusals: a 401 or a 500 is the error', async (t) => {
  const server = await withServer(t)
  server.handle('/oauth/revoke', () => ({status: 401, body: {error: 'invalid_client'}}))
  const error = await revoke({...stravaClient(server), accessToken: ACCESS_TOKEN, refreshToken: REFRESH_TOKEN}).catch(
    (e: unknown) => e,
  )
  assert.ok(error instanceof AuthError)
  assert.equal(error.reason, 'invalid_client')
  assertNoSecrets(error.message)
  assert.deepEqual(
    server.requests.map((r) => r.path),
    ['/oauth/revoke'],
  )

  server.handle('/oauth/revoke', () => ({status: 500}))
  await assert.rejects(
    revoke({...stravaClient(server), accessToken: ACCESS_TOKEN, refreshToken: REFRESH_TOKEN, sleep: noSleep}),
    AuthServerUnavailableError,
  )
  assert.ok(!server.requests.some((r) => r.path === '/oauth/deauthorize'))
})

test('revoke reports a retired deauthorization (404 from both endpoints) as not revoked', async (t) => {
  const server = await withServer(t)
  const error = await revoke({...stravaClient(server), accessToken: ACCESS_TOKEN, refreshToken: REFRESH_TOKEN}).catch(
    (e: unknown) => e,
  )
  assert.ok(error instanceof AuthError)
  assert.equal(error.reason, 'endpoint_not_found')
  assert.match(error.message, /no \/oauth\/deauthorize endpoint \(HTTP 404\)/)
})

test('revoke uses Strava deauthorization with the access token alone, in the Authorization header', async (t) => {
  const server = await withServer(t)
  server.handle('/oauth/deauthorize', () => ({status: 200, body: {access_token: ACCESS_TOKEN}}))
  await revoke({
    ...deauthorizeOnly(server),
    accessToken: ACCESS_TOKEN,
    refreshToken: REFRESH_TOKEN,
  })
  assert.equal(server.requests.length, 1)
  assert.equal(server.requests[0].path, '/oauth/deauthorize')
  assert.equal(server.requests[0].headers.authorization, `Bearer ${ACCESS_TOKEN}`)
  assert.deepEqual(Object.fromEntries(server.requests[0].form), {}, 'no token in the form')
})

test('revoke refreshes an expired access token once and deauthorizes with the new one', async (t) => {
  const server = await withServer(t)
  server.handle('/oauth/deauthorize', (request) =>
    request.headers.authorization === 'Bearer fresh-access-token'
      ? {status: 200, body: {}}
      : {
          status: 401,
          body: {
            message: 'Authorization Error',
            errors: [{resource: 'Athlete', field: 'access_token', code: 'invalid'}],
          },
        },
  )
  server.handle('/oauth/token', () => tokenResponse({access_token: 'fresh-access-token'}))
  await revoke({
    ...deauthorizeOnly(server),
    accessToken: ACCESS_TOKEN,
    refreshToken: REFRESH_TOKEN,
  })
  assert.deepEqual(
    server.requests.map((r) => r.path),
    ['/oauth/deauthorize', '/oauth/token', '/oauth/deauthorize'],
  )
})

test('revoke fails with exit 3 when the token is not accepted and there is no refresh token', async (t) => {
  const server = await withServer(t)
  server.handle('/oauth/deauthorize', () => ({status: 401, body: {message: 'Authorization Error', errors: []}}))
  const error = await revoke({
    ...deauthorizeOnly(server),
    accessToken: ACCESS_TOKEN,
  }).catch((e: unknown) => e)
  assert.ok(error instanceof AuthError)
  assert.equal(error.reason, 'invalid_token')
  assertNoSecrets(error.message)
})

test('revoke on a generic RFC 7009 server: refresh token first, then access token', async (t) => {
  const server = await withServer(t)
  server.handle('/revoke', () => ({status: 200}))
  const provider = oauthProvider({
    authorizationEndpoint: `${server.url}/auth`,
    tokenEndpoint: `${server.url}/token`,
    revocationEndpoint: `${server.url}/revoke`,
    tokenEndpointAuth: 'client_secret_post',
  })
  await revoke({
    provider,
    clientId: '1',
    clientSecret: CLIENT_SECRET,
    accessToken: ACCESS_TOKEN,
    refreshToken: REFRESH_TOKEN,
  })
  assert.deepEqual(
    server.requests.map((r) => [
      r.path,
      r.form.get('token'),
      r.form.get('token_type_hint'),
      r.form.get('client_secret'),
    ]),
    [
      ['/revoke', REFRESH_TOKEN, 'refresh_token', CLIENT_SECRET],
      ['/revoke', ACCESS_TOKEN, 'access_token', CLIENT_SECRET],
    ],
  )
})

test('redactSecrets removes raw and URL-encoded secrets, longest first', () => {
  const secret = 'a+b/c=d'
  const text = `raw ${secret} encoded ${encodeURIComponent(secret)} form a%2Bb%2Fc%3Dd long ${secret}XYZ`
  assert.equal(
    redactSecrets(text, [secret, `${secret}XYZ`, '', undefined]),
    'raw [redacted] encoded [redacted] form [redacted] long [redacted]',
  )
  assert.equal(redactSecrets('nothing here', []), 'nothing here')
})
