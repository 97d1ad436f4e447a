import assert from 'node:assert/strict'
import {after, before, describe, it} from 'node:test'
import polylineCodec from '@googlemaps/polyline-codec'
import {localToUtc, renderActivity, utcOffsetAt, zoneLabel} from '../src/activities.js'
import {type StravaEmulator, makeActivities, startStravaEmulator} from '../src/index.js'
import {getApi} from '../src/test-helpers.js'

type Activity = Record<string, unknown> & {name: string; start_date: string; start_date_local: string}

describe('emulator time zone math', () => {
  const cases: [string, string, string, number][] = [
    // local start, zone, UTC start, utc_offset
    ['2024-03-04T07:00:00', 'Europe/Berlin', '2024-03-04T06:00:00Z', 3600],
    ['2024-03-30T23:30:00', 'Europe/Berlin', '2024-03-30T22:30:00Z', 3600],
    ['2024-03-31T09:00:00', 'Europe/Berlin', '2024-03-31T07:00:00Z', 7200],
    ['2024-03-09T08:00:00', 'America/Los_Angeles', '2024-03-09T16:00:00Z', -28800],
    ['2024-03-10T09:30:00', 'America/Los_Angeles', '2024-03-10T16:30:00Z', -25200],
    ['2024-03-10T23:30:00', 'America/Los_Angeles', '2024-03-11T06:30:00Z', -25200],
    ['2024-02-19T07:00:00', 'Asia/Tokyo', '2024-02-18T22:00:00Z', 32400],
    ['2024-10-27T02:30:00', 'Europe/Berlin', '2024-10-27T00:30:00Z', 7200], // repeated hour: the first
    ['2024-03-31T02:30:00', 'Europe/Berlin', '2024-03-31T01:30:00Z', 7200], // skipped hour: moved forward
  ]
  for (const [localStart, zone, utc, offset] of cases) {
    it(`${localStart} in ${zone} starts at ${utc}`, () => {
      const startMs = localToUtc(localStart, zone)
      assert.equal(new Date(startMs).toISOString().replace('.000', ''), utc)
      assert.equal(utcOffsetAt(zone, startMs), offset)
    })
  }

  it("labels zones with their standard offset, as Strava's timezone field does", () => {
    assert.equal(zoneLabel('America/Los_Angeles', 2024), '(GMT-08:00) America/Los_Angeles')
    assert.equal(zoneLabel('Europe/Berlin', 2024), '(GMT+01:00) Europe/Berlin')
    assert.equal(zoneLabel('Asia/Kolkata', 2024), '(GMT+05:30) Asia/Kolkata')
    assert.equal(zoneLabel('Australia/Sydney', 2024), '(GMT+10:00) Australia/Sydney')
  })

  it('renders the SummaryActivity fields Strava sends', () => {
    const {json, start, onlyMe} = renderActivity(
      {
        name: 'Trail',
        sportType: 'TrailRun',
        localStart: '2024-05-02T05:15:09',
        timeZone: 'America/Los_Angeles',
        distance: 12_000,
        movingTime: 4000,
        elapsedTime: 4300,
        elevationGain: 350,
        averageHeartrate: 150,
      },
      154504250376823n,
      134815,
    )
    const activity = JSON.parse(json) as Record<string, unknown>
    assert.equal(start, Date.parse('2024-05-02T12:15:09Z') / 1000)
    assert.equal(onlyMe, false)
    assert.deepEqual(
      {
        resource_state: activity.resource_state,
        athlete: activity.athlete,
        id: activity.id,
        type: activity.type,
        sport_type: activity.sport_type,
        start_date: activity.start_date,
        start_date_local: activity.start_date_local,
        timezone: activity.timezone,
        utc_offset: activity.utc_offset,
        distance: activity.distance,
        moving_time: activity.moving_time,
        elapsed_time: activity.elapsed_time,
        total_elevation_gain: activity.total_elevation_gain,
        average_speed: activity.average_speed,
        has_heartrate: activity.has_heartrate,
        average_heartrate: activity.average_heartrate,
        private: activity.private,
        visibility: activity.visibility,
        location_country: activity.location_country,
        workout_type: activity.workout_type,
      },
      {
        resource_state: 2,
        athlete: {id: 134815, resource_state: 1},
        id: 154504250376823,
        type: 'Run',
        sport_type: 'TrailRun',
        start_date: '2024-05-02T12:15:09Z',
        start_date_local: '2024-05-02T05:15:09Z',
        timezone: '(GMT-08:00) America/Los_Angeles',
        utc_offset: -25200,
        distance: 12_000,
        moving_time: 4000,
        elapsed_time: 4300,
        total_elevation_gain: 350,
        average_speed: 3,
        has_heartrate: true,
        average_heartrate: 150,
        private: false,
        visibility: 'everyone',
        location_country: 'United States',
        workout_type: 0,
      },
    )
    for (const field of [
      'name',
      'max_speed',
      'max_heartrate',
      'kudos_count',
      'achievement_count',
      'trainer',
      'commute',
    ]) {
      assert.ok(field in activity, field)
    }
    for (const field of ['manual', 'flagged', 'gear_id', 'start_latlng', 'end_latlng', 'elev_high', 'elev_low']) {
      assert.ok(field in activity, field)
    }
    for (const field of ['upload_id', 'external_id', 'pr_count', 'total_photo_count', 'has_kudoed']) {
      assert.ok(field in activity, field)
    }
  })

  it('leaves heart rate fields out when there is no heart rate, as Strava does', () => {
    const {json} = renderActivity(
      {
        name: 'Swim',
        sportType: 'Swim',
        localStart: '2024-03-05T06:45:00',
        timeZone: 'Europe/Berlin',
        distance: 2500,
        movingTime: 3120,
      },
      1n,
      1,
    )
    const activity = JSON.parse(json) as Record<string, unknown>
    assert.equal(activity.has_heartrate, false)
    assert.ok(!('average_heartrate' in activity))
  })
})

describe('emulator demo seed', () => {
  let emulator: StravaEmulator
  let activities: Activity[]
  before(async () => {
    emulator = await startStravaEmulator()
    const response = await getApi(emulator, '/athlete/activities?per_page=200', emulator.issueTokens().accessToken)
    activities = (await response.json()) as Activity[]
  })
  after(() => emulator.close())
  const byName = (name: string) => {
    const found = activities.find((activity) => activity.name === name)
    assert.ok(found, name)
    return found
  }

  it('has a realistic athlete', () => {
    const athlete = emulator.athlete
    assert.equal(typeof athlete.id, 'number')
    for (const field of [
      'firstname',
      'lastname',
      'city',
      'country',
      'sex',
      'profile',
      'profile_medium',
      'created_at',
    ]) {
      assert.equal(typeof athlete[field], 'string', field)
    }

    assert.equal(athlete.measurement_preference, 'meters')
  })

  it('covers 2024-W08 to 2024-W13 and a marathon build-up to race week 2024-W44, with every sport the brief lists', () => {
    const localDates = activities.map((activity) => activity.start_date_local.slice(0, 10)).sort()
    assert.equal(localDates[0], '2024-02-19')
    assert.ok(localDates.includes('2024-03-31'))
    assert.equal(localDates.at(-1), '2024-11-03')
    assert.equal(byName('TCS New York City Marathon').workout_type, 1, 'a run race')
    const sports = new Set(activities.map((activity) => activity.sport_type))
    for (const sport of ['Run', 'TrailRun', 'Ride', 'VirtualRide', 'Swim', 'WeightTraining', 'Walk']) {
      assert.ok(sports.has(sport), sport)
    }
  })

  it('makes 2024-W10 a full, varied week', () => {
    const week = activities.filter((activity) => {
      const date = activity.start_date_local.slice(0, 10)
      return date >= '2024-03-04' && date <= '2024-03-10'
    })
    assert.equal(new Set(week.map((activity) => activity.start_date_local.slice(0, 10))).size, 7, 'every day')
    assert.ok(new Set(week.map((activity) => activity.sport_type)).size >= 6)
    assert.ok(week.length >= 10)
  })

  it('has a Sunday 23:30 run in Los Angeles that is already Monday in UTC, after the US DST change', () => {
    const run = byName('Jet-lag midnight run')
    assert.equal(run.start_date_local, '2024-03-10T23:30:00Z')
    assert.equal(run.start_date, '2024-03-11T06:30:00Z')
    assert.equal(run.utc_offset, -25200)
    assert.equal(run.timezone, '(GMT-08:00) America/Los_Angeles')
    assert.equal(byName('Griffith Park trails').utc_offset, -28800, 'the day before is still standard time')
  })

  it('has a Tokyo run whose UTC start falls in the previous ISO week', () => {
    const run = byName('Imperial Palace loop')
    assert.equal(run.start_date_local, '2024-02-19T07:00:00Z')
    assert.equal(run.start_date, '2024-02-18T22:00:00Z')
    assert.equal(run.timezone, '(GMT+09:00) Asia/Tokyo')
    assert.equal(run.location_country, 'Japan')
  })

  it('crosses the European DST change of 2024-03-31', () => {
    assert.equal(byName('Late run before the clocks change').start_date, '2024-03-30T22:30:00Z')
    assert.equal(byName('Late run before the clocks change').utc_offset, 3600)
    assert.equal(byName('Long run, first day of summer time').start_date, '2024-03-31T07:00:00Z')
    assert.equal(byName('Long run, first day of summer time').utc_offset, 7200)
  })

  it('has one only_me activity and one with a hidden start time (00:00:01 local)', () => {
    assert.deepEqual(
      activities.filter((activity) => activity.visibility === 'only_me').map((activity) => activity.name),
      ['Evening walk'],
    )
    assert.equal(byName('Strength session').start_date_local, '2024-03-18T00:00:01Z')
    assert.equal(byName('Strength session').start_date, '2024-03-17T23:00:01Z')
  })

  it('gives outdoor activities a route polyline from their start point, and indoor ones and pool swims none', () => {
    const run = byName('Morning run') as Activity & {map: {summary_polyline: string}; start_latlng: number[]}
    const points = polylineCodec.decode(run.map.summary_polyline, 5)
    assert.ok(points.length > 20)
    assert.deepEqual(points[0], run.start_latlng)
    const spread = Math.max(...points.map(([lat]) => lat)) - Math.min(...points.map(([lat]) => lat))
    assert.ok(spread > 0.005 && spread < 0.1, `a 10 km loop spans about 3 km north to south, got ${spread} degrees`)
    assert.equal((byName('Hotel gym') as Activity & {map: {summary_polyline: unknown}}).map.summary_polyline, null)
    assert.equal((byName('Early swim') as Activity & {map: {summary_polyline: unknown}}).map.summary_polyline, '')
  })

  it("computes every activity's UTC start from its local start and utc_offset", () => {
    for (const activity of activities) {
      const local = Date.parse(activity.start_date_local)
      assert.equal(Date.parse(activity.start_date) + (activity.utc_offset as number) * 1000, local, activity.name)
    }
  })
})

describe('emulator makeActivities', () => {
  it('spreads activities over the seven local days of the week at distinct times', () => {
    const list = makeActivities(450, {weekStart: '2024-03-04', timeZone: 'America/New_York', sportType: 'Ride'})
    assert.equal(list.length, 450)
    assert.equal(new Set(list.map((activity) => activity.localStart)).size, 450)
    const days = new Set(list.map((activity) => activity.localStart.slice(0, 10)))
    assert.deepEqual([...days].sort(), [
      '2024-03-04',
      '2024-03-05',
      '2024-03-06',
      '2024-03-07',
      '2024-03-08',
      '2024-03-09',
      '2024-03-10',
    ])
    assert.ok(
      list.every(
        (activity) => activity.localStart.slice(11) >= '06:00:00' && activity.localStart.slice(11) < '22:00:00',
      ),
    )
    assert.ok(list.every((activity) => activity.sportType === 'Ride' && activity.timeZone === 'America/New_York'))
    assert.ok(list.every((activity) => activity.distance > 0 && activity.movingTime > 0 && activity.id === undefined))
  })

  it('defaults to runs in Berlin and keeps small counts inside the week', () => {
    const list = makeActivities(3, {weekStart: '2024-12-30'})
    assert.deepEqual(
      list.map((activity) => [activity.localStart, activity.sportType, activity.timeZone]),
      [
        ['2024-12-30T06:00:00', 'Run', 'Europe/Berlin'],
        ['2024-12-31T06:00:00', 'Run', 'Europe/Berlin'],
        ['2025-01-01T06:00:00', 'Run', 'Europe/Berlin'],
      ],
    )
    assert.deepEqual(makeActivities(0, {weekStart: '2024-03-04'}), [])
    assert.throws(() => makeActivities(1, {weekStart: 'next week'}))
  })
})
