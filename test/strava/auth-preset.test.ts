import assert from 'node:assert/strict'
import {PassThrough} from 'node:stream'
import {test} from 'node:test'

import {loginInteractively} from 'oclif-plugin-oauth/interactive-login'
import {oauthProvider} from 'oclif-plugin-oauth/provider'

import {stravaPreset, stravaProvider} from '../../src/strava/auth-preset.js'

test('the Strava preset builds its endpoints from the given OAuth URL', () => {
  const provider = stravaProvider('http://127.0.0.1:4567/oauth/')
  assert.equal(provider.authorizationEndpoint, 'http://127.0.0.1:4567/oauth/authorize')
  assert.equal(provider.tokenEndpoint, 'http://127.0.0.1:4567/oauth/token')
  assert.equal(provider.deauthorizationEndpoint, 'http://127.0.0.1:4567/oauth/deauthorize')
  assert.equal(provider.revocationEndpoint, 'http://127.0.0.1:4567/oauth/revoke')
  assert.equal(provider.revocationEndpointAuth, 'client_secret_basic')
  assert.equal(provider.revocationRevokesGrant, true)
  assert.equal(provider.manageAccessUrl, 'https://www.strava.com/settings/apps')
  assert.equal(provider.scopeSeparator, ',')
  assert.deepEqual(provider.defaultScopes, ['read', 'activity:read', 'activity:read_all'])
  assert.equal(provider.pkce, false)
  assert.equal(provider.tokenEndpointAuth, 'client_secret_post')
  assert.equal(provider.loopbackHost, '127.0.0.1')
  assert.deepEqual(provider.extraAuthorizationParams, {approval_prompt: 'auto'})
})

test('the Strava preset uses the URL it is given, else strava.com: never process.env behind the caller', async (t) => {
  const saved = process.env.STRAVA_OAUTH_URL
  t.after(() => {
    if (saved === undefined) delete process.env.STRAVA_OAUTH_URL
    else process.env.STRAVA_OAUTH_URL = saved
  })
  process.env.STRAVA_OAUTH_URL = 'http://127.0.0.1:9999/oauth'
  assert.equal(
    stravaPreset.provider({STRAVA_OAUTH_URL: 'http://127.0.0.1:9999/oauth'}).tokenEndpoint,
    'http://127.0.0.1:9999/oauth/token',
  )
  assert.equal(stravaPreset.provider({}).authorizationEndpoint, 'https://www.strava.com/oauth/authorize')
  assert.equal(stravaProvider().authorizationEndpoint, 'https://www.strava.com/oauth/authorize')

  // A login with an injected environment talks to the server that environment names, or to Strava.
  const endpoints: string[] = []
  for (const env of [{STRAVA_OAUTH_URL: 'http://127.0.0.1:4567/oauth'}, {}]) {
    await loginInteractively({
      configDir: '/nonexistent/weeknotes-test',
      preset: stravaPreset,
      env: {...env, STRAVA_CLIENT_ID: '1', STRAVA_CLIENT_SECRET: 'secret'},
      scope: 'read,activity:read_all',
      timeoutMs: 1000,
      printRefreshToken: true,
      stdin: new PassThrough(),
      stderr: new PassThrough(),
      warn: () => {},
      runFlow: async (options) => {
        endpoints.push(options.provider.tokenEndpoint)
        return {accessToken: 'a', refreshToken: 'r', expiresAt: 2_000_000_000, scopes: ['read', 'activity:read_all']}
      },
    })
  }
  assert.deepEqual(endpoints, ['http://127.0.0.1:4567/oauth/token', 'https://www.strava.com/oauth/token'])
})

test('the Strava preset revokes through /revoke unless told to deauthorize only', () => {
  assert.equal(stravaProvider('http://x/oauth', {revocation: true}).revocationEndpoint, 'http://x/oauth/revoke')
  const legacy = stravaProvider('http://x/oauth', {revocation: false})
  assert.equal(legacy.revocationEndpoint, undefined)
  assert.equal(legacy.deauthorizationEndpoint, 'http://x/oauth/deauthorize')
})

test('a generic provider defaults to spaces, PKCE and HTTP Basic', () => {
  const provider = oauthProvider({
    authorizationEndpoint: 'http://a/auth',
    tokenEndpoint: 'http://a/token',
    tokenEndpointAuth: 'none',
  })
  assert.equal(provider.scopeSeparator, ' ')
  assert.equal(provider.pkce, true)
  assert.equal(provider.tokenEndpointAuth, 'none')
  assert.equal(
    oauthProvider({authorizationEndpoint: 'http://a/auth', tokenEndpoint: 'http://a/token'}).tokenEndpointAuth,
    'client_secret_basic',
  )
})

test('the Strava preset never offers the implicit grant: no --implicit on `weeknotes auth`', async () => {
  const {default: Auth} = await import('../../src/commands/auth/index.js')
  assert.equal(stravaPreset.provider({}).allowsImplicitGrant, undefined)
  assert.equal('implicit' in Auth.flags, false)
})
