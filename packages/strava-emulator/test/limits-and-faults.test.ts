import assert from 'node:assert/strict'
import {after, before, beforeEach, describe, it} from 'node:test'
import {type StravaEmulator, startStravaEmulator} from '../src/index.js'
import {authorizationCode, exchangeCode, fault, getApi, manualClock, postForm, refresh} from '../src/test-helpers.js'

const rateHeaders = (response: Response) => ({
  limit: response.headers.get('x-ratelimit-limit'),
  usage: response.headers.get('x-ratelimit-usage'),
  readLimit: response.headers.get('x-readratelimit-limit'),
  readUsage: response.headers.get('x-readratelimit-usage'),
})

const rateLimitExceeded = fault('Rate Limit Exceeded', 'Application', 'rate limit', 'exceeded')

describe('emulator rate limits', () => {
  const clock = manualClock('2024-03-11T08:00:00Z')
  let emulator: StravaEmulator
  let token: string
  before(async () => {
    emulator = await startStravaEmulator({now: clock.now, seed: 'empty'})
  })
  after(() => emulator.close())
  beforeEach(() => emulator.setRateLimits({overall: [200, 2000], read: [100, 1000]}))
  /** Each test starts on a day of its own, so counts from earlier tests do not carry over. */
  function startAt(iso: string) {
    clock.set(iso)
    token = emulator.issueTokens().accessToken
  }

  it('puts the four headers on every API response, errors included', async () => {
    startAt('2024-03-12T00:00:00Z')
    const ok = await getApi(emulator, '/athlete', token)
    assert.equal(ok.status, 200)
    assert.deepEqual(rateHeaders(ok), {limit: '200,2000', usage: '1,1', readLimit: '100,1000', readUsage: '1,1'})
    const unauthorized = await getApi(emulator, '/athlete')
    assert.equal(unauthorized.status, 401)
    assert.deepEqual(rateHeaders(unauthorized), {
      limit: '200,2000',
      usage: '2,2',
      readLimit: '100,1000',
      readUsage: '2,2',
    })
    const notFound = await getApi(emulator, '/segments/1', token)
    assert.equal(notFound.status, 404)
    assert.equal(rateHeaders(notFound).usage, '3,3')
    const post = await fetch(`${emulator.apiUrl}/athlete`, {
      method: 'POST',
      headers: {authorization: `Bearer ${token}`},
    })
    // Strava's "non-upload" (read) limit covers every endpoint but uploads, POSTs included.
    assert.deepEqual(rateHeaders(post), {limit: '200,2000', usage: '4,4', readLimit: '100,1000', readUsage: '4,4'})
    assert.equal((await fetch(`${emulator.oauthUrl}/token`, {method: 'POST'})).headers.get('x-ratelimit-usage'), null)
  })

  it('answers 429 past the 15-minute read limit until the next quarter hour', async () => {
    startAt('2024-03-13T08:14:58Z')
    emulator.setRateLimits({read: [2, 1000]})
    assert.equal((await getApi(emulator, '/athlete', token)).status, 200)
    assert.equal((await getApi(emulator, '/athlete', token)).status, 200)
    const limited = await getApi(emulator, '/athlete', token)
    assert.equal(limited.status, 429)
    assert.deepEqual(await limited.json(), rateLimitExceeded)
    // Strava: "requests violating the short term limit will still count toward the long term limit".
    assert.deepEqual(rateHeaders(limited), {limit: '200,2000', usage: '2,3', readLimit: '2,1000', readUsage: '2,3'})
    clock.advance(1999) // 08:14:59.999, same window
    assert.equal((await getApi(emulator, '/athlete', token)).status, 429)
    clock.advance(1) // 08:15:00, a new window; the daily count carries on, the two refused requests included
    const next = await getApi(emulator, '/athlete', token)
    assert.equal(next.status, 200)
    assert.deepEqual(rateHeaders(next), {limit: '200,2000', usage: '1,5', readLimit: '2,1000', readUsage: '1,5'})
  })

  it('answers 429 past the daily limit until midnight UTC', async () => {
    startAt('2024-03-14T23:40:00Z')
    emulator.setRateLimits({overall: [200, 3], read: [100, 1000]})
    for (let index = 0; index < 3; index++) {
      assert.equal((await getApi(emulator, '/athlete', token)).status, 200)
    }

    clock.advance(15 * 60 * 1000) // 23:55, a new 15-minute window but the same day
    const limited = await getApi(emulator, '/athlete', token)
    assert.equal(limited.status, 429)
    assert.equal(rateHeaders(limited).usage, '0,3')
    clock.set('2024-03-15T00:00:00Z')
    const next = await getApi(emulator, '/athlete', token)
    assert.equal(next.status, 200)
    assert.equal(rateHeaders(next).usage, '1,1')
  })

  it('counts uploads against the overall limit only, and a refused request towards the daily one', async () => {
    startAt('2024-03-16T10:00:00Z')
    emulator.setRateLimits({overall: [1, 2000]})
    const post = await fetch(`${emulator.apiUrl}/uploads`, {
      method: 'POST',
      headers: {authorization: `Bearer ${token}`},
    })
    assert.equal(post.status, 404)
    const limited = await getApi(emulator, '/athlete', token)
    assert.equal(limited.status, 429)
    assert.deepEqual(rateHeaders(limited), {limit: '1,2000', usage: '1,2', readLimit: '100,1000', readUsage: '0,1'})
  })
})

describe('emulator injected faults', () => {
  let emulator: StravaEmulator
  let token: string
  before(async () => {
    emulator = await startStravaEmulator()
    token = emulator.issueTokens().accessToken
  })
  after(() => emulator.close())

  it('status: answers the status with a JSON body, or the given body, then recovers', async () => {
    emulator.inject({kind: 'status', status: 503})
    emulator.inject({kind: 'status', status: 500, body: {message: 'boom'}})
    emulator.inject({kind: 'status', status: 502, body: '<html>Bad Gateway</html>'})
    const first = await getApi(emulator, '/athlete', token)
    assert.equal(first.status, 503)
    assert.deepEqual(await first.json(), {message: 'Service Unavailable', errors: []})
    assert.ok(first.headers.get('x-ratelimit-usage'), 'API faults carry the rate-limit headers')
    const second = await getApi(emulator, '/athlete', token)
    assert.equal(second.status, 500)
    assert.deepEqual(await second.json(), {message: 'boom'})
    const third = await getApi(emulator, '/athlete', token)
    assert.equal(third.status, 502)
    assert.equal(await third.text(), '<html>Bad Gateway</html>')
    assert.equal((await getApi(emulator, '/athlete', token)).status, 200)
  })

  it('matches faults by path prefix and counts their times', async () => {
    emulator.inject({kind: 'status', status: 500, match: '/api/v3/athlete/activities', times: 2})
    assert.equal((await getApi(emulator, '/athlete', token)).status, 200, 'another path is not affected')
    assert.equal((await getApi(emulator, '/athlete/activities', token)).status, 500)
    assert.equal((await getApi(emulator, '/athlete/activities', token)).status, 500)
    assert.equal((await getApi(emulator, '/athlete/activities', token)).status, 200)
  })

  it('applies to OAuth paths too, without using up the code', async () => {
    const restarted = await startStravaEmulator({autoApprove: true, seed: 'empty'})
    try {
      const code = await authorizationCode(restarted)
      restarted.inject({kind: 'status', status: 503, match: '/oauth/token'})
      assert.equal((await exchangeCode(restarted, code)).status, 503)
      assert.equal((await exchangeCode(restarted, code)).status, 200)
    } finally {
      await restarted.close()
    }
  })

  it('truncated: a 200 whose JSON body is cut off', async () => {
    emulator.inject({kind: 'truncated', match: '/api/v3/athlete/activities'})
    const response = await getApi(emulator, '/athlete/activities', token)
    assert.equal(response.status, 200)
    const text = await response.text()
    assert.ok(text.startsWith('[{"resource_state":2'))
    assert.throws(() => JSON.parse(text), SyntaxError)
  })

  it('slow: answers normally after the delay', async () => {
    emulator.inject({kind: 'slow', delayMs: 300})
    const started = performance.now()
    const response = await getApi(emulator, '/athlete', token)
    assert.equal(response.status, 200)
    assert.ok(performance.now() - started >= 290)
    assert.equal(((await response.json()) as {id: number}).id, emulator.athlete.id)
  })

  it('slow: an abort on the client side sees no answer within its timeout', async () => {
    emulator.inject({kind: 'slow', delayMs: 2000})
    await assert.rejects(
      fetch(`${emulator.apiUrl}/athlete`, {
        headers: {authorization: `Bearer ${token}`},
        signal: AbortSignal.timeout(100),
      }),
      {name: 'TimeoutError'},
    )
  })

  it("inactive: 403 with Strava's Application Inactive body", async () => {
    emulator.inject({kind: 'inactive'})
    const response = await getApi(emulator, '/athlete/activities', token)
    assert.equal(response.status, 403)
    assert.deepEqual(await response.json(), fault('Forbidden', 'Application', 'Status', 'Inactive'))
  })

  for (const [window, index] of [
    ['short', 0],
    ['daily', 1],
  ] as const) {
    it(`rateLimited (${window}): 429 with the usage at the ${window} limit`, async () => {
      emulator.inject({kind: 'rateLimited', window})
      const response = await getApi(emulator, '/athlete/activities', token)
      assert.equal(response.status, 429)
      assert.deepEqual(await response.json(), rateLimitExceeded)
      const usage = rateHeaders(response).usage?.split(',').map(Number) ?? []
      const readUsage = rateHeaders(response).readUsage?.split(',').map(Number) ?? []
      assert.equal(usage[index], [200, 2000][index])
      assert.equal(readUsage[index], [100, 1000][index])
      assert.ok(usage[1 - index] < [200, 2000][1 - index])
    })
  }

  it('reset: destroys the connection', async () => {
    emulator.inject({kind: 'reset'})
    await assert.rejects(getApi(emulator, '/athlete', token), TypeError)
    assert.equal((await getApi(emulator, '/athlete', token)).status, 200)
  })
})

describe('emulator request log', () => {
  it('records method, path, query, status, grant type and the emulator time', async () => {
    const clock = manualClock('2024-03-11T08:00:00Z')
    const emulator = await startStravaEmulator({now: clock.now, autoApprove: true, seed: 'empty'})
    try {
      const code = await authorizationCode(emulator)
      clock.advance(1000)
      const tokens = (await (await exchangeCode(emulator, code)).json()) as {
        refresh_token: string
        access_token: string
      }
      await refresh(emulator, tokens.refresh_token)
      emulator.inject({kind: 'reset', match: '/api/v3/athlete/activities'})
      await getApi(emulator, '/athlete/activities?per_page=200&page=1', tokens.access_token).catch(() => undefined)
      await getApi(emulator, '/athlete/activities?per_page=200&page=1', tokens.access_token)
      await postForm(`${emulator.oauthUrl}/deauthorize`, {access_token: tokens.access_token})
      const at = Date.parse('2024-03-11T08:00:01Z')
      const tokenForm = ['client_id', 'client_secret', 'grant_type']
      const list = {method: 'GET', path: '/api/v3/athlete/activities', query: {per_page: '200', page: '1'}}
      const common = {at, host: 'legacy'}
      assert.deepEqual(
        emulator.requests.slice(1),
        [
          {method: 'POST', path: '/oauth/token', query: {}, status: 200, grantType: 'authorization_code', ...common},
          {method: 'POST', path: '/oauth/token', query: {}, status: 200, grantType: 'refresh_token', ...common},
          {...list, status: 0, ...common, authorization: 'Bearer', params: ['page', 'per_page']},
          {...list, status: 200, ...common, authorization: 'Bearer', params: ['page', 'per_page']},
          {method: 'POST', path: '/oauth/deauthorize', query: {}, status: 200, ...common, params: ['access_token']},
        ].map((entry, index) =>
          index < 2 ? {...entry, params: [...tokenForm, index ? 'refresh_token' : 'code'].sort()} : entry,
        ),
      )
      assert.equal(emulator.requests[0].path, '/oauth/authorize')
      assert.equal(emulator.requests[0].status, 302)
      assert.ok(!JSON.stringify(emulator.requests).includes(emulator.client.secret), 'no secrets in the log')
      emulator.clearRequests()
      assert.deepEqual(emulator.requests, [])
    } finally {
      await emulator.close()
    }
  })
})
