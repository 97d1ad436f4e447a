// One row of activities.csv as the fields of Strava's SummaryActivity. Raw columns (the second
// `Distance` in metres, the second `Elapsed Time` in float seconds, speeds in m/s) are machine numbers;
// display columns (the first `Distance`: km with two decimals, swims in metres with a thousands
// separator) follow the export's language and are only used where no raw column exists (old exports).
import type {ActivityColumns} from './columns.js'
import type {ActivityField, ExportLanguage} from './languages.js'
import {normalizeHeader} from './languages.js'

export interface ExportRow {
  id: string
  startEpochMs: number
  name: string
  sportType: string
  /** The localised type when it maps to no Strava sport type (the activity is then a Workout). */
  unknownType?: string
  description?: string
  privateNote?: string
  /** `activities/123.fit.gz`, or undefined for manual activities. */
  filename?: string
  distance: number
  movingTime: number
  elapsedTime: number
  totalElevationGain: number
  averageSpeed?: number
  averageHeartrate?: number
  commute?: boolean
}

export type RowResult = {row: ExportRow} | {skipped: string}

/** A raw number: '1234.5', or with the language's decimal comma where an export localised it anyway. */
function rawNumber(text: string | undefined, language: ExportLanguage): number | undefined {
  const trimmed = text?.trim()
  if (!trimmed) return undefined
  if (/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(trimmed)) return Number(trimmed)
  return language.parseDisplayNumber(trimmed)
}

const SWIMS = new Set(['Swim'])

export function readRow(values: string[], columns: ActivityColumns): RowResult {
  const {language, index} = columns
  const cell = (field: ActivityField) => {
    const position = index[field]
    return position === undefined ? undefined : values[position]
  }

  const id = cell('id')?.trim() ?? ''
  if (id.startsWith('#error#') || values[0]?.startsWith('#error#')) return {skipped: 'error-row'}
  if (!/^\d+$/.test(id)) return {skipped: 'no-id'}
  const startEpochMs = language.parseDate(cell('date') ?? '')
  if (startEpochMs === undefined) return {skipped: 'bad-date'}

  const typeText = cell('type')?.trim() ?? ''
  const mapped = language.sportTypes[normalizeHeader(typeText)]
  const sportType = mapped ?? 'Workout'
  const number = (field: ActivityField) => rawNumber(cell(field), language)
  const elapsedTime = number('elapsedTimeSecond') ?? number('elapsedTime') ?? 0
  const row: ExportRow = {
    id,
    startEpochMs,
    name: cell('name') ?? '',
    sportType,
    unknownType: mapped || !typeText ? undefined : typeText,
    description: text(cell('description')),
    privateNote: text(cell('privateNote')),
    filename: text(cell('filename')),
    distance: number('distanceSecond') ?? displayDistance(cell('distance'), sportType, language) ?? 0,
    elapsedTime: Math.round(elapsedTime),
    movingTime: Math.round(number('movingTime') ?? elapsedTime),
    totalElevationGain: number('elevationGain') ?? 0,
    averageSpeed: number('averageSpeed'),
    averageHeartrate: number('averageHeartrate'),
    commute: flag(cell('commute')),
  }
  return {row}
}

const text = (value: string | undefined) => (value && value.trim() ? value : undefined)

/** 'true'/'false' in every language seen; anything else is unknown. */
function flag(value: string | undefined): boolean | undefined {
  const normalized = value?.trim().toLowerCase()
  if (normalized === 'true' || normalized === '1') return true
  if (normalized === 'false' || normalized === '0') return false
  return undefined
}

/** The display distance in metres: km for most sports, metres for swims. */
function displayDistance(value: string | undefined, sportType: string, language: ExportLanguage): number | undefined {
  const parsed = value ? language.parseDisplayNumber(value) : undefined
  if (parsed === undefined) return undefined
  return SWIMS.has(sportType) ? parsed : Math.round(parsed * 1000 * 10) / 10
}
