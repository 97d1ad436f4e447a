// The emulator's switches for Strava's announced 2027 changes and for behaviour of today's Strava it
// used to simplify (what weeknotes does against each is tested under test/strava and test/auth).
import assert from 'node:assert/strict'
import {get as httpGet} from 'node:http'
import {after, before, describe, it} from 'node:test'
import {type StravaEmulator, startStravaEmulator} from '../src/index.js'
import {authorizationCode, authorizeUrl, exchangeCode, manualClock, refresh} from '../src/test-helpers.js'

describe('emulator: the API on the old and the new host', () => {
  let emulator: StravaEmulator
  let token: string
  before(async () => {
    emulator = await startStravaEmulator({seed: 'empty'})
    token = emulator.issueTokens().accessToken
  })
  after(() => emulator.close())
  const get = (url: string, headers: Record<string, string> = {authorization: `Bearer ${token}`}) =>
    fetch(url, {headers})

  it('serves the API on a second listener without /api/v3, sharing the rate limits', async () => {
    const next = await get(`${emulator.nextApiUrl}/athlete`)
    assert.equal(next.status, 200)
    const legacy = await get(`${emulator.apiUrl}/athlete`)
    assert.equal(legacy.status, 200)
    const [a, b] = [next, legacy].map((r) => Number(r.headers.get('x-ratelimit-usage')!.split(',')[0]))
    assert.equal(b, a + 1)
    assert.equal((await get(`${emulator.nextApiUrl}/api/v3/athlete`)).status, 404)
    assert.equal((await get(`${emulator.nextApiUrl}/oauth/token`)).status, 404, 'OAuth stays on the old host')
    assert.deepEqual(
      emulator.requests.slice(-4).map((r) => r.host),
      ['next', 'legacy', 'next', 'next'],
    )
  })

  it('switches: the new host not yet live (connection refused), the old one retired (404)', async () => {
    await emulator.setEndpoints({nextApiHost: false, legacyApiHost: false})
    try {
      await assert.rejects(get(`${emulator.nextApiUrl}/athlete`), TypeError)
      assert.equal((await get(`${emulator.apiUrl}/athlete`)).status, 404)
    } finally {
      await emulator.setEndpoints({nextApiHost: true, legacyApiHost: true})
    }

    assert.equal((await get(`${emulator.nextApiUrl}/athlete`)).status, 200)
  })

  it('takes access_token as a parameter until the headers-only switch', async () => {
    assert.equal((await get(`${emulator.apiUrl}/athlete?access_token=${token}`, {})).status, 200)
    await emulator.setEndpoints({tokenParams: false})
    try {
      assert.equal((await get(`${emulator.apiUrl}/athlete?access_token=${token}`, {})).status, 401)
      assert.equal((await get(`${emulator.apiUrl}/athlete`)).status, 200)
    } finally {
      await emulator.setEndpoints({tokenParams: true})
    }
  })
})

describe('emulator: token responses, refresh and consent as Strava does them', () => {
  const clock = manualClock('2024-03-11T06:00:00Z')
  let emulator: StravaEmulator
  before(async () => {
    emulator = await startStravaEmulator({seed: 'empty', now: clock.now, autoApprove: true})
  })
  after(() => emulator.close())

  it('carries scope in token responses, space-separated when switched', async () => {
    const plain = (await (await exchangeCode(emulator, await authorizationCode(emulator))).json()) as Record<
      string,
      unknown
    >
    assert.equal('scope' in plain, false)
    emulator.configure({tokenScopeSeparator: ' '})
    try {
      const code = await authorizationCode(emulator)
      const body = (await (await exchangeCode(emulator, code)).json()) as {scope: string; refresh_token: string}
      assert.equal(body.scope, 'read activity:read_all')
      const renewed = (await (await refresh(emulator, body.refresh_token)).json()) as {scope: string}
      assert.equal(renewed.scope, 'read activity:read_all')
    } finally {
      emulator.configure({tokenScopeSeparator: undefined})
    }
  })

  it('hands back a live access token on refresh, a new one within its last hour', async () => {
    try {
      clock.set('2024-03-11T06:00:00Z')
      const issued = emulator.issueTokens()
      clock.set('2024-03-11T10:59:59Z')
      const same = (await (await refresh(emulator, issued.refreshToken)).json()) as Record<string, unknown>
      assert.equal(same.access_token, issued.accessToken)
      assert.equal(same.refresh_token, issued.refreshToken, 'even with rotation on')
      assert.equal(same.expires_at, issued.expiresAt)
      assert.equal(same.expires_in, 3601)
      clock.set('2024-03-11T11:00:01Z')
      const fresh = (await (await refresh(emulator, issued.refreshToken)).json()) as Record<string, unknown>
      assert.notEqual(fresh.access_token, issued.accessToken)
      assert.notEqual(fresh.refresh_token, issued.refreshToken)
      assert.equal((await refresh(emulator, issued.refreshToken)).status, 400, 'the rotated-away token died')

      emulator.configure({reuseLiveAccessTokens: false})
      const minted = emulator.issueTokens()
      const other = (await (await refresh(emulator, minted.refreshToken)).json()) as Record<string, unknown>
      assert.notEqual(other.access_token, minted.accessToken, 'the switch off: a new token every time')
    } finally {
      emulator.configure({reuseLiveAccessTokens: true})
    }
  })
})

describe('emulator: approval_prompt with remembered approvals', () => {
  let emulator: StravaEmulator
  before(async () => {
    emulator = await startStravaEmulator({seed: 'empty', rememberApprovals: true})
  })
  after(() => emulator.close())

  it('auto redirects at once for scopes a live grant covers; force and new scopes show the page', async () => {
    const status = async (params: Record<string, string>) =>
      (await fetch(authorizeUrl(emulator, params), {redirect: 'manual'})).status
    assert.equal(await status({}), 200, 'no grant yet')
    const tokens = emulator.issueTokens({scope: 'read,activity:read_all'})
    assert.equal(await status({}), 302)
    assert.equal(await status({scope: 'read'}), 302)
    assert.equal(await status({approval_prompt: 'force'}), 200)
    assert.equal(await status({scope: 'read,profile:read_all'}), 200)
    const basic = `Basic ${Buffer.from(`${emulator.client.id}:${emulator.client.secret}`).toString('base64')}`
    await fetch(`${emulator.oauthUrl}/revoke`, {
      method: 'POST',
      headers: {authorization: basic},
      body: new URLSearchParams({token: tokens.refreshToken}),
    })
    assert.equal(await status({}), 200, 'the grant was revoked')
  })
})

describe('emulator: short pages, header case and 429 bodies', () => {
  let emulator: StravaEmulator
  let token: string
  before(async () => {
    emulator = await startStravaEmulator({
      seed: 'empty',
      shortPages: true,
      rateLimitHeaderCase: 'lower',
      rateLimitBody: 'string',
    })
    emulator.setActivities(emulator.makeActivities(7, {weekStart: '2024-03-04'}))
    token = emulator.issueTokens().accessToken
  })
  after(() => emulator.close())
  const get = (path: string) => fetch(`${emulator.apiUrl}${path}`, {headers: {authorization: `Bearer ${token}`}})

  it('makes every second page half as long without losing an activity', async () => {
    const sizes: number[] = []
    const ids = new Set<string>()
    for (let page = 1; page <= 5; page++) {
      const list = (await (await get(`/athlete/activities?per_page=2&page=${page}`)).json()) as Array<{id: number}>
      sizes.push(list.length)
      for (const activity of list) ids.add(String(activity.id))
    }

    assert.deepEqual(sizes, [2, 1, 2, 1, 1])
    assert.equal(ids.size, 7)
  })

  it('writes the rate-limit headers in lower case and the 429 body with errors as a string', async () => {
    emulator.inject({kind: 'rateLimited', window: 'short'})
    const response = await get('/athlete')
    assert.equal(response.status, 429)
    assert.deepEqual(await response.json(), {message: 'Rate Limit Exceeded', errors: 'Rate Limit Exceeded'})
    assert.equal(response.headers.get('x-ratelimit-limit'), '200,2000')
    assert.ok((await rawHeaderNames(`${emulator.apiUrl}/athlete`)).includes('x-ratelimit-limit'))
    emulator.configure({rateLimitHeaderCase: 'canonical'})
    const canonical = await rawHeaderNames(`${emulator.apiUrl}/athlete`)
    assert.deepEqual(
      canonical.filter((name) => /ratelimit/i.test(name)),
      ['X-RateLimit-Limit', 'X-RateLimit-Usage', 'X-ReadRateLimit-Limit', 'X-ReadRateLimit-Usage'],
    )
  })

  /** Header names exactly as written on the wire (fetch and node's headers object lower-case them). */
  function rawHeaderNames(url: string): Promise<string[]> {
    return new Promise((resolve, reject) => {
      httpGet(url, {headers: {authorization: `Bearer ${token}`}}, (response) => {
        response.resume()
        resolve(response.rawHeaders.filter((_, index) => index % 2 === 0))
      }).on('error', reject)
    })
  }
})
