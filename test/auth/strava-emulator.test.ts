import assert from 'node:assert/strict'
import {after, before, describe, it} from 'node:test'

import {buildAuthorizationUrl, runAuthorizationCodeFlow} from 'oclif-plugin-oauth/authorization-code-flow'
import {AuthError} from 'oclif-plugin-oauth/errors'
import {exchangeCode, refreshGrant, revoke} from 'oclif-plugin-oauth/tokens'
import {startStravaEmulator, type StravaEmulator} from 'strava-emulator'
import {stravaProvider} from '../../src/strava/auth.js'

/** The auth core against the project's Strava emulator: Strava's own fault bodies and token rotation. */
describe('auth core against the Strava emulator', () => {
  let emulator: StravaEmulator
  let consenting: StravaEmulator
  before(async () => {
    // Every refresh mints a token, to show rotation right after login (Strava does so in a token's last hour).
    emulator = await startStravaEmulator({autoApprove: true, seed: 'empty', reuseLiveAccessTokens: false})
    consenting = await startStravaEmulator({seed: 'empty'})
  })
  after(async () => {
    await emulator.close()
    await consenting.close()
  })

  const clickThrough = async (url: string) => void (await (await fetch(url)).text())

  it('logs in, refreshes with rotation, rejects the spent refresh token, and deauthorizes', async () => {
    const provider = stravaProvider(emulator.oauthUrl)
    const {id: clientId, secret: clientSecret} = emulator.client
    const grant = await runAuthorizationCodeFlow({
      provider,
      clientId,
      clientSecret,
      scopes: provider.defaultScopes,
      timeoutMs: 10_000,
      presentUrl: clickThrough,
    })
    assert.deepEqual(grant.scopes, ['read', 'activity:read', 'activity:read_all'])
    assert.equal(grant.athlete?.id, emulator.athlete.id)
    assert.ok(grant.refreshToken)

    const renewed = await refreshGrant({
      provider,
      clientId,
      clientSecret,
      refreshToken: grant.refreshToken,
      scopes: grant.scopes,
    })
    assert.notEqual(renewed.refreshToken, grant.refreshToken)
    assert.deepEqual(renewed.scopes, grant.scopes)

    const spent = await refreshGrant({provider, clientId, clientSecret, refreshToken: grant.refreshToken}).catch(
      (e: unknown) => e,
    )
    assert.ok(spent instanceof AuthError)
    assert.equal(spent.reason, 'invalid_refresh_token')
    assert.equal(spent.exitCode, 3)
    assert.ok(!spent.message.includes(grant.refreshToken))

    await revoke({
      provider,
      clientId,
      clientSecret,
      accessToken: renewed.accessToken,
      refreshToken: renewed.refreshToken,
    })
    assert.equal(emulator.requests.at(-1)?.path, '/oauth/revoke')
    assert.equal(emulator.requests.at(-1)?.status, 200)
    assert.equal(emulator.requests.at(-1)?.authorization, 'Basic')
    const ended = await refreshGrant({provider, clientId, clientSecret, refreshToken: renewed.refreshToken!}).catch(
      (e: unknown) => e,
    )
    assert.ok(ended instanceof AuthError, 'revoking the refresh token ended the pair')
  })

  it('falls back to /oauth/deauthorize when /oauth/revoke is not there (404)', async () => {
    const provider = stravaProvider(emulator.oauthUrl)
    const {id: clientId, secret: clientSecret} = emulator.client
    const tokens = emulator.issueTokens()
    await emulator.setEndpoints({revoke: false})
    try {
      emulator.clearRequests()
      await revoke({provider, clientId, clientSecret, ...tokens})
      assert.deepEqual(
        emulator.requests.map((r) => [r.path, r.status, r.authorization, r.params]),
        [
          ['/oauth/revoke', 404, 'Basic', ['token', 'token_type_hint']],
          ['/oauth/deauthorize', 200, 'Bearer', []],
        ],
      )
      const athlete = await fetch(`${emulator.apiUrl}/athlete`, {
        headers: {authorization: `Bearer ${tokens.accessToken}`},
      })
      assert.equal(athlete.status, 401)
    } finally {
      await emulator.setEndpoints({revoke: true})
    }
  })

  it('says the client secret was rejected, without showing it', async () => {
    const provider = stravaProvider(emulator.oauthUrl)
    const error = await runAuthorizationCodeFlow({
      provider,
      clientId: emulator.client.id,
      clientSecret: 'not-the-right-secret-123',
      scopes: ['read'],
      timeoutMs: 10_000,
      presentUrl: clickThrough,
    }).catch((e: unknown) => e)
    assert.ok(error instanceof AuthError)
    assert.equal(error.reason, 'invalid_client')
    assert.match(error.message, /^Strava rejected the client secret/)
    assert.ok(!error.message.includes('not-the-right-secret-123'))
  })

  it('says a used code expired or was used, without showing it', async () => {
    const provider = stravaProvider(emulator.oauthUrl)
    const redirectUri = 'http://127.0.0.1:1/callback'
    const url = buildAuthorizationUrl({
      provider,
      clientId: emulator.client.id,
      redirectUri,
      scopes: ['read'],
      state: 's',
    })
    const location = (await fetch(url, {redirect: 'manual'})).headers.get('location') ?? ''
    const code = new URL(location).searchParams.get('code') ?? ''
    const exchange = () =>
      exchangeCode({provider, clientId: emulator.client.id, clientSecret: emulator.client.secret, code, redirectUri})
    await exchange()
    const error = await exchange().catch((e: unknown) => e)
    assert.ok(error instanceof AuthError)
    assert.equal(error.reason, 'invalid_code')
    assert.ok(!error.message.includes(code))
  })

  it('ends with exit 3 when the athlete clicks Cancel on the consent page', async () => {
    const provider = stravaProvider(consenting.oauthUrl)
    const cancelOnConsentPage = async (url: string) => {
      const page = await (await fetch(url)).text()
      const form = new URLSearchParams({decision: 'cancel'})
      for (const [, name, value] of page.matchAll(/type="hidden" name="([^"]+)" value="([^"]*)"/g)) {
        form.set(
          name,
          value.replace(/&#(\d+);/g, (_, c: string) => String.fromCharCode(Number(c))),
        )
      }
      await (await fetch(`${consenting.oauthUrl}/authorize`, {method: 'POST', body: form})).text()
    }
    const error = await runAuthorizationCodeFlow({
      provider,
      clientId: consenting.client.id,
      clientSecret: consenting.client.secret,
      scopes: ['read', 'activity:read_all'],
      timeoutMs: 10_000,
      presentUrl: cancelOnConsentPage,
    }).catch((e: unknown) => e)
    assert.ok(error instanceof AuthError)
    assert.equal(error.reason, 'access_denied')
    assert.equal(error.exitCode, 3)
  })
})
