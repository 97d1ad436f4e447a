// The API base decision against the emulator's two listeners (the old host with /api/v3, the new host
// without it), with the clock injected on both sides of 4 January and 1 June 2027.
import assert from 'node:assert/strict'
import {existsSync} from 'node:fs'
import {mkdtemp, readdir, readFile, rm, stat} from 'node:fs/promises'
import {createServer} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, afterEach, before, beforeEach, describe, it} from 'node:test'

import {
  type ApiHosts,
  candidateApiUrls,
  LEGACY_API_URL,
  MEMORY_FILE,
  NEXT_API_URLS,
  resolveApiBase,
} from '../../src/strava/api-base.js'
import {StravaClient} from '../../src/strava/client.js'
import {StravaUnavailableError} from '../../src/strava/errors.js'
import {startStravaEmulator, type StravaEmulator} from 'strava-emulator'

const at = (iso: string) => () => Date.parse(iso)
const beforeMove = at('2026-12-01T12:00:00Z')
const transition = at('2027-02-01T12:00:00Z')
const retired = at('2027-06-01T00:00:00Z')

/** A port nobody listens on: connections to it are refused. */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const {port} = server.address() as {port: number}
  await new Promise((resolve) => server.close(resolve))
  return port
}

describe('candidateApiUrls', () => {
  it('prefers the old host before 4 January 2027, the new one until 1 June 2027, then the new one alone', () => {
    assert.deepEqual(candidateApiUrls(Date.parse('2027-01-03T23:59:59Z')), [LEGACY_API_URL, ...NEXT_API_URLS])
    assert.deepEqual(candidateApiUrls(Date.parse('2027-01-04T00:00:00Z')), [...NEXT_API_URLS, LEGACY_API_URL])
    assert.deepEqual(candidateApiUrls(Date.parse('2027-05-31T23:59:59Z')), [...NEXT_API_URLS, LEGACY_API_URL])
    assert.deepEqual(candidateApiUrls(Date.parse('2027-06-01T00:00:00Z')), NEXT_API_URLS)
    assert.deepEqual(NEXT_API_URLS, ['https://api-v3.strava.com', 'https://www.api-v3.strava.com'])
  })
})

describe('the API base against the emulator', () => {
  let emulator: StravaEmulator
  let cacheDir: string
  let hosts: ApiHosts
  let token: string

  before(async () => {
    emulator = await startStravaEmulator()
    hosts = {legacy: emulator.apiUrl, next: [emulator.nextApiUrl]}
  })
  after(() => emulator.close())
  beforeEach(async () => {
    cacheDir = await mkdtemp(join(tmpdir(), 'weeknotes-api-base-'))
    token = emulator.issueTokens().accessToken
    emulator.clearRequests()
  })
  afterEach(async () => {
    await emulator.setEndpoints({legacyApiHost: true, nextApiHost: true, deauthorize: true, tokenParams: true})
    await rm(cacheDir, {recursive: true, force: true})
  })

  function client(now: () => number, hostsUsed = hosts) {
    return new StravaClient({
      apiBase: resolveApiBase({env: {}, cacheDir, now, hosts: hostsUsed}),
      tokens: {accessToken: async () => token, renewAfterRejection: async () => token},
      now,
      sleep: async () => {},
      retries: 1,
    })
  }

  const hostsSeen = () => emulator.requests.map((request) => request.host)
  const memory = async () => JSON.parse(await readFile(join(cacheDir, MEMORY_FILE), 'utf8')) as {url: string}

  it('before January 2027: the old host under /api/v3, nothing to remember', async () => {
    const athlete = await client(beforeMove).getAthlete()
    assert.equal(athlete.id, emulator.athlete.id)
    assert.deepEqual(
      emulator.requests.map((request) => [request.host, request.path]),
      [['legacy', '/api/v3/athlete']],
    )
    assert.equal(existsSync(join(cacheDir, MEMORY_FILE)), false)
  })

  it('before January 2027 with the old host unreachable: the new host (the reverse fallback)', async () => {
    const unreachable = {legacy: `http://127.0.0.1:${await closedPort()}/api/v3`, next: [emulator.nextApiUrl]}
    await client(beforeMove, unreachable).getAthlete()
    assert.deepEqual(hostsSeen(), ['next'])
  })

  it('from January 2027: the new host, paths without /api/v3, every page of a week', async () => {
    const activities = await client(transition).listActivities({
      after: Date.parse('2024-03-03T12:00:00Z') / 1000,
      before: Date.parse('2024-03-11T12:00:00Z') / 1000,
    })
    assert.ok(activities.length > 5)
    assert.deepEqual(new Set(hostsSeen()), new Set(['next']))
    assert.equal(emulator.requests[0].path, '/athlete/activities')
  })

  it('from January 2027 with the new host down: the old one, remembered so the next run goes there at once', async () => {
    await emulator.setEndpoints({nextApiHost: false})
    await client(transition).getAthlete()
    assert.deepEqual(hostsSeen(), ['legacy'])
    assert.equal((await memory()).url, emulator.apiUrl)
    assert.deepEqual(await readdir(cacheDir), [MEMORY_FILE], 'replaced in one step, no temporary file left')
    assert.equal((await stat(join(cacheDir, MEMORY_FILE))).mode & 0o777, 0o600)

    // The new host is back, but for a day the next run trusts the memory and pays no probe.
    await emulator.setEndpoints({nextApiHost: true})
    emulator.clearRequests()
    await client(at('2027-02-02T11:00:00Z')).getAthlete()
    assert.deepEqual(hostsSeen(), ['legacy'])

    // A day later the preferred host is tried again, and remembered.
    emulator.clearRequests()
    await client(at('2027-02-02T12:00:01Z')).getAthlete()
    assert.deepEqual(hostsSeen(), ['next'])
    assert.equal((await memory()).url, emulator.nextApiUrl)
  })

  it('an unresolvable name (DNS) moves on to the next candidate', async () => {
    await client(transition, {
      legacy: emulator.apiUrl,
      next: ['http://api-v3.invalid', emulator.nextApiUrl],
    }).getAthlete()
    assert.deepEqual(hostsSeen(), ['next'])
  })

  it('from June 2027, /api/v3 and /deauthorize retired: the new host, and a remembered old host is forgotten', async () => {
    await emulator.setEndpoints({nextApiHost: false})
    await client(transition).getAthlete()
    assert.equal((await memory()).url, emulator.apiUrl)
    await emulator.setEndpoints({nextApiHost: true, legacyApiHost: false, deauthorize: false})
    emulator.clearRequests()

    await client(retired).getAthlete()
    assert.deepEqual(hostsSeen(), ['next'])
  })

  it('from June 2027 with the new host down: no fallback to the retired host, exit 5', async () => {
    await emulator.setEndpoints({nextApiHost: false})
    const error = await client(retired)
      .getAthlete()
      .catch((e: unknown) => e)
    assert.ok(error instanceof StravaUnavailableError)
    assert.equal(error.exitCode, 5)
    assert.deepEqual(hostsSeen(), [])
  })

  it('STRAVA_API_URL overrides the decision and is never remembered', async () => {
    const strava = new StravaClient({
      apiBase: resolveApiBase({env: {STRAVA_API_URL: `${emulator.apiUrl}/`}, cacheDir, now: retired, hosts}),
      tokens: {accessToken: async () => token, renewAfterRejection: async () => token},
    })
    await strava.getAthlete()
    assert.deepEqual(hostsSeen(), ['legacy'])
    assert.equal(existsSync(join(cacheDir, MEMORY_FILE)), false)
  })

  it('the access token travels only in the Authorization header, also where Strava accepts headers only', async () => {
    await emulator.setEndpoints({tokenParams: false})
    await client(transition).getAthlete()
    await client(beforeMove).listActivities({after: 0, before: 2_000_000_000})
    assert.ok(emulator.requests.length >= 3)
    for (const request of emulator.requests) {
      assert.equal(request.authorization, 'Bearer')
      assert.ok(!request.params.includes('access_token'), `${request.path} carried a token parameter`)
      assert.equal(request.status, 200)
    }
  })
})
