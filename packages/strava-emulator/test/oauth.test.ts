import assert from 'node:assert/strict'
import {after, before, describe, it} from 'node:test'
import {type StravaEmulator, startStravaEmulator} from '../src/index.js'
import {
  authorizationCode,
  authorizeUrl,
  exchangeCode,
  fault,
  getApi,
  manualClock,
  postForm,
  redirectQuery,
  redirectUri,
  refresh,
} from '../src/test-helpers.js'

describe('emulator /oauth/authorize', () => {
  let emulator: StravaEmulator
  before(async () => {
    emulator = await startStravaEmulator({seed: 'empty'})
  })
  after(() => emulator.close())

  /** The consent form's hidden fields and checkbox names, as a browser would post them. */
  async function consentForm(params: Record<string, string> = {}): Promise<Record<string, string>> {
    const page = await (await fetch(authorizeUrl(emulator, params))).text()
    const fields: Record<string, string> = {}
    for (const [, name, value] of page.matchAll(/type="hidden" name="([^"]+)" value="([^"]*)"/g)) {
      fields[name] = value.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)))
    }

    for (const [, id] of page.matchAll(/type="checkbox" id="([^"]+)"/g)) fields[id] = 'on'
    return fields
  }

  it('serves a self-contained, escaped consent page with one ticked box per scope and both buttons', async () => {
    const response = await fetch(authorizeUrl(emulator, {scope: 'read,activity:read_all', state: '<b>"x"</b>'}))
    assert.equal(response.status, 200)
    assert.match(response.headers.get('content-type') ?? '', /text\/html/)
    const page = await response.text()
    assert.match(page, /<input type="checkbox" id="scope-read" name="scope-read" checked>/)
    assert.match(page, /<input type="checkbox" id="scope-activity:read_all" name="scope-activity:read_all" checked>/)
    assert.match(page, /<button type="submit" id="authorize"/)
    assert.match(page, /<button type="submit" id="cancel"/)
    assert.ok(!page.includes('<b>"x"</b>'), 'state is escaped')
    assert.match(page, /&#60;b&#62;&#34;x&#34;&#60;\/b&#62;/)
    assert.doesNotMatch(page, /<script|<link|src=|https?:\/\/(?!127\.0\.0\.1)/)
  })

  it('redirects Authorize with state, a code and the granted scopes, read always included', async () => {
    const form = await consentForm({scope: 'activity:read_all,profile:read_all'})
    const response = await postForm(`${emulator.oauthUrl}/authorize`, {...form, decision: 'authorize'})
    assert.equal(response.status, 302)
    const location = response.headers.get('location') ?? ''
    assert.ok(location.startsWith(`${redirectUri}?state=state-123&code=`), location)
    assert.match(location, /&scope=read,activity:read_all,profile:read_all$/)
    assert.match(redirectQuery(response).get('code') ?? '', /^[0-9a-f]{40}$/)
  })

  it('grants only the boxes left ticked', async () => {
    const {'scope-activity:read_all': _unticked, ...form} = await consentForm({scope: 'read,activity:read_all'})
    const response = await postForm(`${emulator.oauthUrl}/authorize`, {...form, decision: 'authorize'})
    assert.equal(redirectQuery(response).get('scope'), 'read')
  })

  it('redirects Cancel with error=access_denied and the state, and no code', async () => {
    const form = await consentForm({state: 'abc'})
    const response = await postForm(`${emulator.oauthUrl}/authorize`, {...form, decision: 'cancel'})
    assert.equal(response.status, 302)
    assert.equal(response.headers.get('location'), `${redirectUri}?state=abc&error=access_denied`)
  })

  it('keeps a query already on the redirect_uri and accepts localhost on any port', async () => {
    const form = await consentForm({redirect_uri: 'http://localhost:8080/cb?x=1'})
    const response = await postForm(`${emulator.oauthUrl}/authorize`, {...form, decision: 'cancel'})
    assert.equal(response.headers.get('location'), 'http://localhost:8080/cb?x=1&state=state-123&error=access_denied')
  })

  it('ignores PKCE parameters, which Strava does not support', async () => {
    const response = await fetch(authorizeUrl(emulator, {code_challenge: 'abc', code_challenge_method: 'S256'}))
    assert.equal(response.status, 200)
  })

  const badRequests: [string, Record<string, string>, ReturnType<typeof fault>][] = [
    ['an unknown client_id', {client_id: '999'}, fault('Bad Request', 'Application', 'client_id', 'invalid')],
    [
      'a redirect_uri on another host',
      {redirect_uri: 'https://evil.example/cb'},
      fault('Bad Request', 'Application', 'redirect_uri', 'invalid'),
    ],
    ['no redirect_uri', {redirect_uri: ''}, fault('Bad Request', 'Application', 'redirect_uri', 'invalid')],
    ['an unknown scope', {scope: 'read,activity:delete'}, fault('Bad Request', 'Authorize', 'scope', 'invalid')],
    [
      'a space-separated scope list',
      {scope: 'read activity:read'},
      fault('Bad Request', 'Authorize', 'scope', 'invalid'),
    ],
    ['response_type=token', {response_type: 'token'}, fault('Bad Request', 'Application', 'response_type', 'invalid')],
    [
      'an unknown approval_prompt',
      {approval_prompt: 'never'},
      fault('Bad Request', 'Application', 'approval_prompt', 'invalid'),
    ],
  ]
  for (const [what, params, body] of badRequests) {
    it(`answers ${what} with Strava's 400 fault and no redirect`, async () => {
      const response = await fetch(authorizeUrl(emulator, params), {redirect: 'manual'})
      assert.equal(response.status, 400)
      assert.equal(response.headers.get('location'), null)
      assert.deepEqual(await response.json(), body)
    })
  }

  it('re-checks the parameters when the form is posted', async () => {
    const form = await consentForm()
    const response = await postForm(`${emulator.oauthUrl}/authorize`, {
      ...form,
      redirect_uri: 'https://evil.example/cb',
      decision: 'authorize',
    })
    assert.equal(response.status, 400)
    assert.equal(response.headers.get('location'), null)
  })
})

describe('emulator autoApprove', () => {
  it('redirects at once, granting every requested scope plus read', async () => {
    const emulator = await startStravaEmulator({autoApprove: true, seed: 'empty'})
    try {
      const response = await fetch(authorizeUrl(emulator, {scope: 'activity:read'}), {redirect: 'manual'})
      assert.equal(response.status, 302)
      const query = redirectQuery(response)
      assert.equal(query.get('state'), 'state-123')
      assert.equal(query.get('scope'), 'read,activity:read')
      assert.match(query.get('code') ?? '', /^[0-9a-f]{40}$/)
    } finally {
      await emulator.close()
    }
  })
})

describe('emulator /oauth/token', () => {
  const clock = manualClock('2024-03-11T08:00:00Z')
  let emulator: StravaEmulator
  before(async () => {
    emulator = await startStravaEmulator({
      autoApprove: true,
      now: clock.now,
      clients: [
        {id: '12345', secret: 'emulator-client-secret'},
        {id: '777', secret: 'other-secret'},
      ],
    })
  })
  after(() => emulator.close())

  it("exchanges a code for Strava's token response with the athlete", async () => {
    const response = await exchangeCode(emulator, await authorizationCode(emulator))
    assert.equal(response.status, 200)
    const body = (await response.json()) as Record<string, unknown>
    assert.deepEqual(Object.keys(body), [
      'token_type',
      'expires_at',
      'expires_in',
      'refresh_token',
      'access_token',
      'athlete',
    ])
    assert.equal(body.token_type, 'Bearer')
    assert.match(String(body.access_token), /^[0-9a-f]{40}$/)
    assert.match(String(body.refresh_token), /^[0-9a-f]{40}$/)
    assert.equal(body.expires_in, 21_600)
    assert.equal(body.expires_at, clock.now() / 1000 + 21_600)
    const {measurement_preference: preference, ...summary} = emulator.athlete
    assert.deepEqual(body.athlete, {...summary, resource_state: 2}, 'the summary athlete, as Strava sends it')
    assert.equal(preference, 'meters', 'the units preference is only in the detailed athlete of GET /athlete')
  })

  it('accepts the credentials in a JSON body too', async () => {
    const code = await authorizationCode(emulator)
    const response = await fetch(`${emulator.oauthUrl}/token`, {
      method: 'POST',
      headers: {'content-type': 'application/json'},
      body: JSON.stringify({
        client_id: 12345,
        client_secret: emulator.client.secret,
        code,
        grant_type: 'authorization_code',
      }),
    })
    assert.equal(response.status, 200)
  })

  it('lets a code be used only once', async () => {
    const code = await authorizationCode(emulator)
    assert.equal((await exchangeCode(emulator, code)).status, 200)
    const second = await exchangeCode(emulator, code)
    assert.equal(second.status, 400)
    assert.deepEqual(await second.json(), fault('Bad Request', 'AuthorizationCode', 'code', 'invalid'))
  })

  it('expires a code after 10 minutes on the emulator clock', async () => {
    const fresh = await authorizationCode(emulator)
    const stale = await authorizationCode(emulator)
    clock.advance(9 * 60 * 1000)
    assert.equal((await exchangeCode(emulator, fresh)).status, 200)
    clock.advance(60 * 1000)
    const response = await exchangeCode(emulator, stale)
    assert.equal(response.status, 400)
    assert.deepEqual(await response.json(), fault('Bad Request', 'AuthorizationCode', 'code', 'invalid'))
  })

  it('binds a code to the client it was issued to', async () => {
    const code = await authorizationCode(emulator)
    const response = await postForm(`${emulator.oauthUrl}/token`, {
      client_id: '777',
      client_secret: 'other-secret',
      code,
      grant_type: 'authorization_code',
    })
    assert.equal(response.status, 400)
    assert.equal((await exchangeCode(emulator, code)).status, 200, 'the rightful client can still use it')
  })

  it('answers a wrong client secret with 401 Authorization Error', async () => {
    const response = await exchangeCode(emulator, await authorizationCode(emulator), 'wrong-secret')
    assert.equal(response.status, 401)
    assert.deepEqual(await response.json(), fault('Authorization Error', 'Application', 'client_secret', 'invalid'))
  })

  it('answers an unknown client id and an unknown grant type with 400', async () => {
    const unknownClient = await postForm(`${emulator.oauthUrl}/token`, {client_id: '1', client_secret: 'x'})
    assert.deepEqual(await unknownClient.json(), fault('Bad Request', 'Application', 'client_id', 'invalid'))
    const unknownGrant = await postForm(`${emulator.oauthUrl}/token`, {
      client_id: emulator.client.id,
      client_secret: emulator.client.secret,
      grant_type: 'password',
    })
    assert.equal(unknownGrant.status, 400)
    assert.deepEqual(await unknownGrant.json(), fault('Bad Request', 'Application', 'grant_type', 'invalid'))
  })

  /** Strava renews an access token only within its last hour; tokens issued with 30 minutes to live are there. */
  function issueInLastHour() {
    emulator.setTokenLifetime(1800)
    try {
      return emulator.issueTokens()
    } finally {
      emulator.setTokenLifetime(21_600)
    }
  }

  it('refreshes with a rotated refresh token and rejects the old one at once', async () => {
    emulator.setRotation(true)
    const first = issueInLastHour()
    const response = await refresh(emulator, first.refreshToken)
    assert.equal(response.status, 200)
    const body = (await response.json()) as Record<string, unknown>
    assert.deepEqual(Object.keys(body), ['token_type', 'access_token', 'expires_at', 'expires_in', 'refresh_token'])
    assert.notEqual(body.access_token, first.accessToken)
    assert.notEqual(body.refresh_token, first.refreshToken)
    const reused = await refresh(emulator, first.refreshToken)
    assert.equal(reused.status, 400)
    assert.deepEqual(await reused.json(), fault('Bad Request', 'RefreshToken', 'refresh_token', 'invalid'))
    assert.equal((await refresh(emulator, String(body.refresh_token))).status, 200, 'the new one works')
    assert.equal((await getApi(emulator, '/athlete', String(body.access_token))).status, 200)
  })

  it('keeps the refresh token when rotation is off', async () => {
    emulator.setRotation(false)
    try {
      const first = issueInLastHour()
      const body = (await (await refresh(emulator, first.refreshToken)).json()) as Record<string, unknown>
      assert.equal(body.refresh_token, first.refreshToken)
      assert.notEqual(body.access_token, first.accessToken)
      assert.equal((await refresh(emulator, first.refreshToken)).status, 200)
    } finally {
      emulator.setRotation(true)
    }
  })

  it('gives refreshed tokens the configured lifetime', async () => {
    emulator.setTokenLifetime(60)
    try {
      const body = (await (await refresh(emulator, emulator.issueTokens().refreshToken)).json()) as {
        expires_in: number
        expires_at: number
      }
      assert.equal(body.expires_in, 60)
      assert.equal(body.expires_at, clock.now() / 1000 + 60)
    } finally {
      emulator.setTokenLifetime(21_600)
    }
  })

  it('rejects a refresh token of another client', async () => {
    const tokens = emulator.issueTokens({clientId: '777'})
    const response = await refresh(emulator, tokens.refreshToken)
    assert.equal(response.status, 400)
  })
})

describe('emulator deauthorize and revoke', () => {
  let emulator: StravaEmulator
  before(async () => {
    emulator = await startStravaEmulator({seed: 'empty'})
  })
  after(() => emulator.close())

  it("deauthorize (form body) echoes the token and ends every token of the athlete's grant", async () => {
    const first = emulator.issueTokens()
    const second = emulator.issueTokens()
    const response = await postForm(`${emulator.oauthUrl}/deauthorize`, {access_token: first.accessToken})
    assert.equal(response.status, 200)
    assert.deepEqual(await response.json(), {access_token: first.accessToken})
    for (const token of [first.accessToken, second.accessToken]) {
      assert.equal((await getApi(emulator, '/athlete', token)).status, 401)
    }

    assert.equal((await refresh(emulator, second.refreshToken)).status, 400)
  })

  it('deauthorize accepts a Bearer header and answers an invalid token with 401', async () => {
    const tokens = emulator.issueTokens()
    const ok = await postForm(`${emulator.oauthUrl}/deauthorize`, {}, {authorization: `Bearer ${tokens.accessToken}`})
    assert.equal(ok.status, 200)
    const again = await postForm(`${emulator.oauthUrl}/deauthorize`, {access_token: tokens.accessToken})
    assert.equal(again.status, 401)
    assert.deepEqual(await again.json(), fault('Authorization Error', 'Athlete', 'access_token', 'invalid'))
  })

  const basic = (id: string, secret: string) => ({
    authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`,
  })

  it('revoke (HTTP Basic client credentials) ends the pair: either token revokes the other', async () => {
    const credentials = basic(emulator.client.id, emulator.client.secret)
    const kept = emulator.issueTokens()
    const byAccess = emulator.issueTokens()
    const url = `${emulator.oauthUrl}/revoke`
    const response = await postForm(url, {token: byAccess.accessToken, token_type_hint: 'access_token'}, credentials)
    assert.equal(response.status, 200)
    assert.equal((await getApi(emulator, '/athlete', byAccess.accessToken)).status, 401)
    assert.equal((await refresh(emulator, byAccess.refreshToken)).status, 400, 'its refresh token died with it')

    const byRefresh = emulator.issueTokens()
    assert.equal((await postForm(url, {token: byRefresh.refreshToken}, credentials)).status, 200)
    assert.equal((await refresh(emulator, byRefresh.refreshToken)).status, 400)
    assert.equal((await getApi(emulator, '/athlete', byRefresh.accessToken)).status, 401)
    assert.equal((await getApi(emulator, '/athlete', kept.accessToken)).status, 200, 'another login lives on')
  })

  it('revoke answers 200 for an unknown token, 400 without one, 401 without or with wrong Basic credentials', async () => {
    const url = `${emulator.oauthUrl}/revoke`
    const credentials = basic(emulator.client.id, emulator.client.secret)
    assert.equal((await postForm(url, {token: 'f'.repeat(40)}, credentials)).status, 200)
    assert.equal((await postForm(url, {}, credentials)).status, 400)
    assert.equal((await postForm(url, {token: 'x', token_type_hint: 'id_token'}, credentials)).status, 400)
    assert.equal((await postForm(url, {token: 'x'}, basic(emulator.client.id, 'nope'))).status, 401)
    const inBody = {client_id: emulator.client.id, client_secret: emulator.client.secret, token: 'x'}
    assert.equal((await postForm(url, inBody)).status, 401, 'Strava documents HTTP Basic, not the form')
  })

  it('switches: /revoke not yet there, /deauthorize retired', async () => {
    const tokens = emulator.issueTokens()
    await emulator.setEndpoints({revoke: false, deauthorize: false})
    try {
      const credentials = basic(emulator.client.id, emulator.client.secret)
      assert.equal(
        (await postForm(`${emulator.oauthUrl}/revoke`, {token: tokens.refreshToken}, credentials)).status,
        404,
      )
      const deauthorize = await postForm(`${emulator.oauthUrl}/deauthorize`, {access_token: tokens.accessToken})
      assert.equal(deauthorize.status, 404)
      assert.equal((await getApi(emulator, '/athlete', tokens.accessToken)).status, 200)
    } finally {
      await emulator.setEndpoints({revoke: true, deauthorize: true})
    }
  })
})
