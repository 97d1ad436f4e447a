// Renders EmulatorActivity inputs as Strava's SummaryActivity JSON (the shape of the spec's
// /athlete/activities example), with the time fields Strava derives from the local start and zone.
import polylineCodec from '@googlemaps/polyline-codec'
import type {EmulatorActivity} from './types.js'

/** What the emulator keeps per activity: the exact JSON texts and what the list endpoint filters on. */
export interface StoredActivity {
  id: bigint
  /** UTC start in epoch seconds. */
  start: number
  onlyMe: boolean
  /** SummaryActivity, as /athlete/activities lists it. */
  json: string
  /** DetailedActivity, as GET /activities/{id} answers. */
  detailJson: string
}

const wallClockFormats = new Map<string, Intl.DateTimeFormat>()

/** The zone's offset from UTC in seconds at an instant, read off Intl's wall clock for that instant. */
export function utcOffsetAt(timeZone: string, epochMs: number): number {
  let format = wallClockFormats.get(timeZone)
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    })
    wallClockFormats.set(timeZone, format)
  }

  const part = Object.fromEntries(format.formatToParts(epochMs).map(({type, value}) => [type, Number(value)]))
  const wallAsUtc = Date.UTC(part.year, part.month - 1, part.day, part.hour, part.minute, part.second)
  return Math.round((wallAsUtc - Math.floor(epochMs / 1000) * 1000) / 1000)
}

/**
 * The UTC instant (ms) of a local wall time, trying the offsets in force a day before and a day after
 * (every DST change lies between them). Like Temporal's 'compatible' choice, a repeated wall time takes
 * the earlier instant and one inside a spring-forward gap moves forward, as a clock would.
 */
export function localToUtc(localStart: string, timeZone: string): number {
  const wallAsUtc = Date.parse(`${localStart}Z`)
  if (Number.isNaN(wallAsUtc)) throw new Error(`Invalid local start ${JSON.stringify(localStart)}`)
  const dayMs = 86_400_000
  const candidates = [wallAsUtc - dayMs, wallAsUtc + dayMs].map(
    (probe) => wallAsUtc - utcOffsetAt(timeZone, probe) * 1000,
  )
  const valid = candidates.filter((instant) => instant + utcOffsetAt(timeZone, instant) * 1000 === wallAsUtc)
  return valid.length > 0 ? Math.min(...valid) : candidates[0]
}

/** Strava labels the zone with its standard offset, e.g. "(GMT-08:00) America/Los_Angeles" even in summer. */
export function zoneLabel(timeZone: string, year: number): string {
  const standard = Math.min(utcOffsetAt(timeZone, Date.UTC(year, 0, 1)), utcOffsetAt(timeZone, Date.UTC(year, 6, 1)))
  const sign = standard < 0 ? '-' : '+'
  const minutes = Math.abs(standard) / 60
  const hh = String(Math.floor(minutes / 60)).padStart(2, '0')
  const mm = String(minutes % 60).padStart(2, '0')
  return `(GMT${sign}${hh}:${mm}) ${timeZone}`
}

/** Strava still sends the deprecated `type` next to `sport_type`; newer sport types map to an old one. */
const legacyTypes: Record<string, string> = {
  TrailRun: 'Run',
  MountainBikeRide: 'Ride',
  GravelRide: 'Ride',
  EMountainBikeRide: 'EBikeRide',
}
/** Strava's workout_type: 0 default run, 10 default ride; null for other sports. */
const defaultWorkoutTypes: Record<string, number> = {
  Run: 0,
  TrailRun: 0,
  Ride: 10,
  MountainBikeRide: 10,
  GravelRide: 10,
}
const indoorSports = new Set(['VirtualRide', 'VirtualRun', 'WeightTraining', 'Yoga', 'Workout'])

/** Where seed zones are, for start coordinates and location_country. */
const places: Record<string, {country: string; latlng: [number, number]}> = {
  'Europe/Berlin': {country: 'Germany', latlng: [52.5145, 13.3501]},
  'America/Los_Angeles': {country: 'United States', latlng: [34.1184, -118.3004]},
  'Asia/Tokyo': {country: 'Japan', latlng: [35.6852, 139.7528]},
  'Europe/London': {country: 'United Kingdom', latlng: [51.5079, -0.0877]},
  'America/New_York': {country: 'United States', latlng: [40.7812, -73.9665]},
}

const round = (value: number, digits: number) => Number(value.toFixed(digits))
const metresPerDegree = 111_320

/**
 * A plausible GPS track for the summary polyline: a wobbly loop of the activity's length that leaves
 * from `start` and drifts to `end`, encoded as Strava encodes it (Google's polyline format, 5 decimals).
 */
function routePolyline(start: number[], end: number[], distance: number, id: bigint): string {
  const points = 48
  const radius = distance / (2 * Math.PI)
  const heading = Number(id % 360n) * (Math.PI / 180)
  const cosLat = Math.cos((start[0] * Math.PI) / 180)
  const track: [number, number][] = []
  for (let i = 0; i <= points; i++) {
    const angle = heading + Math.PI + (2 * Math.PI * i) / points
    const r = radius * (1 + 0.18 * Math.sin(3 * angle + Number(id % 7n)))
    // The loop's centre lies `radius` from the start, so the first point is the start itself.
    const north = radius * Math.sin(heading) + r * Math.sin(angle)
    const east = radius * Math.cos(heading) + r * Math.cos(angle)
    const drift = i / points
    track.push([
      start[0] + north / metresPerDegree + drift * (end[0] - start[0]),
      start[1] + east / (metresPerDegree * cosLat) + drift * (end[1] - start[1]),
    ])
  }

  track[0] = [start[0], start[1]]
  return polylineCodec.encode(track, 5)
}

/** Strava serves photos from its CDN in two sizes: "100" (128x96) and "600" (768x576). */
function primaryPhoto(id: bigint, count: number) {
  if (count === 0) return {primary: null, count: 0}
  const token = `Bv93zv5t${id.toString(36)}`
  return {
    primary: {
      id: null,
      unique_id: `${id.toString(16).toUpperCase()}-204E-4867-9E8D-89FC79EAAE17`,
      urls: {
        '100': `https://dgtzuqphqg23d.cloudfront.net/${token}-128x96.jpg`,
        '600': `https://dgtzuqphqg23d.cloudfront.net/${token}-768x576.jpg`,
      },
      source: 1,
    },
    use_primary_photo: true,
    count,
  }
}

/** A small deterministic number from the id, so counters look varied but tests stay reproducible. */
const idDigit = (id: bigint, divisor: bigint, modulo: number) => Number((id / divisor) % BigInt(modulo))

/** Replaced by the exact digits in the JSON text, as a JSON number above 2^53 cannot be written from a number. */
const idPlaceholder = '@@activity-id@@'

interface Whereabouts {
  indoor: boolean
  country: string | null
  /** Empty indoors and in zones the seed has no place for. */
  latlng: number[]
  endLatlng: number[]
}

/** Where the activity starts and ends: the zone's place outdoors, nowhere indoors. */
function whereabouts(input: EmulatorActivity): Whereabouts {
  const indoor = indoorSports.has(input.sportType)
  const place = places[input.timeZone]
  const country = place?.country ?? null
  if (indoor || !place) return {indoor, country, latlng: [], endLatlng: []}
  const endLatlng = [round(place.latlng[0] + 0.0123, 4), round(place.latlng[1] - 0.0087, 4)]
  return {indoor, country, latlng: place.latlng, endLatlng}
}

/** Pool swims have a start point but no GPS track (''); without a start point there is no map (null). */
function summaryPolyline(input: EmulatorActivity, where: Whereabouts, id: bigint): string | null {
  if (!where.latlng.length) return null
  if (input.sportType === 'Swim' || !(input.distance > 0)) return ''
  return routePolyline(where.latlng, where.endLatlng, input.distance, id)
}

const heartrateFields = (average: number | undefined) =>
  average === undefined
    ? {has_heartrate: false}
    : {has_heartrate: true, average_heartrate: average, max_heartrate: Math.round(average * 1.17)}

/** The start fields Strava derives from the local start and the zone. */
const startFields = (input: EmulatorActivity, startMs: number) => ({
  start_date: new Date(startMs).toISOString().replace('.000Z', 'Z'),
  // Local wall time with a misleading 'Z', exactly as Strava writes it.
  start_date_local: `${input.localStart}Z`,
  timezone: zoneLabel(input.timeZone, new Date(startMs).getUTCFullYear()),
  utc_offset: utcOffsetAt(input.timeZone, startMs),
})

const gearId = (sportType: string) =>
  sportType.includes('Run') ? 'g12345678' : sportType.includes('Ride') ? 'b9876543' : null

/** SummaryActivity, keys in the order Strava sends them; the id is a placeholder for the exact digits. */
function summaryActivity(input: EmulatorActivity, id: bigint, athleteId: number, startMs: number, where: Whereabouts) {
  const averageSpeed = input.movingTime > 0 ? round(input.distance / input.movingTime, 3) : 0
  const elevationGain = input.elevationGain ?? 0
  const visibility = input.visibility ?? 'everyone'
  return {
    resource_state: 2,
    athlete: {id: athleteId, resource_state: 1},
    name: input.name,
    distance: input.distance,
    moving_time: input.movingTime,
    elapsed_time: input.elapsedTime ?? input.movingTime,
    total_elevation_gain: elevationGain,
    type: legacyTypes[input.sportType] ?? input.sportType,
    sport_type: input.sportType,
    workout_type: input.workoutType ?? defaultWorkoutTypes[input.sportType] ?? null,
    id: idPlaceholder,
    external_id: where.indoor ? null : `garmin_ping_${id}`,
    upload_id: where.indoor ? null : Number(id % 10_000_000_000n) + 1_000_000_000,
    ...startFields(input, startMs),
    location_city: null,
    location_state: null,
    location_country: where.country,
    achievement_count: idDigit(id, 7n, 4),
    kudos_count: idDigit(id, 3n, 12),
    comment_count: idDigit(id, 11n, 3),
    athlete_count: 1,
    photo_count: 0,
    map: {id: `a${id}`, summary_polyline: summaryPolyline(input, where, id), resource_state: 2},
    trainer: input.sportType.startsWith('Virtual'),
    commute: false,
    manual: false,
    private: visibility === 'only_me',
    visibility,
    flagged: false,
    gear_id: gearId(input.sportType),
    start_latlng: where.latlng,
    end_latlng: where.endLatlng,
    average_speed: averageSpeed,
    max_speed: round(averageSpeed * 1.45, 3),
    ...heartrateFields(input.averageHeartrate),
    ...(where.latlng.length ? {elev_high: round(34 + elevationGain / 2, 1), elev_low: 34} : {}),
    pr_count: idDigit(id, 13n, 3),
    total_photo_count: input.photoCount ?? 0,
    has_kudoed: false,
  }
}

/** DetailedActivity: resource_state 3 and the fields only it has (the spec's example order). */
function detailedActivity(
  summary: ReturnType<typeof summaryActivity>,
  input: EmulatorActivity,
  id: bigint,
  indoor: boolean,
) {
  return {
    ...summary,
    resource_state: 3,
    map: {...summary.map, polyline: summary.map.summary_polyline, resource_state: 3},
    description: input.description ?? '',
    calories: Math.round(input.movingTime / 6),
    photos: primaryPhoto(id, input.photoCount ?? 0),
    device_name: indoor ? null : 'Garmin Forerunner 965',
    ...(input.privateNote === undefined ? {} : {private_note: input.privateNote}),
  }
}

export function renderActivity(input: EmulatorActivity, id: bigint, athleteId: number): StoredActivity {
  const startMs = localToUtc(input.localStart, input.timeZone)
  const where = whereabouts(input)
  const summary = summaryActivity(input, id, athleteId, startMs, where)
  const withId = (value: object) => JSON.stringify(value).replace(`"id":"${idPlaceholder}"`, `"id":${id}`)
  return {
    id,
    start: Math.floor(startMs / 1000),
    onlyMe: summary.visibility === 'only_me',
    json: withId(summary),
    detailJson: withId(detailedActivity(summary, input, id, where.indoor)),
  }
}

/**
 * `count` activities spread over the seven days from `weekStart` (a Monday, 'YYYY-MM-DD'), between
 * 06:00 and 22:00 local time, each at a distinct start: enough for paging tests of any size.
 */
export function makeActivities(
  count: number,
  {
    weekStart,
    timeZone = 'Europe/Berlin',
    sportType = 'Run',
  }: {weekStart: string; timeZone?: string; sportType?: string},
): EmulatorActivity[] {
  const firstDay = Date.parse(`${weekStart}T00:00:00Z`)
  if (Number.isNaN(firstDay)) throw new Error(`Invalid week start ${JSON.stringify(weekStart)}`)
  const perDay = Math.ceil(count / 7)
  const stepSeconds = Math.max(1, Math.floor((16 * 3600) / perDay))
  return Array.from({length: count}, (_, index) => {
    const day = index % 7
    const slot = Math.floor(index / 7)
    const wallClock = firstDay + (day * 86_400 + 6 * 3600 + slot * stepSeconds) * 1000
    const distance = 5000 + (index % 10) * 1000
    return {
      name: `${sportType} ${index + 1}`,
      sportType,
      localStart: new Date(wallClock).toISOString().slice(0, 19),
      timeZone,
      distance,
      movingTime: Math.round(distance / 2.9),
      elapsedTime: Math.round(distance / 2.8),
      elevationGain: (index % 5) * 20,
    }
  })
}
