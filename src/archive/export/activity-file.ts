// What an uploaded activity file tells about where and when it was recorded: a FIT file's local-time
// offset (its activity message holds the UTC and the local timestamp), else the first GPS position of a
// FIT, GPX or TCX file. GPX and TCX are only scanned up to their first coordinate (a regular expression
// over the stream, which is then dropped). FIT files are read whole, up to a size cap, and only their
// activity and session messages are decoded (fit-file-parser's raw reader: no profile, no records).
import type {Readable} from 'node:stream'
import {createGunzip} from 'node:zlib'

import {type FitRawMessage, readFitMessages, readFitUnsignedField} from 'fit-file-parser/raw'

export interface Position {
  lat: number
  lon: number
}

export interface FileHints {
  /** Local time minus UTC in seconds, from a FIT file's activity message. */
  fitOffsetSeconds?: number
  firstPosition?: Position
}

export type FileKind = 'fit' | 'gpx' | 'tcx' | 'other'

/** `activities/123.fit.gz` -> {kind: 'fit', gzipped: true}. `.bin.gz` and anything unknown are 'other'. */
function fileKind(name: string): {kind: FileKind; gzipped: boolean} {
  const gzipped = /\.gz$/i.test(name)
  const base = name.replace(/\.gz$/i, '').toLowerCase()
  const kind = base.endsWith('.fit') ? 'fit' : base.endsWith('.gpx') ? 'gpx' : base.endsWith('.tcx') ? 'tcx' : 'other'
  return {kind, gzipped}
}

/** FIT files beyond this (uncompressed) are not read: a day-long recording at 1 s is ~3 MiB; memory stays bounded. */
const MAX_FIT_BYTES = 16 * 1024 * 1024

/** Reads the hints from one activity file; a file that cannot be read or parsed gives no hints (undefined fields). */
export async function readFileHints(stream: Readable, name: string): Promise<FileHints> {
  const {kind, gzipped} = fileKind(name)
  if (kind === 'other') {
    stream.destroy()
    return {}
  }

  const source = gzipped ? stream.pipe(createGunzip()) : stream
  // A gunzip error (a truncated .gz) must not escape as an unhandled 'error' event.
  stream.on('error', (error) => source.destroy(error))
  try {
    return kind === 'fit' ? await fitHints(source) : {firstPosition: await firstTextPosition(source)}
  } catch {
    return {}
  } finally {
    stream.destroy()
    source.destroy()
  }
}

// <trkpt lat="47.1" lon="8.5"> with the attributes in either order; TCX: <LatitudeDegrees>..<LongitudeDegrees>.
const GPX_POINT = /<(?:\w+:)?(?:trkpt|rtept)\b([^>]*)>/
const LAT_ATTRIBUTE = /\blat\s*=\s*["']([-+\d.eE]+)["']/
const LON_ATTRIBUTE = /\blon\s*=\s*["']([-+\d.eE]+)["']/
const TCX_POINT =
  /<(?:\w+:)?LatitudeDegrees>\s*([-+\d.eE]+)\s*<\/(?:\w+:)?LatitudeDegrees>\s*<(?:\w+:)?LongitudeDegrees>\s*([-+\d.eE]+)\s*</
/** Enough of the previous chunk to find a point split across two chunks. */
const OVERLAP = 512

/** The first track point of a GPX or TCX stream (leading spaces before <?xml are of no concern here). */
async function firstTextPosition(stream: Readable): Promise<Position | undefined> {
  let carry = ''
  for await (const chunk of stream) {
    const text = carry + (chunk as Buffer).toString('utf8')
    const position = findTextPosition(text)
    if (position) return position
    carry = text.slice(-OVERLAP)
  }

  return undefined
}

function findTextPosition(text: string): Position | undefined {
  const gpx = GPX_POINT.exec(text)
  if (gpx) {
    const lat = LAT_ATTRIBUTE.exec(gpx[1])?.[1]
    const lon = LON_ATTRIBUTE.exec(gpx[1])?.[1]
    const position = lat && lon ? validPosition(Number(lat), Number(lon)) : undefined
    if (position) return position
  }

  const tcx = TCX_POINT.exec(text)
  return tcx ? validPosition(Number(tcx[1]), Number(tcx[2])) : undefined
}

function validPosition(lat: number, lon: number): Position | undefined {
  const valid = Number.isFinite(lat) && Number.isFinite(lon) && Math.abs(lat) <= 90 && Math.abs(lon) <= 180
  // (0, 0) is what some devices write before a fix.
  return valid && (lat !== 0 || lon !== 0) ? {lat, lon} : undefined
}

// FIT profile numbers: activity (34) has timestamp (253) and local_timestamp (5, uint32); session (18) has
// start_position_lat (3) and start_position_long (4), sint32 semicircles.
const ACTIVITY = 34
const SESSION = 18
const LOCAL_TIMESTAMP = 5
const START_LAT = 3
const START_LONG = 4
const UINT32 = 0x86
const DEGREES_PER_SEMICIRCLE = 180 / 2 ** 31

async function fitHints(stream: Readable): Promise<FileHints> {
  const chunks: Buffer[] = []
  let bytes = 0
  for await (const chunk of stream) {
    bytes += (chunk as Buffer).length
    if (bytes > MAX_FIT_BYTES) return {}
    chunks.push(chunk as Buffer)
  }

  const {messages} = readFitMessages(Buffer.concat(chunks), {messageNumbers: [ACTIVITY, SESSION]})
  const hints: FileHints = {}
  const offset = localOffset(messages.find((message) => message.globalMessageNumber === ACTIVITY))
  if (offset !== undefined) hints.fitOffsetSeconds = offset
  for (const session of messages.filter((message) => message.globalMessageNumber === SESSION)) {
    const lat = sint32(session, START_LAT)
    const lon = sint32(session, START_LONG)
    const position =
      lat !== undefined && lon !== undefined
        ? validPosition(lat * DEGREES_PER_SEMICIRCLE, lon * DEGREES_PER_SEMICIRCLE)
        : undefined
    if (position) {
      hints.firstPosition = position
      break
    }
  }

  return hints
}

/** local_timestamp - timestamp of the activity message, in whole minutes; undefined when absent or implausible. */
function localOffset(activity: FitRawMessage | undefined): number | undefined {
  const field = activity?.fields.find((item) => item.fieldNumber === LOCAL_TIMESTAMP)
  if (activity?.timestamp === undefined || !field) return undefined
  const local = readFitUnsignedField(field, UINT32, 4, activity.littleEndian)
  if (local === undefined) return undefined
  const offset = Math.round((local - activity.timestamp) / 60) * 60
  // Time zones lie within UTC-12 and UTC+14; anything else is a clock never set (or 0xFFFFFFFF, "invalid").
  return Math.abs(offset) <= 14 * 3600 ? offset : undefined
}

function sint32(message: FitRawMessage, fieldNumber: number): number | undefined {
  const field = message.fields.find((item) => item.fieldNumber === fieldNumber)
  if (!field || field.size !== 4) return undefined
  const value = new DataView(field.bytes.buffer, field.bytes.byteOffset, 4).getInt32(0, message.littleEndian)
  return value === 0x7fffffff ? undefined : value
}
