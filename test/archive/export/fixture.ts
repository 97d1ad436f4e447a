// Builds Strava bulk exports for tests from the documented format (nothing copied from real exports):
// activities.csv with English or German headers in several layouts (duplicated names, HTML
// translation_missing headers), profile.csv, and GPX/TCX/FIT files, gzipped or not, in a folder and a
// ZIP (yazl). FIT files are written with fit-file-parser's FitEncoder (MIT).
import {createWriteStream} from 'node:fs'
import {mkdir, writeFile} from 'node:fs/promises'
import {dirname, join} from 'node:path'
import {pipeline} from 'node:stream/promises'
import {gzipSync} from 'node:zlib'

import {FitBaseType, FitEncoder} from 'fit-file-parser/encoder'
import yazl from 'yazl'

export type Language = 'en' | 'de'
/** Column layouts seen in exports: 10 (2019), 87 (before private notes), 103 (2024 on). */
export type Layout = 10 | 87 | 103

export interface FixtureActivity {
  id: string
  /** UTC start. */
  start: Date
  name: string
  /** As the export writes it, e.g. 'Run', 'Virtual Ride', 'Lauf'. */
  type: string
  description?: string
  privateNote?: string
  distance: number
  /** Display distance as the export writes it (the first `Distance` column); default: km with 2 decimals. */
  displayDistance?: string
  elapsedTime: number
  movingTime?: number
  elevationGain?: number
  averageSpeed?: number
  averageHeartrate?: number
  /** The Filename column; the file itself is written unless `missing`. */
  file?: {name: string; content?: Buffer | string; missing?: boolean}
  /** A raw line written instead of this row (e.g. an `#error#` row). */
  rawLine?: string
}

export interface FixtureOptions {
  language?: Language
  layout?: Layout
  athlete?: {id: string; firstname: string; lastname: string} | null
  /** Line break between rows. */
  newline?: '\n' | '\r\n'
  /** Put every file under this folder inside the ZIP. */
  zipPrefix?: string
}

const NAMES = {
  en: {
    id: 'Activity ID',
    date: 'Activity Date',
    name: 'Activity Name',
    type: 'Activity Type',
    description: 'Activity Description',
    elapsed: 'Elapsed Time',
    distance: 'Distance',
    maxHr: 'Max Heart Rate',
    effort: 'Relative Effort',
    commute: 'Commute',
    privateNote: 'Activity Private Note',
    gear: 'Activity Gear',
    filename: 'Filename',
    moving: 'Moving Time',
    speed: 'Average Speed',
    gain: 'Elevation Gain',
    avgHr: 'Average Heart Rate',
    athleteId: 'Athlete ID',
    email: 'Email Address',
    first: 'First Name',
    last: 'Last Name',
  },
  de: {
    id: 'Aktivitäts-ID',
    date: 'Aktivitätsdatum',
    name: 'Name der Aktivität',
    type: 'Aktivitätsart',
    description: 'Aktivitätsbeschreibung',
    elapsed: 'Verstrichene Zeit',
    distance: 'Distanz',
    maxHr: 'Max. Herzfrequenz',
    effort: 'Relative Leistung',
    commute: 'Pendeln',
    privateNote: 'Private Notiz zur Aktivität',
    gear: 'Aktivitätsausrüstung',
    filename: 'Dateiname',
    moving: 'Bewegungszeit',
    speed: 'Durchschnittliche Geschwindigkeit',
    gain: 'Höhenzunahme',
    avgHr: 'Durchschnittliche Herzfrequenz',
    athleteId: 'Athleten-ID',
    email: 'E-Mail-Adresse',
    first: 'Vorname',
    last: 'Nachname',
  },
}

type Column = keyof (typeof NAMES)['en'] | 'filler'

/** The layout's columns: the known ones by name, padded to the layout's count with other columns. */
function layoutColumns(layout: Layout): Column[] {
  if (layout === 10) {
    return ['id', 'date', 'name', 'type', 'description', 'elapsed', 'distance', 'commute', 'gear', 'filename']
  }

  const head: Column[] = ['id', 'date', 'name', 'type', 'description', 'elapsed', 'distance', 'maxHr', 'effort']
  head.push('commute', ...(layout === 103 ? (['privateNote'] as Column[]) : []), 'gear', 'filename', 'filler', 'filler')
  const tail: Column[] = [
    'elapsed',
    'moving',
    'distance',
    'filler',
    'speed',
    'gain',
    'filler',
    'maxHr',
    'avgHr',
    'effort',
  ]
  const columns = [...head, ...tail, 'commute' as Column]
  while (columns.length < layout) columns.push('filler')
  return columns
}

function headerFor(columns: Column[], language: Language, layout: Layout): string[] {
  let filler = 0
  return columns.map((column) => {
    // 2021-2023 exports wrote some untranslated headers as HTML, the private note's among them.
    if (column === 'privateNote') return translationMissing(language, 'activity_private_note', NAMES[language][column])
    if (column !== 'filler') return NAMES[language][column]
    filler++
    return layout === 103 && filler % 5 === 0
      ? translationMissing(language, `extra_${filler}`, `Extra ${filler}`)
      : `Extra Column ${filler}`
  })
}

function translationMissing(language: Language, key: string, text: string): string {
  return `<span class="translation_missing" title="translation missing: ${language}.lib.export.portability_exporter.activities.horton_values.${key}">${text}</span>`
}

/** `Nov 4, 2018, 2:53:46 PM` or `04.11.2018, 14:53:46`. */
function exportDate(date: Date, language: Language): string {
  const pad = (value: number) => String(value).padStart(2, '0')
  const [h, m, s] = [date.getUTCHours(), date.getUTCMinutes(), date.getUTCSeconds()]
  if (language === 'de') {
    return `${pad(date.getUTCDate())}.${pad(date.getUTCMonth() + 1)}.${date.getUTCFullYear()}, ${pad(h)}:${pad(m)}:${pad(s)}`
  }

  const month = date.toLocaleString('en-US', {month: 'short', timeZone: 'UTC'})
  return `${month} ${date.getUTCDate()}, ${date.getUTCFullYear()}, ${h % 12 || 12}:${pad(m)}:${pad(s)} ${h < 12 ? 'AM' : 'PM'}`
}

function displayDistance(activity: FixtureActivity, language: Language): string {
  if (activity.displayDistance !== undefined) return activity.displayDistance
  const km = (activity.distance / 1000).toFixed(2)
  return language === 'de' ? km.replace('.', ',') : km
}

function cellsOf(activity: FixtureActivity, columns: Column[], language: Language): string[] {
  let elapsedSeen = false
  let distanceSeen = false
  return columns.map((column) => {
    switch (column) {
      case 'id':
        return activity.id
      case 'date':
        return exportDate(activity.start, language)
      case 'name':
        return activity.name
      case 'type':
        return activity.type
      case 'description':
        return activity.description ?? ''
      case 'privateNote':
        return activity.privateNote ?? ''
      case 'filename':
        return activity.file?.name ?? ''
      case 'elapsed':
        if (elapsedSeen) return activity.elapsedTime.toFixed(1)
        elapsedSeen = true
        return String(Math.round(activity.elapsedTime))
      case 'distance':
        if (distanceSeen) return activity.distance.toFixed(1)
        distanceSeen = true
        return displayDistance(activity, language)
      case 'moving':
        return activity.movingTime === undefined ? '' : activity.movingTime.toFixed(1)
      case 'speed':
        return activity.averageSpeed === undefined ? '' : String(activity.averageSpeed)
      case 'gain':
        return activity.elevationGain === undefined ? '' : String(activity.elevationGain)
      case 'avgHr':
        return activity.averageHeartrate === undefined ? '' : String(activity.averageHeartrate)
      case 'commute':
        return 'false'
      default:
        return ''
    }
  })
}

/** RFC 4180 quoting: every field quoted, quotes doubled (line breaks stay inside the quotes). */
function csvLine(cells: string[]): string {
  return cells.map((cell) => `"${cell.replaceAll('"', '""')}"`).join(',')
}

export function activitiesCsv(activities: FixtureActivity[], options: FixtureOptions = {}): string {
  const language = options.language ?? 'en'
  const layout = options.layout ?? 103
  const newline = options.newline ?? '\n'
  const columns = layoutColumns(layout)
  const lines = [csvLine(headerFor(columns, language, layout))]
  for (const activity of activities) lines.push(activity.rawLine ?? csvLine(cellsOf(activity, columns, language)))
  return lines.join(newline) + newline
}

function profileCsv(athlete: NonNullable<FixtureOptions['athlete']>, language: Language): string {
  const names = NAMES[language]
  return `${csvLine([names.athleteId, names.email, names.first, names.last])}\n${csvLine([athlete.id, 'jane@example.com', athlete.firstname, athlete.lastname])}\n`
}

/** The files of an export, by name inside it. */
export function exportFiles(activities: FixtureActivity[], options: FixtureOptions = {}): Map<string, Buffer> {
  const language = options.language ?? 'en'
  const files = new Map<string, Buffer>()
  files.set('activities.csv', Buffer.from(activitiesCsv(activities, options)))
  const athlete =
    options.athlete === undefined ? {id: '1234567', firstname: 'Jane', lastname: 'Runner'} : options.athlete
  if (athlete) files.set('profile.csv', Buffer.from(profileCsv(athlete, language)))
  for (const activity of activities) {
    const file = activity.file
    if (file && !file.missing && file.content !== undefined) files.set(file.name, Buffer.from(file.content))
  }

  return files
}

export async function writeExportFolder(folder: string, files: Map<string, Buffer>): Promise<string> {
  for (const [name, content] of files) {
    await mkdir(dirname(join(folder, name)), {recursive: true})
    await writeFile(join(folder, name), content)
  }

  return folder
}

export async function writeExportZip(path: string, files: Map<string, Buffer>, prefix = ''): Promise<string> {
  const zip = new yazl.ZipFile()
  for (const [name, content] of files) zip.addBuffer(content, prefix + name)
  zip.end()
  await pipeline(zip.outputStream, createWriteStream(path))
  return path
}

// ---- activity files --------------------------------------------------------------------------------

export const gz = (content: string | Buffer) => gzipSync(content)

/** A GPX track of `points` points starting at a position; `indent` puts spaces before <?xml, as some exports have. */
export function gpx(position: {lat: number; lon: number}, start: Date, indent = '', points = 2): string {
  const trackPoints: string[] = []
  for (let second = 0; second < points; second++) {
    const time = new Date(start.getTime() + second * 1000).toISOString()
    const lat = (position.lat + second * 1e-5).toFixed(6)
    // The attributes in either order, as writers differ.
    const attributes = second % 2 === 0 ? `lon="${position.lon}" lat="${lat}"` : `lat="${lat}" lon="${position.lon}"`
    trackPoints.push(`  <trkpt ${attributes}><ele>10</ele><time>${time}</time></trkpt>`)
  }

  return `${indent}<?xml version="1.0" encoding="UTF-8"?>
<gpx creator="fixture" version="1.1" xmlns="http://www.topografix.com/GPX/1/1">
 <metadata><time>${start.toISOString()}</time></metadata>
 <trk><name>Fixture</name><trkseg>
${trackPoints.join('\n')}
 </trkseg></trk>
</gpx>
`
}

/** A TCX activity whose first trackpoint has a position (the first one has none, as after a start without a fix). */
export function tcx(position: {lat: number; lon: number}, start: Date, indent = ''): string {
  return `${indent}<?xml version="1.0" encoding="UTF-8"?>
<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2">
 <Activities><Activity Sport="Running"><Id>${start.toISOString()}</Id><Lap StartTime="${start.toISOString()}"><Track>
  <Trackpoint><Time>${start.toISOString()}</Time><HeartRateBpm><Value>100</Value></HeartRateBpm></Trackpoint>
  <Trackpoint><Time>${start.toISOString()}</Time><Position><LatitudeDegrees>${position.lat}</LatitudeDegrees><LongitudeDegrees>${position.lon}</LongitudeDegrees></Position></Trackpoint>
 </Track></Lap></Activity></Activities>
</TrainingCenterDatabase>
`
}

const SEMICIRCLES_PER_DEGREE = 2 ** 31 / 180

/**
 * A FIT activity file: file_id, `records` records one second apart (with a position when given) and the
 * session and activity messages; the activity's local_timestamp minus its timestamp is the local-time offset.
 * Message and field numbers from the FIT profile: file_id 0 (type 0), record 20 (timestamp 253,
 * position_lat 0, position_long 1), session 18 (timestamp 253, start_time 2, start_position_lat 3,
 * start_position_long 4), activity 34 (timestamp 253, num_sessions 1, type 2, local_timestamp 5).
 */
export function fit(
  start: Date,
  offsetSeconds: number | undefined,
  position?: {lat: number; lon: number},
  records = 1,
): Buffer {
  const timestamp = FitEncoder.toFitTimestamp(start)
  // Protocol 2.0 is written 0x20 (major version in the high nibble), as devices write it.
  const encoder = new FitEncoder({protocolVersion: 0x20})
  encoder.writeMessage(0, [{number: 0, size: 1, baseType: FitBaseType.Enum, value: 4}])
  for (let second = 0; second < records; second++) {
    const record = [{number: 253, size: 4, baseType: FitBaseType.Uint32, value: timestamp + second}]
    if (position) {
      const lat = position.lat + second * 1e-5
      record.push(
        {number: 0, size: 4, baseType: FitBaseType.Sint32, value: Math.round(lat * SEMICIRCLES_PER_DEGREE)},
        {number: 1, size: 4, baseType: FitBaseType.Sint32, value: Math.round(position.lon * SEMICIRCLES_PER_DEGREE)},
      )
    }

    encoder.writeMessage(20, record, 1)
  }

  const end = timestamp + Math.max(records, 3600)
  const session = [
    {number: 253, size: 4, baseType: FitBaseType.Uint32, value: end},
    {number: 2, size: 4, baseType: FitBaseType.Uint32, value: timestamp},
  ]
  if (position) {
    session.push(
      {number: 3, size: 4, baseType: FitBaseType.Sint32, value: Math.round(position.lat * SEMICIRCLES_PER_DEGREE)},
      {number: 4, size: 4, baseType: FitBaseType.Sint32, value: Math.round(position.lon * SEMICIRCLES_PER_DEGREE)},
    )
  }

  encoder.writeMessage(18, session, 3)
  const activity = [
    {number: 253, size: 4, baseType: FitBaseType.Uint32, value: end},
    {number: 1, size: 2, baseType: FitBaseType.Uint16, value: 1},
    {number: 2, size: 1, baseType: FitBaseType.Enum, value: 0},
  ]
  if (offsetSeconds !== undefined) {
    activity.push({number: 5, size: 4, baseType: FitBaseType.Uint32, value: end + offsetSeconds})
  }

  encoder.writeMessage(34, activity, 2)
  return Buffer.from(encoder.close())
}
