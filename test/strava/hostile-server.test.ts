// The Strava client against servers that are broken or hostile (not Strava's documented behaviour, so not
// the emulator's): each must end the run with a clear exit code, never hang, flood or leak.
import assert from 'node:assert/strict'
import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http'
import type {AddressInfo} from 'node:net'
import {after, test} from 'node:test'

import {fetchWindow, parseWeek} from '../../src/notes/week.js'
import {MAX_BODY_BYTES, StravaClient, type StravaClientOptions} from '../../src/strava/client.js'
import {pageCap} from '../../src/strava/activity-check.js'
import type {StravaError} from '../../src/strava/errors.js'
import {sendEndlessBody} from '../../packages/oclif-plugin-oauth/test/support/endless-body.js'

const week = parseWeek('2024-W10', new Date())
const window = fetchWindow(week, week)
const TOKEN = 'hostile-test-access-token-0123456789'
const servers: Server[] = []
after(() => {
  for (const server of servers) {
    server.closeAllConnections()
    server.close()
  }
})

/** A server that answers every request with `handler`; returns its API base URL and the request log. */
async function hostile(handler: (request: IncomingMessage, response: ServerResponse, count: number) => void) {
  const requests: URL[] = []
  const server = createServer((request, response) => {
    requests.push(new URL(request.url ?? '/', 'http://x'))
    handler(request, response, requests.length)
  })
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {apiUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v3`, requests}
}

function client(apiUrl: string, options: Partial<StravaClientOptions> = {}) {
  const warnings: string[] = []
  const progress: string[] = []
  const strava = new StravaClient({
    apiUrl,
    tokens: {accessToken: async () => TOKEN, renewAfterRejection: async () => TOKEN},
    sleep: async () => {},
    retries: 1,
    timeoutMs: 20_000,
    warn: (message) => warnings.push(message),
    onProgress: (message) => progress.push(message),
    ...options,
  })
  return {strava, warnings, progress}
}

/** An activity of the asked week, as Strava writes one. */
function activity(id: number, overrides: Record<string, unknown> = {}) {
  return {
    id,
    name: `Run ${id}`,
    sport_type: 'Run',
    start_date: '2024-03-05T07:00:00Z',
    start_date_local: '2024-03-05T08:00:00Z',
    distance: 5000,
    moving_time: 1500,
    elapsed_time: 1600,
    total_elevation_gain: 10,
    ...overrides,
  }
}

const json = (response: ServerResponse, status: number, body: unknown) => {
  response.writeHead(status, {'content-type': 'application/json'})
  response.end(typeof body === 'string' ? body : JSON.stringify(body))
}

const exitsWith = (code: number, pattern: RegExp) => (error: StravaError) => {
  assert.equal(error.exitCode, code, error.message)
  assert.match(error.message, pattern)
  return true
}

test('a server that repeats the same page forever is stopped at the second page with exit 5', async () => {
  const server = await hostile((_request, response) => json(response, 200, [activity(1), activity(2)]))
  const {strava} = client(server.apiUrl)
  await assert.rejects(strava.listActivities(window), exitsWith(5, /page 2 with only activities it had already sent/))
  assert.equal(server.requests.length, 2)
})

test('a server that never sends an empty page is stopped at the page cap derived from the window', async () => {
  const server = await hostile((_request, response, count) =>
    json(response, 200, [activity(count * 2), activity(count * 2 + 1)]),
  )
  const {strava} = client(server.apiUrl)
  const cap = pageCap(window.after, window.before, 200)
  await assert.rejects(strava.listActivities(window), exitsWith(5, new RegExp(`past page ${cap}`)))
  assert.equal(server.requests.length, cap)
  // Generous: a year of backfill allows more pages than 100 activities a day fill.
  assert.ok(pageCap(0, 366 * 86_400, 200) >= 183)
})

test('a short page is not the end: paging goes on until an empty page', async () => {
  const server = await hostile((request, response) => {
    const page = Number(new URL(request.url!, 'http://x').searchParams.get('page'))
    json(response, 200, page <= 2 ? [activity(page)] : [])
  })
  const {strava} = client(server.apiUrl)
  assert.deepEqual(
    (await strava.listActivities(window)).map((a) => a.id_str),
    ['1', '2'],
  )
})

test('activities outside the asked window make the list untrusted: exit 5', async () => {
  const server = await hostile((_request, response) =>
    json(response, 200, [activity(1, {start_date: '2019-01-01T07:00:00Z', start_date_local: '2019-01-01T07:00:00Z'})]),
  )
  const {strava} = client(server.apiUrl)
  await assert.rejects(strava.listActivities(window), exitsWith(5, /activity 1 from outside the weeks asked for/))
})

test('an endless page body is cut off at the size cap with exit 5, not read into memory', async () => {
  let sent = () => 0
  const server = await hostile((_request, response) => {
    sent = sendEndlessBody(response, '[')
  })
  const {strava} = client(server.apiUrl)
  await assert.rejects(strava.listActivities(window), exitsWith(5, /larger than 16 MiB/))
  assert.equal(server.requests.length, 1, 'not retried')
  assert.ok(sent() < MAX_BODY_BYTES * 4, `the server could send ${sent()} bytes`)
})

test('a 200-activity page is far below the body cap', () => {
  const page = JSON.stringify(
    Array.from({length: 200}, (_, i) =>
      activity(10_000_000_000 + i, {map: {id: `a${i}`, summary_polyline: 'x'.repeat(8000), resource_state: 2}}),
    ),
  )
  // Even with 8 KB polylines (a long ride), a page is ~1.7 MB: the cap leaves a margin of 9x.
  assert.ok(Buffer.byteLength(page) * 8 < MAX_BODY_BYTES, `${Buffer.byteLength(page)}`)
})

test('4xx and 403 answers that echo the request print no token and no terminal control characters', async () => {
  const echo = `Bad request: Authorization: Bearer ${TOKEN} \u001B]0;owned\u0007\u001B[2J \u202Egnp.exe`
  for (const status of [403, 404, 422]) {
    const server = await hostile((_request, response) => json(response, status, {message: echo, errors: []}))
    const {strava} = client(server.apiUrl)
    await assert.rejects(strava.getAthlete(), (error: StravaError) => {
      const text = [error.message, ...(error.suggestions ?? [])].join(' ')
      assert.ok(!text.includes(TOKEN), text)
      assert.doesNotMatch(text, /[\p{Cc}\u202A-\u202E\u2066-\u2069]/u)
      assert.match(text, /\[redacted\]/)
      return true
    })
  }
})

test('credentials in STRAVA_API_URL never appear in messages; an unsupported scheme exits 2', async () => {
  const server = await hostile((_request, response) => json(response, 404, {message: 'Not Found'}))
  const withCredentials = server.apiUrl.replace('http://', 'http://alice:s3cr3t-pw@')
  const {strava} = client(withCredentials)
  await assert.rejects(strava.getAthlete(), (error: StravaError) => {
    const text = [error.message, ...(error.suggestions ?? [])].join('\n')
    assert.ok(!text.includes('s3cr3t-pw') && !text.includes('alice'), text)
    assert.match(text, /127\.0\.0\.1/)
    return true
  })
  assert.throws(
    () => client('ftp://bob:hunter2-pw@example.com/api'),
    (error: StravaError) => {
      assert.equal(error.exitCode, 2)
      assert.match(error.message, /ftp:.*STRAVA_API_URL/)
      assert.ok(!error.message.includes('hunter2-pw'), error.message)
      return true
    },
  )
})

test('a TLS failure exits 5 at once with a sentence, not retried and not "Unexpected failure"', async () => {
  const server = await hostile((_request, response) => json(response, 200, []))
  const {strava} = client(server.apiUrl.replace('http://', 'https://'), {retries: 3})
  await assert.rejects(strava.getAthlete(), exitsWith(5, /secure connection to 127\.0\.0\.1:\d+ failed/))
})

test('malformed activities are left out with one warning naming them; the rest is kept', async () => {
  const page = [
    activity(1),
    null,
    activity(2, {start_date_local: null}),
    activity(3, {start_date_local: undefined}),
    activity(4, {start_date_local: '0000-03-05T08:00:00Z'}),
    activity(5, {start_date_local: '2024-13-45T08:00:00Z'}),
    {...activity(6), id: undefined},
    activity(7, {name: 'Evening\u001B[31m run\u202E', sport_type: 'Run|x\u0007'}),
  ]
  const server = await hostile((request, response) => {
    const number = Number(new URL(request.url!, 'http://x').searchParams.get('page'))
    json(response, 200, number === 1 ? page : [])
  })
  const {strava, warnings} = client(server.apiUrl)
  const activities = await strava.listActivities(window)
  assert.deepEqual(
    activities.map((a) => a.id_str),
    ['1', '7'],
  )
  assert.equal(activities[1].name, 'Evening[31m run')
  assert.equal(activities[1].sport_type, 'Run|x')
  assert.equal(warnings.length, 1)
  assert.match(
    warnings[0],
    /^Left out 6 malformed activities Strava sent: item 2 of page 1 \(not an activity\), activity 2 \(no valid start_date_local\), activity 3/,
  )
  assert.match(warnings[0], /and 1 more\.$/)
})

test('progress: each page and each retry is announced for a status line', async () => {
  const server = await hostile((request, response, count) => {
    if (count === 1) return json(response, 503, {message: 'down'})
    const page = Number(new URL(request.url!, 'http://x').searchParams.get('page'))
    json(response, 200, page === 1 ? [activity(1)] : [])
  })
  const {strava, progress} = client(server.apiUrl, {random: () => 0})
  await strava.listActivities(window)
  assert.deepEqual(progress, [
    'Fetching page 1 of activities from Strava',
    'Strava did not answer (503 Service Unavailable); retrying in 1 s',
    'Fetching page 2 of activities from Strava',
  ])
})
