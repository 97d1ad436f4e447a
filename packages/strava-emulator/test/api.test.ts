import assert from 'node:assert/strict'
import {after, before, beforeEach, describe, it} from 'node:test'
import {type StravaEmulator, bigActivityId, startStravaEmulator} from '../src/index.js'
import {fault, getApi, manualClock} from '../src/test-helpers.js'

type Activity = {id: number; name: string; start_date: string; private: boolean; visibility: string}

const invalidToken = fault('Authorization Error', 'Athlete', 'access_token', 'invalid')

describe('emulator API authentication', () => {
  const clock = manualClock('2024-03-11T08:00:00Z')
  let emulator: StravaEmulator
  before(async () => {
    emulator = await startStravaEmulator({now: clock.now})
  })
  after(() => emulator.close())

  it('serves the athlete to a valid bearer token', async () => {
    const response = await getApi(emulator, '/athlete', emulator.issueTokens().accessToken)
    assert.equal(response.status, 200)
    const athlete = (await response.json()) as Record<string, unknown>
    assert.deepEqual(athlete, emulator.athlete)
    assert.equal(athlete.measurement_preference, 'meters')
    assert.equal(athlete.firstname, 'Lena')
  })

  for (const [what, headers] of [
    ['no Authorization header', {}],
    ['an unknown token', {authorization: `Bearer ${'0'.repeat(40)}`}],
    ['a non-Bearer scheme', {authorization: 'Basic dXNlcjpwYXNz'}],
  ] as const) {
    it(`answers ${what} with 401 Authorization Error`, async () => {
      for (const path of ['/athlete', '/athlete/activities']) {
        const response = await fetch(`${emulator.apiUrl}${path}`, {headers})
        assert.equal(response.status, 401)
        assert.deepEqual(await response.json(), invalidToken)
      }
    })
  }

  it('rejects a token once its lifetime has passed on the emulator clock', async () => {
    emulator.setTokenLifetime(3600)
    const {accessToken, expiresAt} = emulator.issueTokens()
    assert.equal(expiresAt, clock.now() / 1000 + 3600)
    clock.advance(3599_000)
    assert.equal((await getApi(emulator, '/athlete', accessToken)).status, 200)
    clock.advance(1000)
    const response = await getApi(emulator, '/athlete', accessToken)
    assert.equal(response.status, 401)
    assert.deepEqual(await response.json(), invalidToken)
    emulator.setTokenLifetime(21_600)
  })

  it('expireAccessTokens expires every issued token but not later ones', async () => {
    const earlier = emulator.issueTokens().accessToken
    emulator.expireAccessTokens()
    assert.equal((await getApi(emulator, '/athlete', earlier)).status, 401)
    assert.equal((await getApi(emulator, '/athlete', emulator.issueTokens().accessToken)).status, 200)
  })

  it('requires activity:read for the activity list, with the body Strava sends', async () => {
    const token = emulator.issueTokens({scope: 'read,profile:read_all'}).accessToken
    const response = await getApi(emulator, '/athlete/activities', token)
    assert.equal(response.status, 401)
    assert.deepEqual(
      await response.json(),
      fault('Authorization Error', 'AccessToken', 'activity:read_permission', 'missing'),
    )
    assert.equal((await getApi(emulator, '/athlete', token)).status, 200, 'the athlete needs only read')
  })

  it('answers an unknown path with 404 Record Not Found', async () => {
    const response = await getApi(emulator, '/activities/1/streams', emulator.issueTokens().accessToken)
    assert.equal(response.status, 404)
    assert.deepEqual(await response.json(), fault('Record Not Found', 'resource', 'path', 'invalid'))
    assert.equal((await fetch(`${emulator.url}/nothing-here`)).status, 404)
  })
})

describe('emulator GET /athlete/activities', () => {
  let emulator: StravaEmulator
  let readAll: string
  let readPublic: string
  before(async () => {
    emulator = await startStravaEmulator()
    readAll = emulator.issueTokens({scope: 'read,activity:read_all'}).accessToken
    readPublic = emulator.issueTokens({scope: 'read,activity:read'}).accessToken
  })
  after(() => emulator.close())
  beforeEach(() => emulator.setActivities(emulator.makeActivities(10, {weekStart: '2024-03-04'})))

  async function list(query: string, token = readAll): Promise<Activity[]> {
    const response = await getApi(emulator, `/athlete/activities?${query}`, token)
    assert.equal(response.status, 200, await response.clone().text())
    return (await response.json()) as Activity[]
  }

  it('hides only_me activities unless the token has activity:read_all', async () => {
    emulator.setActivities([
      {
        name: 'Public',
        sportType: 'Run',
        localStart: '2024-03-04T07:00:00',
        timeZone: 'UTC',
        distance: 5000,
        movingTime: 1500,
      },
      {
        name: 'Followers',
        sportType: 'Run',
        localStart: '2024-03-05T07:00:00',
        timeZone: 'UTC',
        distance: 5000,
        movingTime: 1500,
        visibility: 'followers_only',
      },
      {
        name: 'Secret',
        sportType: 'Walk',
        localStart: '2024-03-06T07:00:00',
        timeZone: 'UTC',
        distance: 3000,
        movingTime: 1800,
        visibility: 'only_me',
      },
    ])
    const all = await list('per_page=200')
    assert.deepEqual(
      all.map((a) => [a.name, a.private, a.visibility]),
      [
        ['Secret', true, 'only_me'],
        ['Followers', false, 'followers_only'],
        ['Public', false, 'everyone'],
      ],
    )
    assert.deepEqual(
      (await list('per_page=200', readPublic)).map((a) => a.name),
      ['Followers', 'Public'],
    )
  })

  it('hides the seeded only_me walk from activity:read tokens', async () => {
    emulator.setActivities([])
    const seeded = await startStravaEmulator()
    try {
      const token = (scope: string) => seeded.issueTokens({scope}).accessToken
      const names = async (scope: string) =>
        ((await (await getApi(seeded, '/athlete/activities?per_page=200', token(scope))).json()) as Activity[]).map(
          (a) => a.name,
        )
      assert.ok((await names('activity:read_all')).includes('Evening walk'))
      assert.ok(!(await names('activity:read')).includes('Evening walk'))
    } finally {
      await seeded.close()
    }
  })

  it('lists newest first without after, and oldest first when after is given', async () => {
    const newestFirst = await list('')
    const starts = newestFirst.map((a) => a.start_date)
    assert.deepEqual(starts, [...starts].sort().reverse())
    const oldestFirst = await list('after=0')
    assert.deepEqual(
      oldestFirst.map((a) => a.start_date),
      [...starts].reverse(),
    )
    const bounded = await list(`after=0&before=${Date.parse('2030-01-01') / 1000}`)
    assert.deepEqual(
      bounded.map((a) => a.start_date),
      [...starts].reverse(),
    )
  })

  it('filters strictly after `after` and before `before` (epoch seconds of the UTC start)', async () => {
    const all = await list('')
    const [newest, second, , fourth] = all
    const epoch = (a: Activity) => Date.parse(a.start_date) / 1000
    const between = await list(`after=${epoch(fourth)}&before=${epoch(newest)}`)
    assert.deepEqual(
      between.map((a) => a.id),
      all
        .slice(1, 3)
        .reverse()
        .map((a) => a.id),
    )
    assert.equal(between.at(-1)?.id, second.id)
    assert.deepEqual(await list(`before=${epoch(all.at(-1) as Activity)}`), [])
  })

  it("rejects millisecond timestamps with Strava's 400 fault", async () => {
    const token = readAll
    const afterMs = await getApi(emulator, '/athlete/activities?after=1709510400000', token)
    assert.equal(afterMs.status, 400)
    assert.deepEqual(await afterMs.json(), fault('Bad Request', 'Application', 'after', 'future'))
    const beforeMs = await getApi(emulator, '/athlete/activities?before=1710111600000', token)
    assert.equal(beforeMs.status, 400)
    assert.deepEqual(await beforeMs.json(), fault('Bad Request', 'Application', 'before', 'invalid'))
    const notANumber = await getApi(emulator, '/athlete/activities?after=yesterday', token)
    assert.deepEqual(await notANumber.json(), fault('Bad Request', 'Application', 'after', 'invalid'))
  })

  it('pages with page and per_page (default 30) and ends with an empty page', async () => {
    emulator.setActivities(emulator.makeActivities(75, {weekStart: '2024-03-04'}))
    const pages = [await list(''), await list('page=2'), await list('page=3'), await list('page=4')]
    assert.deepEqual(
      pages.map((page) => page.length),
      [30, 30, 15, 0],
    )
    assert.equal(new Set(pages.flat().map((a) => a.id)).size, 75)
    assert.deepEqual(
      (await list('page=2&per_page=10')).map((a) => a.id),
      pages[0].slice(10, 20).map((a) => a.id),
    )
  })

  it('caps per_page at 200, as Strava does', async () => {
    emulator.setActivities(emulator.makeActivities(450, {weekStart: '2024-03-04'}))
    assert.equal((await list('per_page=200')).length, 200)
    assert.equal((await list('per_page=500')).length, 200)
    assert.equal((await list('per_page=500&page=3')).length, 50)
    assert.equal((await list('per_page=0')).length, 30)
  })

  it('serializes ids above 2^53 with every digit', async () => {
    emulator.setActivities([
      {
        id: '18014398509481993',
        name: 'Big',
        sportType: 'Run',
        localStart: '2024-03-04T07:00:00',
        timeZone: 'Europe/Berlin',
        distance: 10_000,
        movingTime: 3000,
      },
    ])
    const text = await (await getApi(emulator, '/athlete/activities', readAll)).text()
    assert.match(text, /"id":18014398509481993,/)
    assert.ok(!text.includes('"18014398509481993"'), 'a bare number, not a string')
    assert.equal(JSON.parse(text)[0].id, 18014398509481992, 'which JSON.parse cannot hold exactly')
  })

  it('seeds an activity with an id above 2^53', async () => {
    const seeded = await startStravaEmulator()
    try {
      const text = await (
        await getApi(seeded, '/athlete/activities?per_page=200', seeded.issueTokens().accessToken)
      ).text()
      assert.ok(BigInt(bigActivityId) > BigInt(Number.MAX_SAFE_INTEGER))
      assert.ok(text.includes(`"id":${bigActivityId},`))
    } finally {
      await seeded.close()
    }
  })

  it('assigns ids to activities without one, and addActivities keeps the earlier ones', async () => {
    emulator.setActivities(emulator.makeActivities(2, {weekStart: '2024-03-04'}))
    emulator.addActivities(emulator.makeActivities(1, {weekStart: '2024-03-11'}))
    const ids = (await list('')).map((a) => a.id)
    assert.equal(ids.length, 3)
    assert.equal(new Set(ids).size, 3)
    assert.ok(ids.every((id) => Number.isSafeInteger(id) && id > 0))
    assert.throws(() =>
      emulator.setActivities([{...emulator.makeActivities(1, {weekStart: '2024-03-04'})[0], id: '12a'}]),
    )
  })
})

describe('emulator GET /activities/{id}', () => {
  let emulator: StravaEmulator
  let seeded: Activity[]
  before(async () => {
    emulator = await startStravaEmulator()
    const response = await getApi(emulator, '/athlete/activities?per_page=200', emulator.issueTokens().accessToken)
    seeded = (await response.json()) as Activity[]
  })
  after(() => emulator.close())
  const idOf = (name: string) => String(seeded.find((activity) => activity.name === name)?.id)

  async function detail(id: string, scope = 'read,activity:read_all') {
    const response = await getApi(emulator, `/activities/${id}`, emulator.issueTokens({scope}).accessToken)
    return {status: response.status, body: (await response.json()) as Record<string, unknown>}
  }

  it("answers the detailed representation: the summary's fields plus description, photos and the owner's private note", async () => {
    const race = await detail(idOf('TCS New York City Marathon'))
    assert.equal(race.status, 200)
    assert.equal(race.body.resource_state, 3)
    assert.equal(race.body.name, 'TCS New York City Marathon')
    assert.equal(race.body.workout_type, 1)
    assert.match(String(race.body.description), /^Official time 3:42:02\. /)
    const photos = race.body.photos as {count: number; primary: {urls: Record<string, string>}}
    assert.equal(photos.count, 9)
    assert.deepEqual(Object.keys(photos.primary.urls), ['100', '600'])
    assert.match(photos.primary.urls['600'], /^https:\/\/.+-768x576\.jpg$/)
    assert.equal(race.body.total_photo_count, 9)
    assert.match(String(race.body.private_note), /calf/)
  })

  it('sends an empty description, no primary photo and no private_note key where there are none', async () => {
    const plain = await detail(idOf('Hotel gym'))
    assert.equal(plain.body.description, '')
    assert.deepEqual(plain.body.photos, {primary: null, count: 0})
    assert.equal('private_note' in plain.body, false)
  })

  it('keeps every digit of an id above 2^53', async () => {
    const response = await getApi(emulator, `/activities/${bigActivityId}`, emulator.issueTokens().accessToken)
    assert.ok((await response.text()).includes(`"id":${bigActivityId},`))
  })

  it('needs activity:read, hides only_me activities from activity:read tokens and answers unknown ids with 404', async () => {
    const walk = idOf('Evening walk')
    assert.equal((await detail(walk)).status, 200)
    assert.deepEqual(await detail(walk, 'read,activity:read'), {
      status: 404,
      body: fault('Record Not Found', 'Activity', 'id', 'invalid'),
    })
    assert.equal((await detail('1', 'read,activity:read')).status, 404)
    assert.deepEqual(await detail(walk, 'read'), {
      status: 401,
      body: fault('Authorization Error', 'AccessToken', 'activity:read_permission', 'missing'),
    })
    assert.equal((await getApi(emulator, `/activities/${walk}`)).status, 401)
  })
})
