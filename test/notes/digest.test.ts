import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {buildDigest, groupByWeek, unitsFor, type DigestOptions} from '../../src/notes/digest.js'
import {fetchWindow, parseWeek, weeksInRange, type WeekRange} from '../../src/notes/week.js'
import {historyStart} from '../../src/notes/history.js'
import type {DetailedActivity, SummaryActivity} from '../../src/strava/types.js'
import {atLocal, recorded, week10Activities} from './activities.js'

const today = new Date(2024, 11, 31, 12)
const week = (id: string) => parseWeek(id, today)
const athlete = {id: 134815, firstname: 'Marianne', lastname: 'Example', measurement_preference: 'meters' as const}
const generatedAt = new Date('2024-03-11T06:00:00Z')

function digest(weekId: string, activities: SummaryActivity[], options: Partial<DigestOptions> = {}) {
  return buildDigest({week: week(weekId), athlete, units: 'metric', activities, generatedAt, ...options})
}

function ids(weekId: string, activities: SummaryActivity[]): string[] {
  return digest(weekId, activities).activities.map((activity) => activity.id)
}

/** The padded fetch window must contain the UTC start of every activity the week keeps. */
function assertFetched(range: WeekRange, activity: SummaryActivity) {
  const {after, before} = fetchWindow(range, range)
  const start = Date.parse(activity.start_date) / 1000
  assert.ok(after < start && start < before, `${activity.start_date} outside the fetch window of ${range.id}`)
}

describe('buildDigest: the template context', () => {
  const context = digest('2024-W10', week10Activities())

  it('has exactly the documented keys', () => {
    assert.deepEqual(Object.keys(context), [
      'week',
      'athlete',
      'units',
      'totals',
      'sports',
      'days',
      'activities',
      'highlights',
      'generatedAt',
    ])
    assert.deepEqual(context.week, {id: '2024-W10', year: 2024, number: 10, start: '2024-03-04', end: '2024-03-10'})
    assert.deepEqual(context.athlete, athlete)
    assert.equal(context.units, 'metric')
    assert.equal(context.generatedAt, '2024-03-11T06:00:00.000Z')
  })

  it('keeps the week by local date and sorts by local start', () => {
    assert.deepEqual(
      context.activities.map((activity) => activity.id),
      ['10000000071', '10000000072', '10000000073', '10000000074', '10000000075', '10000000076'],
    )
  })

  it('maps an activity to raw SI numbers', () => {
    assert.deepEqual(context.activities[0], {
      id: '10000000071',
      name: 'Morning Run',
      sportType: 'Run',
      startLocal: '2024-03-04T07:00:00',
      distance: 10_000,
      movingTime: 3000,
      elapsedTime: 3120,
      elevationGain: 50,
      averageSpeed: 3.333,
      averageHeartrate: 145.4,
      private: false,
      url: 'https://www.strava.com/activities/10000000071',
      race: false,
      prCount: 0,
      achievementCount: 0,
    })
    assert.equal('averageHeartrate' in context.activities[1], false)
    assert.equal(context.activities[3].private, true)
  })

  it('sums the totals', () => {
    assert.deepEqual(context.totals, {
      count: 6,
      distance: 105_000,
      movingTime: 22_920,
      elapsedTime: 23_640,
      elevationGain: 1040,
    })
  })

  it('summarizes sports by moving time, then label', () => {
    assert.deepEqual(context.sports, [
      {sportType: 'Ride', label: 'Ride', count: 2, distance: 75_000, movingTime: 9900, elevationGain: 680},
      {sportType: 'Run', label: 'Run', count: 2, distance: 18_000, movingTime: 5520, elevationGain: 60},
      {sportType: 'TrailRun', label: 'Trail run', count: 1, distance: 12_000, movingTime: 4800, elevationGain: 300},
      {
        sportType: 'WeightTraining',
        label: 'Weight training',
        count: 1,
        distance: 0,
        movingTime: 2700,
        elevationGain: 0,
      },
    ])
    const tie = digest('2024-W10', [
      atLocal('2024-03-05T08:00:00', {sport_type: 'Swim', moving_time: 1800}),
      atLocal('2024-03-04T08:00:00', {sport_type: 'Hike', moving_time: 1800}),
    ])
    assert.deepEqual(
      tie.sports.map((sport) => sport.label),
      ['Hike', 'Swim'],
    )
  })

  it('lists all seven days, rest days included', () => {
    assert.deepEqual(
      context.days.map((day) => [day.date, day.weekday, day.activities.map((activity) => activity.id)]),
      [
        ['2024-03-04', 'Monday', ['10000000071']],
        ['2024-03-05', 'Tuesday', ['10000000072']],
        ['2024-03-06', 'Wednesday', ['10000000073']],
        ['2024-03-07', 'Thursday', ['10000000074']],
        ['2024-03-08', 'Friday', []],
        ['2024-03-09', 'Saturday', ['10000000075']],
        ['2024-03-10', 'Sunday', ['10000000076']],
      ],
    )
    assert.deepEqual(
      digest('2025-W01', []).days.map((day) => day.date),
      ['2024-12-30', '2024-12-31', '2025-01-01', '2025-01-02', '2025-01-03', '2025-01-04', '2025-01-05'],
    )
  })

  it('keeps ids above 2^53 exact, and falls back to the number', () => {
    const huge = atLocal('2024-03-04T07:00:00', {id: Number('18446744073709551615'), id_str: '18446744073709551615'})
    const plain = atLocal('2024-03-05T07:00:00', {id: 123, id_str: undefined})
    const [first, second] = digest('2024-W10', [huge, plain]).activities
    assert.equal(first.id, '18446744073709551615')
    assert.equal(first.url, 'https://www.strava.com/activities/18446744073709551615')
    assert.equal(second.id, '123')
  })

  it('falls back to the deprecated type when sport_type is missing', () => {
    const old = atLocal('2024-03-04T07:00:00', {sport_type: undefined as unknown as string, type: 'Ride'})
    assert.equal(digest('2024-W10', [old]).activities[0].sportType, 'Ride')
  })

  it('is an empty but complete context for an empty week', () => {
    const empty = digest('2024-W10', [])
    assert.deepEqual(empty.totals, {count: 0, distance: 0, movingTime: 0, elapsedTime: 0, elevationGain: 0})
    assert.deepEqual(empty.sports, [])
    assert.equal(empty.days.length, 7)
  })
})

describe('buildDigest: excludes', () => {
  it('drops only_me and private activities with excludePrivate', () => {
    const activities = [
      atLocal('2024-03-04T07:00:00', {id_str: '1', visibility: 'only_me', private: false}),
      atLocal('2024-03-04T08:00:00', {id_str: '2', visibility: 'everyone', private: true}),
      atLocal('2024-03-04T09:00:00', {id_str: '3', visibility: 'followers_only', private: false}),
    ]
    assert.deepEqual(
      digest('2024-W10', activities).activities.map((a) => [a.id, a.private]),
      [
        ['1', true],
        ['2', true],
        ['3', false],
      ],
    )
    assert.deepEqual(
      digest('2024-W10', activities, {excludePrivate: true}).activities.map((a) => a.id),
      ['3'],
    )
  })

  it('drops sport types case-insensitively', () => {
    const context = digest('2024-W10', week10Activities(), {excludeSportTypes: ['weighttraining', 'RIDE']})
    assert.deepEqual(
      context.sports.map((sport) => sport.sportType),
      ['Run', 'TrailRun'],
    )
    assert.equal(context.totals.count, 3)
  })
})

describe('buildDigest: a week is made of local dates', () => {
  it('keeps Sunday 23:30 in Los Angeles in its week though it is Monday in UTC', () => {
    const lateRun = recorded('2024-03-11T06:30:00Z', 'America/Los_Angeles')
    assert.equal(lateRun.start_date_local, '2024-03-10T23:30:00Z')
    assert.deepEqual(ids('2024-W10', [lateRun]), [lateRun.id_str])
    assert.deepEqual(ids('2024-W11', [lateRun]), [])
    assertFetched(week('2024-W10'), lateRun)
  })

  it('handles DST change days near midnight in Los Angeles, Berlin and Sydney', () => {
    const cases: [string, string, string, string][] = [
      // [UTC start, zone, expected local start, week]
      ['2024-03-10T06:59:00Z', 'America/Los_Angeles', '2024-03-09T22:59:00', '2024-W10'], // eve of spring forward
      ['2024-03-11T06:59:00Z', 'America/Los_Angeles', '2024-03-10T23:59:00', '2024-W10'], // Sunday after spring forward
      ['2024-11-04T07:30:00Z', 'America/Los_Angeles', '2024-11-03T23:30:00', '2024-W44'], // Sunday of fall back
      ['2024-11-04T08:00:00Z', 'America/Los_Angeles', '2024-11-04T00:00:00', '2024-W45'],
      ['2024-03-30T23:30:00Z', 'Europe/Berlin', '2024-03-31T00:30:00', '2024-W13'], // Sunday of spring forward
      ['2024-03-31T21:59:00Z', 'Europe/Berlin', '2024-03-31T23:59:00', '2024-W13'],
      ['2024-03-31T22:00:00Z', 'Europe/Berlin', '2024-04-01T00:00:00', '2024-W14'], // Monday 00:00 CEST
      ['2024-10-27T22:59:00Z', 'Europe/Berlin', '2024-10-27T23:59:00', '2024-W43'], // Sunday of fall back
      ['2024-04-07T13:59:00Z', 'Australia/Sydney', '2024-04-07T23:59:00', '2024-W14'], // Sunday DST ends
      ['2024-04-07T14:00:00Z', 'Australia/Sydney', '2024-04-08T00:00:00', '2024-W15'], // Monday, still Sunday in UTC
      ['2024-10-05T14:30:00Z', 'Australia/Sydney', '2024-10-06T00:30:00', '2024-W40'], // Sunday DST starts
      ['2024-10-06T13:00:00Z', 'Australia/Sydney', '2024-10-07T00:00:00', '2024-W41'],
    ]
    for (const [utcStart, zone, localStart, weekId] of cases) {
      const activity = recorded(utcStart, zone)
      assert.equal(activity.start_date_local, `${localStart}Z`, `${utcStart} in ${zone}`)
      const context = digest(weekId, [activity])
      assert.deepEqual(
        context.activities.map((a) => a.startLocal),
        [localStart],
        `${utcStart} in ${zone} belongs to ${weekId}`,
      )
      assert.equal(context.days.find((day) => day.date === localStart.slice(0, 10))?.activities.length, 1)
      assertFetched(week(weekId), activity)
    }
  })

  it('counts travel by the local date where it happened', () => {
    const tokyoMonday = recorded('2024-03-03T21:00:00Z', 'Asia/Tokyo') // Sunday in UTC
    const honoluluSunday = recorded('2024-03-11T08:00:00Z', 'Pacific/Honolulu') // Monday in UTC
    const kiritimatiMonday = recorded('2024-03-03T10:00:00Z', 'Pacific/Kiritimati') // UTC+14, 00:00 local
    const bakerSunday = recorded('2024-03-11T11:59:59Z', 'Etc/GMT+12') // UTC-12, 23:59:59 local
    const trip = [tokyoMonday, honoluluSunday, kiritimatiMonday, bakerSunday]
    assert.deepEqual(
      digest('2024-W10', trip).activities.map((a) => a.startLocal),
      ['2024-03-04T00:00:00', '2024-03-04T06:00:00', '2024-03-10T22:00:00', '2024-03-10T23:59:59'],
    )
    assert.deepEqual(ids('2024-W09', trip), [])
    assert.deepEqual(ids('2024-W11', trip), [])
    for (const activity of trip) assertFetched(week('2024-W10'), activity)
  })

  it('takes 00:00 and 23:59 local and hidden start times (00:00:01) by their date', () => {
    const edges = [
      atLocal('2024-03-04T00:00:00', {id_str: 'monday-midnight'}),
      atLocal('2024-03-10T23:59:59', {id_str: 'sunday-last-second'}),
      atLocal('2024-03-04T00:00:01', {id_str: 'hidden-monday'}),
      atLocal('2024-03-11T00:00:01', {id_str: 'hidden-next-monday'}),
      atLocal('2024-03-03T23:59:00', {id_str: 'previous-sunday'}),
    ]
    assert.deepEqual(ids('2024-W10', edges), ['monday-midnight', 'hidden-monday', 'sunday-last-second'])
  })

  it('crosses New Year in ISO week 1', () => {
    const eve = atLocal('2024-12-31T23:00:00', {id_str: 'eve'})
    const lastSunday = atLocal('2024-12-29T10:00:00', {id_str: 'w52'})
    assert.deepEqual(ids('2025-W01', [eve, lastSunday]), ['eve'])
    assert.deepEqual(ids('2024-W52', [eve, lastSunday]), ['w52'])
  })
})

describe('unitsFor', () => {
  it("follows the athlete's measurement preference", () => {
    assert.equal(unitsFor({id: 1, measurement_preference: 'feet'}), 'imperial')
    assert.equal(unitsFor({id: 1, measurement_preference: 'meters'}), 'metric')
    assert.equal(unitsFor({id: 1}), 'metric')
    assert.equal(unitsFor({}), 'metric')
  })
})

describe('groupByWeek', () => {
  it('splits one fetch into every requested week by local date', () => {
    const weeks = weeksInRange(week('2020-W52'), week('2021-W01'))
    const activities = [
      atLocal('2020-12-27T09:00:00', {id_str: 'w52-sunday'}),
      atLocal('2021-01-03T23:30:00', {id_str: 'w53-sunday'}),
      atLocal('2021-01-01T10:00:00', {id_str: 'w53-new-year'}),
      atLocal('2021-01-04T00:00:01', {id_str: 'w01-monday'}),
      atLocal('2021-01-11T07:00:00', {id_str: 'outside'}),
    ]
    const groups = groupByWeek(activities, weeks)
    assert.deepEqual(
      [...groups].map(([id, list]) => [id, list.map((activity) => activity.id_str)]),
      [
        ['2020-W52', ['w52-sunday']],
        ['2020-W53', ['w53-sunday', 'w53-new-year']],
        ['2021-W01', ['w01-monday']],
      ],
    )
    assert.deepEqual([...groupByWeek([], weeks).values()], [[], [], []])
  })
})

describe("buildDigest: the athlete's words, races and highlights", () => {
  const race = atLocal('2024-11-03T10:20:00', {
    id_str: '901',
    name: 'TCS New York City Marathon',
    workout_type: 1,
    pr_count: 2,
    achievement_count: 5,
    distance: 42_600,
    moving_time: 13_322,
  })
  const shakeOut = atLocal('2024-11-02T08:00:00', {id_str: '902', workout_type: 0, moving_time: 1440})
  const rideRace = atLocal('2024-11-01T08:00:00', {id_str: '903', sport_type: 'Ride', workout_type: 11})
  const details = new Map<string, DetailedActivity>([
    [
      '901',
      {
        ...race,
        description: '  Official time 3:42:02. Race got impossibly hard at mile 21.  ',
        photos: {count: 9, primary: {urls: {'100': 'https://cdn/x-128x96.jpg', '600': 'https://cdn/x-768x576.jpg'}}},
        private_note: 'Gel every 5 km.',
      },
    ],
    ['902', {...shakeOut, description: null, photos: {count: 0, primary: null}}],
  ])
  const week44 = digest('2024-W44', [race, shakeOut, rideRace], {details})
  const byId = (id: string) => week44.activities.find((activity) => activity.id === id)!

  it('marks races by workout_type (1 for runs, 11 for rides) and counts PRs and achievements', () => {
    assert.deepEqual(
      week44.activities.map((activity) => [activity.id, activity.race]),
      [
        ['903', true],
        ['902', false],
        ['901', true],
      ],
    )
    assert.equal(byId('901').prCount, 2)
    assert.equal(byId('901').achievementCount, 5)
  })

  it("takes the description, the primary photo's largest size and the private note from the details", () => {
    assert.equal(byId('901').description, 'Official time 3:42:02. Race got impossibly hard at mile 21.')
    assert.equal(byId('901').photoUrl, 'https://cdn/x-768x576.jpg')
    assert.equal(byId('901').privateNote, 'Gel every 5 km.')
    assert.equal(byId('902').description, '', 'a null description is empty once the details are read')
    assert.equal('photoUrl' in byId('902'), false)
    assert.equal('privateNote' in byId('902'), false)
    assert.equal('description' in byId('903'), false, 'absent without details')
  })

  it('highlights every race; without one, a long activity that stands out; never a private one', () => {
    assert.deepEqual(
      week44.highlights.map((activity) => activity.id),
      ['903', '901'],
    )
    const week10 = digest('2024-W10', week10Activities())
    assert.deepEqual(
      week10.highlights.map((activity) => activity.name),
      ['Long ride *hilly*'],
    )
    const evenWeek = digest('2024-W10', [
      atLocal('2024-03-04T07:00:00', {moving_time: 3600}),
      atLocal('2024-03-05T07:00:00', {moving_time: 4000}),
    ])
    assert.deepEqual(evenWeek.highlights, [])
    const privateRace = digest('2024-W44', [{...race, visibility: 'only_me', private: true}])
    assert.deepEqual(privateRace.highlights, [])
  })
})

describe('buildDigest: the weeks before', () => {
  // Daily 10 km runs from 2023-12-25 to 2024-03-08, none on Saturday 9 March; a ride on Sunday 10 March.
  const history: SummaryActivity[] = []
  for (let day = Date.parse('2023-12-25'); day <= Date.parse('2024-03-08'); day += 86_400_000) {
    history.push(atLocal(`${new Date(day).toISOString().slice(0, 10)}T07:00:00`, {distance: 10_000, moving_time: 3000}))
  }
  history.push(atLocal('2024-03-10T09:00:00', {sport_type: 'Ride', distance: 50_000, moving_time: 7200}))
  history.push(
    atLocal('2024-02-14T20:00:00', {
      sport_type: 'Walk',
      distance: 3000,
      moving_time: 1800,
      visibility: 'only_me',
      private: true,
    }),
  )
  const options = (generated = generatedAt) => ({
    history: {from: historyStart(week('2024-W10')), activities: history},
    generatedAt: generated,
  })
  const context = digest('2024-W10', history, options())

  it('looks back four weeks, or to 1 January when that is earlier', () => {
    assert.equal(historyStart(week('2024-W10')), '2024-01-01')
    assert.equal(historyStart(week('2024-W02')), '2023-12-11')
  })

  it('gives the previous week and the four-week average in the shape of totals', () => {
    assert.deepEqual(context.previousWeek, {
      count: 7,
      distance: 70_000,
      movingTime: 21_000,
      elapsedTime: 21_420,
      elevationGain: 0,
    })
    assert.deepEqual(context.fourWeekAverage, {
      count: 7.25,
      distance: 70_750,
      movingTime: 21_450,
      elapsedTime: 22_185,
      elevationGain: 0,
    })
  })

  it('sums the year to date by local date, per sport, from 1 January', () => {
    assert.equal(context.yearToDate?.year, 2024)
    assert.equal(context.yearToDate?.totals.count, 68 + 1 + 1)
    assert.deepEqual(
      context.yearToDate?.sports.map((sport) => [sport.sportType, sport.count, sport.distance]),
      [
        ['Run', 68, 680_000],
        ['Ride', 1, 50_000],
        ['Walk', 1, 3000],
      ],
    )
  })

  it('leaves excluded activities out of the comparisons as it does out of the week', () => {
    const strict = digest('2024-W10', history, {...options(), excludePrivate: true, excludeSportTypes: ['Ride']})
    assert.deepEqual(
      strict.yearToDate?.sports.map((sport) => sport.sportType),
      ['Run'],
    )
  })

  it("counts the streak up to the week's last day; a rest day ends it, today not yet", () => {
    assert.deepEqual(context.streak, {days: 1, since: '2024-03-10'}, 'Sunday active, Saturday rest')
    const restfulSunday = history.filter((activity) => !activity.start_date_local.startsWith('2024-03-10'))
    const withoutSunday = {...options(), history: {from: '2024-01-01', activities: restfulSunday}}
    assert.deepEqual(digest('2024-W10', restfulSunday, withoutSunday).streak, {days: 0})
    // Written on Saturday 9 March (the week still running): Saturday is not over, the streak runs to Friday,
    // counted from the first day of the history at hand.
    const saturday = digest('2024-W10', history, options(new Date(2024, 2, 9, 12)))
    assert.deepEqual(saturday.streak, {days: 68, since: '2024-01-01'})
  })

  it('has no comparison fields without a history', () => {
    const plain = digest('2024-W10', history)
    for (const key of ['previousWeek', 'fourWeekAverage', 'yearToDate', 'streak']) assert.equal(key in plain, false)
  })
})
