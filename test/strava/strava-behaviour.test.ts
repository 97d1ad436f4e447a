// weeknotes against the emulator's switches for behaviour today's Strava shows and the emulator used to
// simplify: refresh handing back a live access token, approval_prompt=auto, short middle pages, the
// documented rate limits (a refused request counts towards the daily limit), header letter case and
// both shapes of the 429 body.
import assert from 'node:assert/strict'
import {createServer} from 'node:http'
import type {AddressInfo} from 'node:net'
import {after, before, beforeEach, describe, it} from 'node:test'

import {runAuthorizationCodeFlow} from 'oclif-plugin-oauth/authorization-code-flow'

import {stravaProvider, openTokenSession} from '../../src/strava/auth.js'
import {fetchWindow, parseWeek} from '../../src/notes/week.js'
import {StravaClient} from '../../src/strava/client.js'
import {RateLimitError} from '../../src/strava/errors.js'
import type {AccessTokenSource} from '../../src/strava/token-source.js'
import {startStravaEmulator, type StravaEmulator} from 'strava-emulator'
import {manualClock} from 'strava-emulator/test-helpers'

const week = parseWeek('2024-W10', new Date())
const window = fetchWindow(week, week)
const fixedToken = (token: string): AccessTokenSource => ({
  accessToken: async () => token,
  renewAfterRejection: async () => token,
})

describe('refresh while the access token has more than an hour left (Strava hands back the same one)', () => {
  const clock = manualClock('2024-03-11T06:00:00Z')
  let emulator: StravaEmulator
  before(async () => {
    emulator = await startStravaEmulator({now: clock.now, reuseLiveAccessTokens: true})
  })
  after(() => emulator.close())

  /** CI mode, the session `generate` opens from the environment, with the emulator's clock. */
  async function ciSession(refreshToken: string, warnings: string[]) {
    const env = {
      STRAVA_CLIENT_ID: emulator.client.id,
      STRAVA_CLIENT_SECRET: emulator.client.secret,
      STRAVA_REFRESH_TOKEN: refreshToken,
      STRAVA_OAUTH_URL: emulator.oauthUrl,
    }
    return openTokenSession({configDir: '/nonexistent', env, now: clock.now, warn: (m) => warnings.push(m)})
  }

  it('uses the same access token and refresh token, and warns of no rotation', async () => {
    clock.set('2024-03-11T06:00:00Z')
    const issued = emulator.issueTokens()
    const warnings: string[] = []
    const session = await ciSession(issued.refreshToken, warnings)
    emulator.clearRequests()
    const strava = new StravaClient({apiUrl: emulator.apiUrl, tokens: session, now: clock.now})
    const activities = await strava.listActivities(window)
    assert.ok(activities.length > 0)
    assert.equal(await session.accessToken(), issued.accessToken, 'Strava handed back the live token')
    assert.deepEqual(warnings, [], 'the same refresh token is no rotation')
    assert.equal(emulator.requests.filter((r) => r.path === '/oauth/token').length, 1)
  })

  it('within the last hour a new one is issued (with rotation a new refresh token), and both stay valid', async () => {
    clock.set('2024-03-11T06:00:00Z')
    const issued = emulator.issueTokens()
    clock.set('2024-03-11T11:30:00Z') // 30 minutes left of 6 hours
    const warnings: string[] = []
    const session = await ciSession(issued.refreshToken, warnings)
    const renewed = await session.accessToken()
    assert.notEqual(renewed, issued.accessToken)
    assert.match(warnings.join('\n'), /Update the CI secret STRAVA_REFRESH_TOKEN/)
    for (const token of [issued.accessToken, renewed]) {
      assert.equal(
        (await new StravaClient({apiUrl: emulator.apiUrl, tokens: fixedToken(token)}).getAthlete()).id,
        emulator.athlete.id,
      )
    }

    clock.set('2024-03-11T12:00:00Z') // the first one expired, the new one lives on
    const athlete = await fetch(`${emulator.apiUrl}/athlete`, {
      headers: {authorization: `Bearer ${issued.accessToken}`},
    })
    assert.equal(athlete.status, 401)
    assert.equal(
      (await new StravaClient({apiUrl: emulator.apiUrl, tokens: session}).getAthlete()).id,
      emulator.athlete.id,
    )
  })

  it('a 401 whose refresh hands back the same token is retried once with it', async () => {
    clock.set('2024-03-11T06:00:00Z')
    const issued = emulator.issueTokens()
    const session = await ciSession(issued.refreshToken, [])
    emulator.inject({kind: 'status', status: 401, match: '/api/v3/athlete', times: 1})
    const strava = new StravaClient({apiUrl: emulator.apiUrl, tokens: session, now: clock.now})
    assert.equal((await strava.getAthlete()).id, emulator.athlete.id)
  })
})

describe('approval_prompt: auto skips consent an athlete already gave, force always asks', () => {
  let emulator: StravaEmulator
  before(async () => {
    emulator = await startStravaEmulator({seed: 'empty', rememberApprovals: true})
  })
  after(() => emulator.close())

  /** A user at the browser: approves the consent page when one is shown; records whether it was. */
  function user() {
    const shown: boolean[] = []
    const presentUrl = async (url: string) => {
      const page = await fetch(url, {redirect: 'manual'})
      await page.text()
      shown.push(page.status === 200)
      let location = page.headers.get('location')
      if (page.status === 200) {
        const form = new URLSearchParams(new URL(url).searchParams)
        form.set('decision', 'authorize')
        for (const scope of (form.get('scope') ?? '').split(',')) form.set(`scope-${scope}`, 'on')
        const decision = await fetch(`${emulator.oauthUrl}/authorize`, {method: 'POST', body: form, redirect: 'manual'})
        location = decision.headers.get('location')
      }

      await (await fetch(location!)).text()
    }

    return {shown, presentUrl}
  }

  const logIn = (
    presentUrl: (url: string) => Promise<void>,
    approvalPrompt = 'auto',
    scopes = ['read', 'activity:read_all'],
  ) => {
    const provider = {...stravaProvider(emulator.oauthUrl), extraAuthorizationParams: {approval_prompt: approvalPrompt}}
    const {id: clientId, secret: clientSecret} = emulator.client
    return runAuthorizationCodeFlow({provider, clientId, clientSecret, scopes, timeoutMs: 10_000, presentUrl})
  }

  it('shows consent the first time, skips it with auto, shows it with force or for more scopes', async () => {
    const athlete = user()
    const first = await logIn(athlete.presentUrl)
    const again = await logIn(athlete.presentUrl)
    assert.deepEqual(again.scopes, ['read', 'activity:read_all'], 'the grant of a skipped consent is complete')
    assert.ok(again.refreshToken)
    await logIn(athlete.presentUrl, 'force')
    await logIn(athlete.presentUrl, 'auto', ['read', 'activity:read_all', 'profile:read_all'])
    assert.deepEqual(athlete.shown, [true, false, true, true])
    assert.ok(first.accessToken)
  })
})

describe('pages and rate limits', () => {
  let emulator: StravaEmulator
  before(async () => {
    emulator = await startStravaEmulator({seed: 'empty'})
  })
  after(() => emulator.close())
  beforeEach(() => {
    emulator.clearRequests()
    emulator.configure({shortPages: false, rateLimitHeaderCase: 'canonical', rateLimitBody: 'list'})
    emulator.setRateLimits({overall: [100_000, 1_000_000], read: [100_000, 1_000_000]})
  })

  function clientAt(iso: string, token = emulator.issueTokens().accessToken) {
    let now = Date.parse(iso)
    const lines: string[] = []
    const client = new StravaClient({
      apiUrl: emulator.apiUrl,
      tokens: fixedToken(token),
      now: () => now,
      sleep: async (ms) => void (now += ms),
      log: (line) => lines.push(line),
    })
    return {client, lines}
  }

  it('short middle pages: every activity is read, paging on until an empty page', async () => {
    emulator.configure({shortPages: true})
    emulator.setActivities(emulator.makeActivities(450, {weekStart: week.start}))
    const pageSizes: number[] = []
    const {client} = clientAt(new Date().toISOString())
    const activities = await client.listActivities({
      ...window,
      onPage: (_page, _total, page) => pageSizes.push(page.length),
    })
    assert.equal(activities.length, 450)
    assert.equal(new Set(activities.map((a) => a.id_str)).size, 450)
    assert.deepEqual(pageSizes, [200, 100, 150], 'the second page was short and not the last')
  })

  for (const letterCase of ['canonical', 'lower'] as const) {
    it(`reads the rate-limit headers written in ${letterCase} case`, async () => {
      emulator.configure({rateLimitHeaderCase: letterCase})
      const {client, lines} = clientAt(new Date().toISOString())
      await client.getAthlete()
      assert.match(lines.join('\n'), /GET \/athlete 200 \(rate limit 15min \d+\/100000, daily \d+\/1000000; read/)
    })
  }

  it('reads them in any letter case from a raw server too (a proxy writing mixed case)', async () => {
    const server = createServer((_request, response) => {
      response.writeHead(429, {
        'Content-Type': 'application/json',
        'x-RATELIMIT-limit': '200,2000',
        'X-Ratelimit-Usage': '200,2000',
      })
      response.end('{"message":"Rate Limit Exceeded","errors":"Rate Limit Exceeded"}')
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    try {
      const client = new StravaClient({
        apiUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v3`,
        tokens: fixedToken('t'.repeat(40)),
        now: () => Date.parse('2024-03-11T10:05:00Z'),
      })
      const error = await client.getAthlete().catch((e: unknown) => e)
      assert.ok(error instanceof RateLimitError, String(error))
      assert.equal(error.window, 'daily', 'the daily usage was read from the mixed-case header')
    } finally {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    }
  })

  for (const shape of ['list', 'string'] as const) {
    it(`a 429 with the ${shape} body: waits out the 15-minute window, stops at the daily one`, async () => {
      emulator.configure({rateLimitBody: shape})
      emulator.inject({kind: 'rateLimited', window: 'short', match: '/api/v3/athlete'})
      const {client, lines} = clientAt('2024-03-11T10:05:00Z')
      assert.equal((await client.getAthlete()).id, emulator.athlete.id)
      assert.match(lines.join('\n'), /GET \/athlete 429/)

      emulator.inject({kind: 'rateLimited', window: 'daily', match: '/api/v3/athlete'})
      const error = await clientAt('2024-03-11T10:05:00Z')
        .client.getAthlete()
        .catch((e: unknown) => e)
      assert.ok(error instanceof RateLimitError)
      assert.equal(error.exitCode, 4)
      assert.equal(error.window, 'daily')
    })
  }

  it('a request refused by the 15-minute limit counts towards the daily one: weeknotes stops instead of waiting', async () => {
    // The emulator's real limiter on its own clock, read limit 2 per 15 minutes and 3 a day.
    const clock = manualClock('2024-03-11T10:14:00Z')
    const limited = await startStravaEmulator({seed: 'empty', now: clock.now})
    try {
      limited.setRateLimits({read: [2, 3]})
      const token = limited.issueTokens().accessToken
      const sleeps: number[] = []
      const client = new StravaClient({
        apiUrl: limited.apiUrl,
        tokens: fixedToken(token),
        now: clock.now,
        sleep: async (ms) => void sleeps.push(ms),
      })
      await client.getAthlete()
      await client.getAthlete()
      const error = await client.getAthlete().catch((e: unknown) => e)
      assert.ok(error instanceof RateLimitError, String(error))
      assert.equal(error.window, 'daily')
      // The refused third request made the daily read usage 3 of 3: waiting for the quarter hour is pointless.
      assert.deepEqual(
        limited.requests.map((r) => r.status),
        [200, 200, 429],
      )
      assert.deepEqual(sleeps, [])
      assert.equal(error.retryAt.toISOString(), '2024-03-12T00:00:00.000Z')
    } finally {
      await limited.close()
    }
  })
})
