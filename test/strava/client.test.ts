import assert from 'node:assert/strict'
import {after, before, beforeEach, test} from 'node:test'

import {fetchWindow, parseWeek} from '../../src/notes/week.js'
import {StravaClient, type StravaClientOptions} from '../../src/strava/client.js'
import {RateLimitError, StravaAuthError, StravaUnavailableError} from '../../src/strava/errors.js'
import type {AccessTokenSource} from '../../src/strava/token-source.js'
import {startStravaEmulator, type StravaEmulator} from 'strava-emulator'

const week = parseWeek('2024-W10', new Date())
const window = fetchWindow(week, week)
let emulator: StravaEmulator

before(async () => {
  emulator = await startStravaEmulator({seed: 'empty'})
  // The emulator's limits run on the real clock; these tests provoke 429s by injection only.
  emulator.setRateLimits({overall: [100_000, 1_000_000], read: [100_000, 1_000_000]})
})
after(() => emulator.close())
beforeEach(() => emulator.clearRequests())

/** A token source that hands out emulator tokens and counts how it is used. */
function countingTokens(options: {scope?: string; renewFails?: boolean} = {}) {
  let current = emulator.issueTokens({scope: options.scope}).accessToken
  const calls = {accessToken: 0, renew: 0, rejected: [] as string[], issued: [current]}
  const source: AccessTokenSource = {
    async accessToken() {
      calls.accessToken++
      return current
    },
    async renewAfterRejection(rejected) {
      calls.renew++
      calls.rejected.push(rejected)
      // A renewal that yields another token Strava rejects stands for a revoked app or login.
      current = options.renewFails ? 'not-a-token' : emulator.issueTokens({scope: options.scope}).accessToken
      calls.issued.push(current)
      return current
    },
  }
  return {source, calls}
}

/** A client on the emulator whose sleeps are recorded, never real; its clock starts at `clockAt` and each sleep moves it on. */
function clientFor(
  tokens: AccessTokenSource,
  {clockAt, ...options}: Partial<StravaClientOptions> & {clockAt?: string} = {},
) {
  const sleeps: number[] = []
  const lines: string[] = []
  const waits: Date[] = []
  let now = clockAt === undefined ? Date.now() : Date.parse(clockAt)
  const client = new StravaClient({
    apiUrl: emulator.apiUrl,
    tokens,
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms)
      now += ms
    },
    random: () => 0,
    log: (line) => lines.push(line),
    onWait: (until) => waits.push(until),
    ...options,
  })
  return {client, sleeps, lines, waits}
}

const listRequests = () => emulator.requests.filter((r) => r.path === '/api/v3/athlete/activities')

for (const count of [0, 1, 199, 200, 201, 450]) {
  test(`pages through ${count} activities with ceil(n/200)+1 list requests`, async () => {
    emulator.setActivities(emulator.makeActivities(count, {weekStart: week.start}))
    const {client} = clientFor(countingTokens().source)
    const pages: number[] = []
    const activities = await client.listActivities({...window, onPage: (page) => pages.push(page)})
    assert.equal(activities.length, count)
    assert.equal(new Set(activities.map((a) => a.id_str)).size, count, 'no activity twice')
    const requests = listRequests()
    assert.equal(requests.length, Math.ceil(count / 200) + 1)
    assert.deepEqual(
      requests.map((r) => r.query),
      requests.map((_r, i) => ({
        after: String(window.after),
        before: String(window.before),
        page: String(i + 1),
        per_page: '200',
      })),
    )
    assert.deepEqual(
      pages,
      Array.from({length: Math.ceil(count / 200)}, (_v, i) => i + 1),
    )
    // With `after`, Strava lists oldest first.
    const starts = activities.map((a) => a.start_date)
    assert.deepEqual(starts, [...starts].sort())
  })
}

test('keeps activity ids beyond 2^53 exact', async () => {
  const big = '18446744073709551557'
  emulator.setActivities([{...emulator.makeActivities(1, {weekStart: week.start})[0], id: big}])
  const {client} = clientFor(countingTokens().source)
  const [activity] = await client.listActivities(window)
  assert.equal(activity.id_str, big)
  assert.notEqual(String(activity.id), big)
})

test('getAthlete reads the athlete summary', async () => {
  const {client} = clientFor(countingTokens().source)
  const athlete = await client.getAthlete()
  assert.equal(athlete.id, emulator.athlete.id)
  assert.deepEqual(
    emulator.requests.map((r) => r.path),
    ['/api/v3/athlete'],
  )
})

test('a 401 renews the token once and retries with the new one', async () => {
  emulator.setActivities(emulator.makeActivities(3, {weekStart: week.start}))
  const {source, calls} = countingTokens()
  emulator.expireAccessTokens()
  const {client} = clientFor(source)
  const activities = await client.listActivities(window)
  assert.equal(activities.length, 3)
  assert.equal(calls.renew, 1)
  assert.deepEqual(calls.rejected, [calls.issued[0]])
  assert.deepEqual(
    listRequests().map((r) => r.status),
    [401, 200, 200],
  )
})

test('a second 401 after renewing exits 3 asking to log in again', async () => {
  const {source, calls} = countingTokens({renewFails: true})
  emulator.expireAccessTokens()
  const {client} = clientFor(source)
  await assert.rejects(client.listActivities(window), (error: unknown) => {
    assert.ok(error instanceof StravaAuthError)
    assert.equal(error.exitCode, 3)
    assert.match(error.message, /Strava rejected the saved login; run `weeknotes auth` again/)
    return true
  })
  assert.equal(calls.renew, 1)
  assert.equal(listRequests().length, 2)
})

test('a token without activity:read exits 3 explaining the missing permission, without renewing', async () => {
  const {source, calls} = countingTokens({scope: 'read'})
  const {client} = clientFor(source)
  await assert.rejects(
    client.listActivities(window),
    (error: StravaAuthError) =>
      error.exitCode === 3 && /does not allow reading activities.*weeknotes auth/.test(error.message),
  )
  assert.equal(calls.renew, 0)
})

test('429 in the 15-minute window waits until the next quarter hour, then continues', async () => {
  emulator.setActivities(emulator.makeActivities(450, {weekStart: week.start}))
  emulator.inject({kind: 'rateLimited', window: 'short', match: '/api/v3/athlete/activities'})
  const {client, sleeps, waits} = clientFor(countingTokens().source, {clockAt: '2024-03-11T14:37:12Z'})
  const activities = await client.listActivities(window)
  assert.equal(activities.length, 450)
  // 14:37:12 -> 14:45:00 plus the 5 s margin.
  assert.deepEqual(sleeps, [473_000])
  assert.deepEqual(
    waits.map((d) => d.toISOString()),
    ['2024-03-11T14:45:05.000Z'],
  )
  assert.deepEqual(
    listRequests().map((r) => `${r.query.page}:${r.status}`),
    ['1:429', '1:200', '2:200', '3:200', '4:200'],
  )
})

test('--max-wait is a budget for the whole run: a second wait beyond it exits 4', async () => {
  emulator.inject({kind: 'rateLimited', window: 'short', times: 2})
  const {client, sleeps} = clientFor(countingTokens().source, {clockAt: '2024-03-11T14:37:12Z', maxWait: 900})
  await assert.rejects(
    client.getAthlete(),
    (error: RateLimitError) => error.exitCode === 4 && error.retryAt.toISOString() === '2024-03-11T15:00:05.000Z',
  )
  assert.deepEqual(sleeps, [473_000])
})

test('the default --max-wait of 15m waits even for a 429 in the first seconds of a window', async () => {
  emulator.inject({kind: 'rateLimited', window: 'short'})
  const {client, sleeps} = clientFor(countingTokens().source, {clockAt: '2024-03-11T14:45:02Z'})
  await client.getAthlete()
  // 14:45:02 -> 15:00:00 plus the 5 s margin: past 900 s, yet within the 15 minutes to the reset.
  assert.deepEqual(sleeps, [903_000])
})

test('a rate limit mid-paging resumes at the same page', async () => {
  emulator.setActivities(emulator.makeActivities(450, {weekStart: week.start}))
  const {client, sleeps} = clientFor(countingTokens().source, {clockAt: '2024-03-11T14:59:00Z'})
  const activities = await client.listActivities({
    ...window,
    onPage: (page) => {
      if (page === 2) emulator.inject({kind: 'rateLimited', window: 'short'})
    },
  })
  assert.equal(activities.length, 450)
  assert.deepEqual(sleeps, [65_000])
  assert.deepEqual(
    listRequests().map((r) => `${r.query.page}:${r.status}`),
    ['1:200', '2:200', '3:429', '3:200', '4:200'],
  )
})

test('the daily limit exits 4 with midnight UTC as the time to retry, without waiting', async () => {
  emulator.inject({kind: 'rateLimited', window: 'daily'})
  const {client, sleeps} = clientFor(countingTokens().source, {clockAt: '2024-03-11T14:37:12Z'})
  await assert.rejects(client.listActivities(window), (error: unknown) => {
    assert.ok(error instanceof RateLimitError)
    assert.equal(error.exitCode, 4)
    assert.equal(error.window, 'daily')
    assert.equal(error.retryAt.toISOString(), '2024-03-12T00:00:00.000Z')
    assert.match(error.message, /daily rate limit.*2024-03-12 00:00 UTC/)
    return true
  })
  assert.deepEqual(sleeps, [])
})

test('a wait beyond --max-wait exits 4 naming the next quarter hour', async () => {
  emulator.inject({kind: 'rateLimited', window: 'short'})
  const {client, sleeps} = clientFor(countingTokens().source, {
    clockAt: '2024-03-11T14:37:12Z',
    maxWait: 90,
  })
  await assert.rejects(
    client.listActivities(window),
    (error: RateLimitError) =>
      error.exitCode === 4 && error.window === 'short' && /2024-03-11 14:45 UTC/.test(error.message),
  )
  assert.deepEqual(sleeps, [])
})

test('5xx, resets and truncated bodies are retried with backoff, then succeed', async () => {
  emulator.setActivities(emulator.makeActivities(2, {weekStart: week.start}))
  emulator.inject({kind: 'status', status: 503})
  emulator.inject({kind: 'reset'})
  emulator.inject({kind: 'truncated'})
  const {client, sleeps} = clientFor(countingTokens().source)
  const activities = await client.listActivities(window)
  assert.equal(activities.length, 2)
  assert.deepEqual(sleeps, [1000, 2000, 4000])
})

test('persistent 5xx exits 5 after 4 attempts', async () => {
  emulator.inject({kind: 'status', status: 502, times: 4})
  const {client, sleeps} = clientFor(countingTokens().source)
  await assert.rejects(client.listActivities(window), (error: unknown) => {
    assert.ok(error instanceof StravaUnavailableError)
    assert.equal(error.exitCode, 5)
    assert.match(error.message, /Strava did not answer after 4 attempts .*502.*try again later/)
    return true
  })
  assert.equal(sleeps.length, 3)
  assert.equal(listRequests().length, 4)
})

test('truncated JSON every time exits 5 with a clear message', async () => {
  emulator.inject({kind: 'truncated', times: 4})
  const {client} = clientFor(countingTokens().source)
  await assert.rejects(
    client.getAthlete(),
    /did not answer after 4 attempts \(last: an incomplete or invalid JSON answer\)/,
  )
})

test('a per-request timeout counts as a failed attempt', async () => {
  // The retry must answer within the same timeout on a loaded machine (the unit tier runs files in
  // parallel): at 50 ms it sometimes did not, and the test saw a second timeout.
  emulator.inject({kind: 'slow', delayMs: 5000})
  const {client, sleeps} = clientFor(countingTokens().source, {timeoutMs: 500})
  await client.getAthlete()
  assert.deepEqual(sleeps, [1000])
})

test('nothing listening: ECONNREFUSED is retried, then exits 5', async () => {
  const closed = await startStravaEmulator({seed: 'empty'})
  const apiUrl = closed.apiUrl
  await closed.close()
  const {client, sleeps} = clientFor(countingTokens().source, {apiUrl})
  await assert.rejects(
    client.getAthlete(),
    (error: StravaUnavailableError) => error.exitCode === 5 && /ECONNREFUSED/.test(error.message),
  )
  assert.equal(sleeps.length, 3)
})

test('a host that does not resolve (offline, ENOTFOUND) is retried, then exits 5', async () => {
  const {client, sleeps} = clientFor(countingTokens().source, {apiUrl: 'http://weeknotes-test.invalid/api/v3'})
  await assert.rejects(client.getAthlete(), (error: StravaUnavailableError) => error.exitCode === 5)
  assert.equal(sleeps.length, 3)
})

test("an inactive application exits 3 explaining Strava's subscription requirement", async () => {
  emulator.inject({kind: 'inactive'})
  const {client} = clientFor(countingTokens().source)
  await assert.rejects(client.listActivities(window), (error: StravaAuthError) => {
    assert.equal(error.exitCode, 3)
    assert.match(error.message, /inactive.*subscription.*strava\.com\/settings\/api/)
    return true
  })
})

test("other 4xx: a plain sentence with Strava's message", async () => {
  emulator.inject({kind: 'status', status: 404, body: {message: 'Record Not Found', errors: []}})
  const {client} = clientFor(countingTokens().source)
  await assert.rejects(client.getAthlete(), (error: Error & {exitCode: number}) => {
    assert.equal(error.exitCode, 1)
    assert.equal(error.message, 'Strava refused GET /athlete (404 Record Not Found).')
    // What to do next: the API address is the one thing a user can get wrong here.
    assert.match((error as Error & {suggestions?: string[]}).suggestions?.join(' ') ?? '', /STRAVA_API_URL/)
    return true
  })
})

test('the verbose log shows each request with status and usage, never a token', async () => {
  emulator.setActivities(emulator.makeActivities(1, {weekStart: week.start}))
  const {source, calls} = countingTokens()
  emulator.expireAccessTokens()
  const {client, lines} = clientFor(source)
  await client.listActivities(window)
  assert.equal(lines.length, 3)
  assert.match(
    lines[0],
    new RegExp(
      `^GET /athlete/activities\\?after=${window.after}&before=${window.before}&page=1&per_page=200 401 \\(rate limit 15min \\d+/100000, daily \\d+/1000000; read 15min \\d+/100000, daily \\d+/1000000\\)$`,
    ),
  )
  assert.match(lines[1], / 200 \(rate limit 15min \d+\/100000/)
  for (const token of calls.issued) assert.ok(!lines.join('\n').includes(token), 'no token in the log')
  assert.ok(!/bearer/i.test(lines.join('\n')))
})

test('getActivity reads one detailed activity with every digit of its id, and refuses an id that is not digits', async () => {
  emulator.setActivities([
    {
      id: '18014398509481995',
      name: 'Race day',
      sportType: 'Run',
      localStart: '2024-03-10T09:00:00',
      timeZone: 'Europe/Berlin',
      distance: 42_195,
      movingTime: 12_000,
      workoutType: 1,
      description: 'Negative split!',
      photoCount: 2,
    },
  ])
  const {client} = clientFor(countingTokens().source)
  const detail = await client.getActivity('18014398509481995')
  assert.equal(detail.id_str, '18014398509481995')
  assert.equal(detail.description, 'Negative split!')
  assert.equal(detail.workout_type, 1)
  assert.equal(Object.keys(detail.photos?.primary?.urls ?? {}).length, 2)
  assert.deepEqual(
    emulator.requests.map((request) => request.path),
    ['/api/v3/activities/18014398509481995'],
  )
  await assert.rejects(client.getActivity('1/../../athlete'), /not a Strava activity id/)
  assert.equal(emulator.requests.length, 1)
})

test('requests in flight together wait out a 429 once: one wait, one share of --max-wait, none sent meanwhile', async () => {
  emulator.setActivities(emulator.makeActivities(6, {weekStart: week.start}))
  const ids = (await clientFor(countingTokens().source).client.listActivities(window)).map((a) => a.id_str!)
  emulator.clearRequests()
  // The first two answers are 429s, as when a limit is reached with several requests under way.
  emulator.inject({kind: 'rateLimited', window: 'short', match: '/api/v3/activities/', times: 2})
  let release = () => {}
  const sleeping = new Promise<void>((resolve) => (release = resolve))
  const sleeps: number[] = []
  // The default budget (900 s) allows 473 s to 14:45 but not a second wait to 15:00 after it.
  const {client, waits} = clientFor(countingTokens().source, {
    clockAt: '2024-03-11T14:37:12Z',
    sendsTogether: async () => true,
    sleep: async (ms) => {
      sleeps.push(ms)
      await sleeping
    },
  })
  const details = Promise.all(ids.map((id) => client.getActivity(id)))
  while (sleeps.length === 0) await new Promise((resolve) => setTimeout(resolve, 10))
  await new Promise((resolve) => setTimeout(resolve, 200))
  const sentBeforeTheWaitEnded = emulator.requests.length
  const later = client.getActivity(ids[0])
  await new Promise((resolve) => setTimeout(resolve, 200))
  assert.equal(emulator.requests.length, sentBeforeTheWaitEnded, 'no request starts while the client waits')
  release()

  const read = await details
  assert.deepEqual(
    read.map((d) => d.id_str),
    ids,
  )
  assert.equal((await later).id_str, ids[0])
  assert.deepEqual(sleeps, [473_000])
  assert.equal(waits.length, 1)
  const statuses = emulator.requests.map((r) => r.status)
  assert.deepEqual(statuses.slice(0, 2), [429, 429])
  assert.equal(statuses.filter((s) => s === 200).length, ids.length + 1, 'each 429 asked once more, nothing else')
})
