// The export gives each activity's start in UTC only (`Activity Date`; `Start Time` is empty), but the
// week an activity belongs to is decided by its local start. The rules, in order: a FIT file's own
// local-time offset; the first GPS position through an offline time-zone lookup and that zone's offset
// at the activity's instant (so summer time is right); the --timezone flag; the system's zone.
import tzLookup from '@photostructure/tz-lookup'

import type {FileHints} from './activity-file.js'

export type LocalDateRule = 'fit-offset' | 'gps-position' | 'timezone-flag' | 'system-zone'

export const LOCAL_DATE_RULES: LocalDateRule[] = ['fit-offset', 'gps-position', 'timezone-flag', 'system-zone']

export interface LocalStart {
  /** Local wall-clock start with Strava's misleading Z: '2024-03-04T07:00:00Z'. */
  startDateLocal: string
  /** Strava's spelling, '(GMT-08:00) America/Los_Angeles', when a zone is known. */
  timezone?: string
  utcOffset: number
  rule: LocalDateRule
}

export interface ZoneFallback {
  zone: string
  rule: 'timezone-flag' | 'system-zone'
}

/** Whether Intl knows the zone name (for validating --timezone). */
export function isKnownZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', {timeZone: zone})
    return true
  } catch {
    return false
  }
}

/** Building a formatter costs far more than using one: one per zone, for thousands of activities. */
const offsetFormats = new Map<string, Intl.DateTimeFormat>()

/** The zone's offset from UTC in seconds at an instant, from Intl's tz database ('GMT-08:00'). */
function zoneOffsetSeconds(zone: string, epochMs: number): number {
  let format = offsetFormats.get(zone)
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {timeZone: zone, timeZoneName: 'longOffset'})
    offsetFormats.set(zone, format)
  }

  const name = format.formatToParts(new Date(epochMs)).find((part) => part.type === 'timeZoneName')?.value
  const match = /GMT([+-])(\d{2}):(\d{2})(?::(\d{2}))?/.exec(name ?? '')
  if (!match) return 0 // 'GMT' alone: UTC itself
  const seconds = Number(match[2]) * 3600 + Number(match[3]) * 60 + Number(match[4] ?? 0)
  return match[1] === '-' ? -seconds : seconds
}

/** The zone at a position, or undefined when the lookup fails (it throws on invalid coordinates). */
function zoneAt(lat: number, lon: number): string | undefined {
  try {
    return tzLookup(lat, lon)
  } catch {
    return undefined
  }
}

export function localStart(startEpochMs: number, hints: FileHints, fallback: ZoneFallback): LocalStart {
  if (hints.fitOffsetSeconds !== undefined) {
    return withOffset(startEpochMs, hints.fitOffsetSeconds, 'fit-offset')
  }

  const zone = hints.firstPosition && zoneAt(hints.firstPosition.lat, hints.firstPosition.lon)
  if (zone) return inZone(startEpochMs, zone, 'gps-position')
  return inZone(startEpochMs, fallback.zone, fallback.rule)
}

function inZone(startEpochMs: number, zone: string, rule: LocalDateRule): LocalStart {
  const offset = zoneOffsetSeconds(zone, startEpochMs)
  return {...withOffset(startEpochMs, offset, rule), timezone: `(${gmtLabel(offset)}) ${zone}`}
}

function withOffset(startEpochMs: number, offsetSeconds: number, rule: LocalDateRule): LocalStart {
  const local = new Date(startEpochMs + offsetSeconds * 1000).toISOString().slice(0, 19)
  return {startDateLocal: `${local}Z`, utcOffset: offsetSeconds, rule}
}

/** 'GMT-08:00', as Strava writes it in `timezone`. */
function gmtLabel(offsetSeconds: number): string {
  const sign = offsetSeconds < 0 ? '-' : '+'
  const minutes = Math.round(Math.abs(offsetSeconds) / 60)
  return `GMT${sign}${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`
}
