// The 'demo' seed: one athlete in Berlin and six weeks of training (2024-W08 to 2024-W13) with trips
// to Tokyo and Los Angeles, both DST changes of March 2024 (US on the 10th, Europe on the 31st), a
// private (only_me) walk, a hidden start time and an id above 2^53. 2024-W10 is the README's demo week.
// Then a marathon build-up (2024-W42, W43) and race week in New York (2024-W44): descriptions, photos,
// a race and private notes, as GET /activities/{id} shows them.
import type {EmulatorActivity} from './types.js'

export const demoAthlete: Record<string, unknown> = {
  id: 48213764,
  username: 'lena_hoffmann',
  resource_state: 3,
  firstname: 'Lena',
  lastname: 'Hoffmann',
  bio: 'Runner, occasional triathlete, weekly notes on my blog.',
  city: 'Berlin',
  state: 'Berlin',
  country: 'Germany',
  sex: 'F',
  premium: true,
  summit: true,
  created_at: '2019-04-12T17:03:22Z',
  updated_at: '2024-03-31T10:12:45Z',
  badge_type_id: 1,
  weight: 61.0,
  measurement_preference: 'meters',
  profile_medium: 'https://dgalywyr863hv.cloudfront.net/pictures/athletes/48213764/12083342/3/medium.jpg',
  profile: 'https://dgalywyr863hv.cloudfront.net/pictures/athletes/48213764/12083342/3/large.jpg',
  friend: null,
  follower: null,
}

/** An activity id above Number.MAX_SAFE_INTEGER: JSON.parse would turn it into ...992. */
export const bigActivityId = '18014398509481993'

const berlin = 'Europe/Berlin'
const losAngeles = 'America/Los_Angeles'
const tokyo = 'Asia/Tokyo'
const newYork = 'America/New_York'

type Row = [
  localStart: string,
  timeZone: string,
  sportType: string,
  name: string,
  km: number,
  minutes: number,
  elevation: number,
  heartrate?: number,
  extra?: Partial<EmulatorActivity>,
]

const rows: Row[] = [
  // 2024-W08: Tokyo trip. Monday 07:00 in Tokyo is still Sunday in UTC (previous ISO week).
  ['2024-02-19T07:00:00', tokyo, 'Run', 'Imperial Palace loop', 10.2, 52, 35, 148],
  ['2024-02-20T06:30:00', tokyo, 'Run', 'Sumida river easy', 8.1, 44, 12, 139],
  ['2024-02-21T19:00:00', tokyo, 'WeightTraining', 'Hotel gym', 0, 35, 0],
  ['2024-02-23T18:00:00', berlin, 'Swim', 'Stadtbad Neukölln', 2.2, 48, 0],
  ['2024-02-24T09:30:00', berlin, 'Ride', 'Grunewald loop', 62.4, 130, 310, 132],
  ['2024-02-25T08:00:00', berlin, 'Run', 'Long run in the Tiergarten', 21.3, 112, 48, 146],
  // 2024-W09
  ['2024-02-26T18:30:00', berlin, 'VirtualRide', 'Zwift - Watopia flat route', 32.5, 60, 95, 141],
  ['2024-02-27T07:00:00', berlin, 'Run', 'Intervals 6x800 m', 9.4, 47, 20, 155],
  ['2024-02-28T12:15:00', berlin, 'Walk', 'Lunch walk', 3.1, 38, 5],
  ['2024-02-29T19:00:00', berlin, 'Swim', 'Technique swim', 1.8, 40, 0],
  ['2024-03-01T07:00:00', berlin, 'Run', 'Easy Friday run', 7.5, 41, 15, 138],
  ['2024-03-02T10:00:00', berlin, 'Ride', 'Havelchaussee hills', 78.0, 165, 520, 136],
  ['2024-03-03T09:00:00', berlin, 'Run', 'Sunday long run', 24.0, 125, 60, 147],
  // 2024-W10, the demo week: Berlin from Monday, Los Angeles from Friday; US DST starts Sunday 02:00.
  [
    '2024-03-04T07:00:00',
    berlin,
    'Run',
    'Morning run',
    10.0,
    50.67,
    42,
    145,
    {id: bigActivityId, description: 'Easy start to the week. Still felt Sunday in my legs.'},
  ],
  ['2024-03-04T18:30:00', berlin, 'WeightTraining', 'Strength: legs and core', 0, 45, 0, 118],
  ['2024-03-05T06:45:00', berlin, 'Swim', 'Early swim', 2.5, 52, 0],
  ['2024-03-05T19:15:00', berlin, 'VirtualRide', 'Zwift race', 35.2, 58, 210, 158],
  [
    '2024-03-06T07:00:00',
    berlin,
    'Run',
    'Tempo 3x2 km',
    12.1,
    56,
    30,
    156,
    {description: 'Splits 8:24, 8:18, 8:10. Windy on the back straight.'},
  ],
  ['2024-03-06T20:00:00', berlin, 'Walk', 'Evening walk', 4.2, 52, 8, undefined, {visibility: 'only_me'}],
  [
    '2024-03-07T12:30:00',
    berlin,
    'Ride',
    'Lunch ride',
    28.0,
    62,
    120,
    130,
    {privateNote: 'Knee niggle: check the saddle height.'},
  ],
  ['2024-03-08T17:00:00', losAngeles, 'Walk', 'Santa Monica pier walk', 5.6, 70, 10],
  [
    '2024-03-09T08:00:00',
    losAngeles,
    'TrailRun',
    'Griffith Park trails',
    14.8,
    95,
    620,
    150,
    // User text with Markdown and HTML in it: the note must show it as text.
    {description: 'Up to the *observatory* | down via [Ferndell](x). <b>Hot</b> already at 9!', photoCount: 1},
  ],
  [
    '2024-03-10T09:30:00',
    losAngeles,
    'Ride',
    'PCH to Malibu',
    64.0,
    140,
    450,
    134,
    {description: 'Coffee stop in Malibu. Headwind all the way back.', photoCount: 2},
  ],
  // Sunday 23:30 in Los Angeles is Monday 06:30 UTC; it still belongs to 2024-W10.
  ['2024-03-10T23:30:00', losAngeles, 'Run', 'Jet-lag midnight run', 6.2, 33, 18, 142],
  // 2024-W11: Los Angeles, then home.
  ['2024-03-12T06:30:00', losAngeles, 'Run', 'Venice Beach run', 11.0, 58, 9, 144],
  ['2024-03-13T17:30:00', losAngeles, 'Swim', 'Pool swim', 2.0, 45, 0],
  ['2024-03-16T10:00:00', berlin, 'Run', 'Back home shakeout', 8.0, 45, 14, 140],
  ['2024-03-17T09:00:00', berlin, 'Ride', 'Sunday group ride', 85.0, 180, 410, 131, {visibility: 'followers_only'}],
  // 2024-W12: the start time of the strength session is hidden; Strava then shows 00:00:01 local.
  ['2024-03-18T00:00:01', berlin, 'WeightTraining', 'Strength session', 0, 40, 0],
  ['2024-03-19T07:00:00', berlin, 'Run', 'Hill repeats', 10.5, 55, 180, 152],
  ['2024-03-20T19:00:00', berlin, 'Swim', 'Endurance swim', 2.4, 50, 0],
  ['2024-03-21T18:30:00', berlin, 'VirtualRide', 'Zwift - Innsbruck', 40.0, 70, 480, 143],
  ['2024-03-23T08:30:00', berlin, 'TrailRun', 'Müggelberge trail', 16.0, 100, 290, 149],
  ['2024-03-24T10:00:00', berlin, 'Walk', 'Family walk', 6.0, 80, 20],
  // 2024-W13: Europe switches to summer time on Sunday 2024-03-31 at 02:00.
  ['2024-03-25T07:00:00', berlin, 'Run', 'Recovery run', 7.0, 40, 12, 135],
  ['2024-03-27T18:00:00', berlin, 'Ride', 'After-work ride', 45.0, 95, 220, 133],
  ['2024-03-29T07:30:00', berlin, 'Swim', 'Good Friday swim', 2.0, 42, 0],
  ['2024-03-30T23:30:00', berlin, 'Run', 'Late run before the clocks change', 5.0, 27, 10, 141],
  ['2024-03-31T09:00:00', berlin, 'Run', 'Long run, first day of summer time', 26.0, 138, 70, 148],
  // 2024-W42 to W44: a marathon build-up, then race week in New York (the race on Sunday 3 November,
  // the day the US clocks go back).
  ['2024-10-15T07:00:00', berlin, 'Run', 'Easy run', 10.0, 55, 20, 139],
  ['2024-10-17T07:00:00', berlin, 'Run', 'Marathon pace 3x5 km', 18.0, 92, 35, 154],
  ['2024-10-19T09:00:00', berlin, 'Ride', 'Recovery spin', 40.0, 95, 150, 122],
  ['2024-10-20T08:00:00', berlin, 'Run', 'Last long run', 30.0, 160, 80, 148],
  ['2024-10-22T07:00:00', berlin, 'Run', 'Easy run', 10.0, 56, 20, 138],
  ['2024-10-24T07:00:00', berlin, 'Run', 'Tempo 8 km', 12.0, 60, 25, 152],
  ['2024-10-26T09:00:00', berlin, 'Run', 'Taper long run', 21.0, 112, 45, 145],
  ['2024-10-28T07:00:00', berlin, 'Run', 'Taper: easy with strides', 8.0, 44, 15, 137],
  ['2024-10-30T07:00:00', berlin, 'Run', 'Last sharpening: 3x2 km', 10.0, 50, 20, 150],
  [
    '2024-11-01T07:30:00',
    newYork,
    'Run',
    'Shake-out in Central Park',
    5.2,
    30,
    40,
    136,
    {description: 'Legs feel fresh after the flight. Expo done, bib collected.', photoCount: 1},
  ],
  ['2024-11-02T08:00:00', newYork, 'Run', 'Pre-race shake-out', 4.0, 24, 15, 134],
  [
    '2024-11-03T10:20:00',
    newYork,
    'Run',
    'TCS New York City Marathon',
    42.6,
    222.03,
    260,
    162,
    {
      workoutType: 1,
      description:
        'Official time 3:42:02. Race got impossibly hard at mile 21, but the crowds in the Bronx carried me home. Five boroughs, one very happy runner.',
      photoCount: 9,
      privateNote: 'Gel every 5 km worked; left calf tight from mile 18.',
    },
  ],
]

/** Seed ids look like Strava's 2024 ids and grow with time, as Strava's do. */
const firstSeedId = 10_812_000_000n

export function demoActivities(): EmulatorActivity[] {
  return rows.map(([localStart, timeZone, sportType, name, km, minutes, elevation, heartrate, extra], index) => {
    const movingTime = Math.round(minutes * 60)
    return {
      id: String(firstSeedId + BigInt(index) * 7_919n),
      name,
      sportType,
      localStart,
      timeZone,
      distance: Math.round(km * 1000 * 10) / 10,
      movingTime,
      // Stops at lights and cafés: elapsed a little longer than moving for outdoor sports.
      elapsedTime: timeZone === berlin && km > 20 ? movingTime + 540 : movingTime + 60,
      elevationGain: elevation,
      ...(heartrate === undefined ? {} : {averageHeartrate: heartrate}),
      ...extra,
    }
  })
}
