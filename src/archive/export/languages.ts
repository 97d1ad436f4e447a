// The languages of Strava's bulk export. The account's language decides the headers of activities.csv,
// the activity type names, the number format of display columns and the `Activity Date` format. Each
// language here says how to read all four; nothing is guessed with Date.parse or locale-dependent APIs.

/** The activities.csv fields the import reads. `Second` fields are the second column of a duplicated name. */
export type ActivityField =
  | 'id'
  | 'date'
  | 'name'
  | 'type'
  | 'description'
  | 'privateNote'
  | 'filename'
  | 'elapsedTime'
  | 'elapsedTimeSecond'
  | 'distance'
  | 'distanceSecond'
  | 'movingTime'
  | 'averageSpeed'
  | 'elevationGain'
  | 'averageHeartrate'
  | 'commute'

export type ProfileField = 'athleteId' | 'firstname' | 'lastname' | 'sex' | 'city' | 'state' | 'country'

export interface ExportLanguage {
  /** BCP 47 tag, for --json. */
  code: string
  /** English name, for messages. */
  name: string
  /** Header spellings per field (compared after normalizeHeader). The first is the current one. */
  headers: Record<ActivityField, string[]>
  profileHeaders: Record<ProfileField, string[]>
  /** `Activity Date` (UTC) as epoch ms, or undefined when the text is not in this language's format. */
  parseDate(text: string): number | undefined
  /** A number as the export's display columns write it in this language. */
  parseDisplayNumber(text: string): number | undefined
  /** Localised activity type names to Strava sport types (keys normalised with normalizeHeader). */
  sportTypes: Record<string, string>
}

/** Lower case, letters and digits only: `Max. Herzfrequenz` and `max herzfrequenz` compare equal. */
export function normalizeHeader(text: string): string {
  return text
    .normalize('NFC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '')
}

const ENGLISH_MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec']

/** `Nov 4, 2018, 2:53:46 PM` (newer exports may put a narrow no-break space before PM). */
function parseEnglishDate(text: string): number | undefined {
  const match =
    /^([A-Za-z]{3})[a-z]* (\d{1,2}), (\d{4}),? (\d{1,2}):(\d{2}):(\d{2})[\s\u00a0\u202f]*([AaPp][Mm])$/.exec(
      text.trim(),
    )
  if (!match) return undefined
  const month = ENGLISH_MONTHS.indexOf(match[1].toLowerCase())
  const hour12 = Number(match[4])
  if (month < 0 || hour12 < 1 || hour12 > 12) return undefined
  const hour = (hour12 % 12) + (match[7].toUpperCase() === 'PM' ? 12 : 0)
  return utc(Number(match[3]), month, Number(match[2]), hour, Number(match[5]), Number(match[6]))
}

/** `04.11.2018, 14:53:46`. */
function parseGermanDate(text: string): number | undefined {
  const match = /^(\d{1,2})\.(\d{1,2})\.(\d{4}),? (\d{1,2}):(\d{2}):(\d{2})$/.exec(text.trim())
  if (!match) return undefined
  return utc(
    Number(match[3]),
    Number(match[2]) - 1,
    Number(match[1]),
    Number(match[4]),
    Number(match[5]),
    Number(match[6]),
  )
}

/** Epoch ms of a UTC wall-clock time, or undefined when a part is out of range (31 February, 25:00). */
function utc(year: number, month: number, day: number, hour: number, minute: number, second: number) {
  const ms = Date.UTC(year, month, day, hour, minute, second)
  const date = new Date(ms)
  const valid =
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month &&
    date.getUTCDate() === day &&
    hour < 24 &&
    minute < 60 &&
    second < 60
  return valid ? ms : undefined
}

/** `1,500.25` (English display numbers: comma groups thousands). */
function parseEnglishNumber(text: string): number | undefined {
  const cleaned = text.trim().replaceAll(',', '')
  return /^-?\d+(\.\d+)?$/.test(cleaned) ? Number(cleaned) : undefined
}

/** `1.500,25` (German display numbers: dot groups thousands, comma is the decimal mark). */
function parseGermanNumber(text: string): number | undefined {
  const cleaned = text.trim().replaceAll('.', '').replace(',', '.')
  return /^-?\d+(\.\d+)?$/.test(cleaned) ? Number(cleaned) : undefined
}

/** Strava's sport types in the English export, where they are written with spaces ("Virtual Ride"). */
const STRAVA_SPORT_TYPES = [
  'AlpineSki',
  'BackcountrySki',
  'Badminton',
  'Basketball',
  'Canoeing',
  'Cricket',
  'Crossfit',
  'Dance',
  'EBikeRide',
  'Elliptical',
  'EMountainBikeRide',
  'Golf',
  'GravelRide',
  'Handcycle',
  'HighIntensityIntervalTraining',
  'Hike',
  'IceSkate',
  'InlineSkate',
  'Kayaking',
  'Kitesurf',
  'MountainBikeRide',
  'NordicSki',
  'Padel',
  'PhysicalTherapy',
  'Pickleball',
  'Pilates',
  'Racquetball',
  'Ride',
  'RockClimbing',
  'RollerSki',
  'Rowing',
  'Run',
  'Sail',
  'Skateboard',
  'Snowboard',
  'Snowshoe',
  'Soccer',
  'Squash',
  'StairStepper',
  'StandUpPaddling',
  'Surfing',
  'Swim',
  'TableTennis',
  'Tennis',
  'TrailRun',
  'Velomobile',
  'VirtualRide',
  'VirtualRow',
  'VirtualRun',
  'Volleyball',
  'Walk',
  'WeightTraining',
  'Wheelchair',
  'Windsurf',
  'Workout',
  'Yoga',
]

const byNormalizedName = (entries: [string, string][]) =>
  Object.fromEntries(entries.map(([name, sportType]) => [normalizeHeader(name), sportType]))

const ENGLISH_SPORT_TYPES = byNormalizedName([
  ...STRAVA_SPORT_TYPES.map((type): [string, string] => [type, type]),
  ['E-Bike Ride', 'EBikeRide'],
  ['E-Mountain Bike Ride', 'EMountainBikeRide'],
  ['HIIT', 'HighIntensityIntervalTraining'],
  ['Ice Skate', 'IceSkate'],
  ['Stair-Stepper', 'StairStepper'],
  ['Weight Training', 'WeightTraining'],
  ['Kayaking', 'Kayaking'],
  ['Canoe', 'Canoeing'],
  ['Kitesurf Session', 'Kitesurf'],
  ['Windsurf Session', 'Windsurf'],
  ['Surfing', 'Surfing'],
  ['Virtual Rowing', 'VirtualRow'],
])

const GERMAN_SPORT_TYPES = byNormalizedName([
  ['Lauf', 'Run'],
  ['Laufen', 'Run'],
  ['Radfahrt', 'Ride'],
  ['Radfahren', 'Ride'],
  ['Schwimmen', 'Swim'],
  ['Wanderung', 'Hike'],
  ['Wandern', 'Hike'],
  ['Spaziergang', 'Walk'],
  ['Gehen', 'Walk'],
  ['Virtuelle Radfahrt', 'VirtualRide'],
  ['Virtueller Lauf', 'VirtualRun'],
  ['Trailrun', 'TrailRun'],
  ['Traillauf', 'TrailRun'],
  ['Mountainbike-Fahrt', 'MountainBikeRide'],
  ['Mountainbiken', 'MountainBikeRide'],
  ['Gravel-Fahrt', 'GravelRide'],
  ['Gravelfahrt', 'GravelRide'],
  ['E-Bike-Fahrt', 'EBikeRide'],
  ['E-Mountainbike-Fahrt', 'EMountainBikeRide'],
  ['Krafttraining', 'WeightTraining'],
  ['Workout', 'Workout'],
  ['Training', 'Workout'],
  ['Yoga', 'Yoga'],
  ['Pilates', 'Pilates'],
  ['Crosstrainer', 'Elliptical'],
  ['Rudern', 'Rowing'],
  ['Virtuelles Rudern', 'VirtualRow'],
  ['Kanufahren', 'Canoeing'],
  ['Kajakfahren', 'Kayaking'],
  ['Stand-up-Paddling', 'StandUpPaddling'],
  ['Ski Alpin', 'AlpineSki'],
  ['Alpinski', 'AlpineSki'],
  ['Skitour', 'BackcountrySki'],
  ['Langlauf', 'NordicSki'],
  ['Skilanglauf', 'NordicSki'],
  ['Schneeschuhwandern', 'Snowshoe'],
  ['Snowboarden', 'Snowboard'],
  ['Eislaufen', 'IceSkate'],
  ['Inlineskaten', 'InlineSkate'],
  ['Klettern', 'RockClimbing'],
  ['Felsklettern', 'RockClimbing'],
  ['Rollski', 'RollerSki'],
  ['Segeln', 'Sail'],
  ['Surfen', 'Surfing'],
  ['Windsurfen', 'Windsurf'],
  ['Kitesurfen', 'Kitesurf'],
  ['Fußball', 'Soccer'],
  ['Tennis', 'Tennis'],
  ['Tischtennis', 'TableTennis'],
  ['Golf', 'Golf'],
  ['Tanzen', 'Dance'],
  ['Rollstuhl', 'Wheelchair'],
  ['Handbike', 'Handcycle'],
  ['Treppensteiger', 'StairStepper'],
  ['Hochintensives Intervalltraining', 'HighIntensityIntervalTraining'],
])

const ENGLISH: ExportLanguage = {
  code: 'en',
  name: 'English',
  headers: {
    id: ['Activity ID'],
    date: ['Activity Date'],
    name: ['Activity Name'],
    type: ['Activity Type'],
    description: ['Activity Description'],
    privateNote: ['Activity Private Note'],
    filename: ['Filename'],
    elapsedTime: ['Elapsed Time'],
    elapsedTimeSecond: ['Elapsed Time'],
    distance: ['Distance'],
    distanceSecond: ['Distance'],
    movingTime: ['Moving Time'],
    averageSpeed: ['Average Speed'],
    elevationGain: ['Elevation Gain'],
    averageHeartrate: ['Average Heart Rate'],
    commute: ['Commute'],
  },
  profileHeaders: {
    athleteId: ['Athlete ID'],
    firstname: ['First Name'],
    lastname: ['Last Name'],
    sex: ['Sex'],
    city: ['City'],
    state: ['State'],
    country: ['Country'],
  },
  parseDate: parseEnglishDate,
  parseDisplayNumber: parseEnglishNumber,
  sportTypes: ENGLISH_SPORT_TYPES,
}

const GERMAN: ExportLanguage = {
  code: 'de',
  name: 'German',
  headers: {
    id: ['Aktivitäts-ID'],
    date: ['Aktivitätsdatum', 'Datum der Aktivität'],
    name: ['Name der Aktivität', 'Aktivitätsname'],
    type: ['Aktivitätsart', 'Aktivitätstyp'],
    description: ['Aktivitätsbeschreibung', 'Beschreibung der Aktivität'],
    privateNote: ['Private Notiz zur Aktivität', 'Private Aktivitätsnotiz', 'Private Notiz'],
    filename: ['Dateiname'],
    elapsedTime: ['Verstrichene Zeit'],
    elapsedTimeSecond: ['Verstrichene Zeit'],
    distance: ['Distanz', 'Entfernung'],
    distanceSecond: ['Distanz', 'Entfernung'],
    movingTime: ['Bewegungszeit'],
    averageSpeed: ['Durchschnittliche Geschwindigkeit', 'Durchschnittsgeschwindigkeit'],
    elevationGain: ['Höhenzunahme', 'Höhenmeter'],
    averageHeartrate: ['Durchschnittliche Herzfrequenz'],
    commute: ['Pendeln', 'Arbeitsweg'],
  },
  profileHeaders: {
    athleteId: ['Athleten-ID', 'Sportler-ID'],
    firstname: ['Vorname'],
    lastname: ['Nachname'],
    sex: ['Geschlecht'],
    city: ['Stadt', 'Ort'],
    state: ['Bundesland', 'Staat', 'Region'],
    country: ['Land'],
  },
  parseDate: parseGermanDate,
  parseDisplayNumber: parseGermanNumber,
  sportTypes: GERMAN_SPORT_TYPES,
}

export const LANGUAGES: ExportLanguage[] = [ENGLISH, GERMAN]

/**
 * What the first column (`Activity ID`) is called in languages Strava offers but the import does not read
 * yet, so that an unsupported export is named rather than called unreadable.
 */
export const UNSUPPORTED_LANGUAGES: Record<string, string> = Object.fromEntries(
  (
    [
      ['ID de l’activité', 'French'],
      ["ID de l'activité", 'French'],
      ['ID de actividad', 'Spanish'],
      ['ID de la actividad', 'Spanish'],
      ['ID attività', 'Italian'],
      ['ID dell’attività', 'Italian'],
      ['Activiteit-ID', 'Dutch'],
      ['Activiteits-ID', 'Dutch'],
      ['ID da atividade', 'Portuguese'],
      ['ID aktywności', 'Polish'],
      ['Aktivitets-ID', 'Swedish or Norwegian or Danish'],
      ['ID активности', 'Russian'],
      ['アクティビティID', 'Japanese'],
      ['活动 ID', 'Chinese'],
      ['活動 ID', 'Chinese'],
      ['활동 ID', 'Korean'],
    ] as [string, string][]
  ).map(([header, language]) => [normalizeHeader(header), language]),
)
