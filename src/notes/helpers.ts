// Template helpers. The context holds raw SI numbers; these turn them into what a reader expects in the
// athlete's units. Units come from the helper's `units=` hash argument, else from the root context.
import {createRequire} from 'node:module'
import type HandlebarsRuntime from 'handlebars'
import type {format as DateFnsFormat} from 'date-fns/format'
import {isFootSport, sportLabel} from './sports.js'

type Handlebars = typeof HandlebarsRuntime
type Units = 'metric' | 'imperial'

interface HelperOptions {
  hash?: Record<string, unknown>
  data?: {root?: {units?: unknown}}
}

const METRES_PER_MILE = 1609.344
const METRES_PER_FOOT = 0.3048
const METRES_PER_YARD = 0.9144

function unitsOf(options: HelperOptions | undefined): Units {
  const units = options?.hash?.units ?? options?.data?.root?.units
  return units === 'imperial' ? 'imperial' : 'metric'
}

function decimalsOf(options: HelperOptions | undefined, fallback: number): number {
  const decimals = Number(options?.hash?.decimals ?? fallback)
  return Number.isInteger(decimals) && decimals >= 0 && decimals <= 6 ? decimals : fallback
}

function isNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value)
}

/** metres -> '42.3 km' or '26.3 mi' */
export function formatDistance(metres: unknown, options?: HelperOptions): string {
  if (!isNumber(metres)) return ''
  const imperial = unitsOf(options) === 'imperial'
  const value = (imperial ? metres / METRES_PER_MILE : metres / 1000).toFixed(decimalsOf(options, 1))
  return `${value} ${imperial ? 'mi' : 'km'}`
}

/** seconds -> '1:02:03', or '45:07' under an hour */
export function formatDuration(seconds: unknown): string {
  if (!isNumber(seconds)) return ''
  const total = Math.max(0, Math.round(seconds))
  const hours = Math.floor(total / 3600)
  const minutes = Math.floor((total % 3600) / 60)
  const rest = String(total % 60).padStart(2, '0')
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${rest}` : `${minutes}:${rest}`
}

function minutesPer(metres: number, speed: unknown): string {
  if (!isNumber(speed) || speed <= 0) return ''
  return formatDuration(metres / speed)
}

/** metres per second -> '5:00 /km' or '8:03 /mi' */
export function formatPace(speed: unknown, options?: HelperOptions): string {
  const imperial = unitsOf(options) === 'imperial'
  const pace = minutesPer(imperial ? METRES_PER_MILE : 1000, speed)
  return pace && `${pace} /${imperial ? 'mi' : 'km'}`
}

/** Swimmers count per 100 m or per 100 yd. */
function formatSwimPace(speed: unknown, options?: HelperOptions): string {
  const imperial = unitsOf(options) === 'imperial'
  const pace = minutesPer(imperial ? 100 * METRES_PER_YARD : 100, speed)
  return pace && `${pace} /100${imperial ? 'yd' : 'm'}`
}

/** metres per second -> '25.2 km/h' or '15.7 mph' */
export function formatSpeed(speed: unknown, options?: HelperOptions): string {
  if (!isNumber(speed)) return ''
  const imperial = unitsOf(options) === 'imperial'
  const value = ((speed * 3600) / (imperial ? METRES_PER_MILE : 1000)).toFixed(decimalsOf(options, 1))
  return `${value} ${imperial ? 'mph' : 'km/h'}`
}

export function formatSpeedOrPace(speed: unknown, sportType: unknown, options?: HelperOptions): string {
  const sport = typeof sportType === 'string' ? sportType : ''
  if (isFootSport(sport)) return formatPace(speed, options)
  if (sport.toLowerCase() === 'swim') return formatSwimPace(speed, options)
  return formatSpeed(speed, options)
}

/** metres -> '350 m' or '1148 ft' */
export function formatElevation(metres: unknown, options?: HelperOptions): string {
  if (!isNumber(metres)) return ''
  const imperial = unitsOf(options) === 'imperial'
  return `${Math.round(imperial ? metres / METRES_PER_FOOT : metres)} ${imperial ? 'ft' : 'm'}`
}

export function formatHeartrate(bpm: unknown): string {
  return isNumber(bpm) ? `${Math.round(bpm)} bpm` : ''
}

/**
 * A Date whose calendar fields are its UTC fields. The context's dates are wall-clock values
 * ('2024-03-04', '2024-03-31T02:30:00' in Berlin, which does not exist in Berlin's own clock), so
 * formatting them through the machine's time zone could shift them; through UTC they stay as written.
 */
class WallClockDate extends Date {
  getFullYear() {
    return this.getUTCFullYear()
  }
  getMonth() {
    return this.getUTCMonth()
  }
  getDate() {
    return this.getUTCDate()
  }
  getDay() {
    return this.getUTCDay()
  }
  getHours() {
    return this.getUTCHours()
  }
  getMinutes() {
    return this.getUTCMinutes()
  }
  getSeconds() {
    return this.getUTCSeconds()
  }
  getMilliseconds() {
    return this.getUTCMilliseconds()
  }
  getTimezoneOffset() {
    return 0
  }
  setFullYear(...args: Parameters<Date['setUTCFullYear']>) {
    return this.setUTCFullYear(...args)
  }
  setMonth(...args: Parameters<Date['setUTCMonth']>) {
    return this.setUTCMonth(...args)
  }
  setDate(...args: Parameters<Date['setUTCDate']>) {
    return this.setUTCDate(...args)
  }
  setHours(...args: Parameters<Date['setUTCHours']>) {
    return this.setUTCHours(...args)
  }
  setMinutes(...args: Parameters<Date['setUTCMinutes']>) {
    return this.setUTCMinutes(...args)
  }
  setSeconds(...args: Parameters<Date['setUTCSeconds']>) {
    return this.setUTCSeconds(...args)
  }
  setMilliseconds(...args: Parameters<Date['setUTCMilliseconds']>) {
    return this.setUTCMilliseconds(...args)
  }
}

/**
 * '2024-03-04' or '2024-03-04T07:00:00' are formatted as written; an instant with a zone
 * ('2024-03-11T06:00:00.000Z', generatedAt) is formatted in UTC. Patterns are date-fns's.
 */
export function formatDate(value: unknown, pattern: unknown = 'yyyy-MM-dd'): string {
  let time: number
  if (value instanceof Date) time = value.getTime()
  else if (typeof value === 'number') time = value
  else if (typeof value === 'string') {
    const hasZone = /(Z|[+-]\d{2}:?\d{2})$/i.test(value) || !value.includes('T')
    time = Date.parse(hasZone ? value : `${value}Z`)
  } else return ''
  if (!Number.isFinite(time)) return ''
  const text = typeof pattern === 'string' ? pattern : 'yyyy-MM-dd'
  return PLAIN_PATTERN.test(text) ? formatPlain(time, text) : dateFnsFormat()(new WallClockDate(time), text)
}

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
]
const pad2 = (value: number) => String(value).padStart(2, '0')
const PLAIN_TOKENS: Record<string, (date: Date) => string> = {
  yyyy: (date) => String(date.getUTCFullYear()).padStart(4, '0'),
  MMMM: (date) => MONTHS[date.getUTCMonth()],
  MM: (date) => pad2(date.getUTCMonth() + 1),
  dd: (date) => pad2(date.getUTCDate()),
  d: (date) => String(date.getUTCDate()),
  HH: (date) => pad2(date.getUTCHours()),
  mm: (date) => pad2(date.getUTCMinutes()),
}
/** Patterns made only of these tokens (all the default template uses) are formatted without loading date-fns. */
const PLAIN_PATTERN = /^(?:yyyy|MMMM|MM|dd|d|HH|mm|[ :-])+$/
const PLAIN_TOKEN = /yyyy|MMMM|MM|dd|d|HH|mm/g

/** Same output as date-fns's `format` with its default (en-US) locale, for these tokens. */
function formatPlain(time: number, pattern: string): string {
  const date = new Date(time)
  return pattern.replace(PLAIN_TOKEN, (token) => PLAIN_TOKENS[token](date))
}

let loadedFormat: typeof DateFnsFormat | undefined

/**
 * date-fns's `format` for every other pattern, loaded on first use. Its CommonJS build on purpose: through
 * ESM, Node 24 deserializes date-fns's 199 KB package.json again for each of the 37 modules `format`
 * imports, which measured ~0.25 s against ~0.03 s for the same modules through `require`.
 */
function dateFnsFormat(): typeof DateFnsFormat {
  loadedFormat ??= (createRequire(import.meta.url)('date-fns/format') as {format: typeof DateFnsFormat}).format
  return loadedFormat
}

/** '4–10 March 2024', '26 February – 3 March 2024', '30 December 2024 – 5 January 2025' */
export function formatDateRange(start: unknown, end: unknown): string {
  const last = formatDate(end, 'd MMMM yyyy')
  if (!last || !formatDate(start)) return ''
  if (formatDate(start, 'yyyy-MM') === formatDate(end, 'yyyy-MM')) return `${formatDate(start, 'd')}–${last}`
  if (formatDate(start, 'yyyy') === formatDate(end, 'yyyy')) return `${formatDate(start, 'd MMMM')} – ${last}`
  return `${formatDate(start, 'd MMMM yyyy')} – ${last}`
}

/**
 * Backslash-escapes what Markdown would read as markup, so an activity called "Intervals | 5x[1k]"
 * neither breaks a table nor becomes a link; '<' and '>' too, so a name cannot inject HTML.
 */
export function escapeMarkdown(value: unknown): string {
  if (value === undefined || value === null) return ''
  return String(value)
    .replace(/\s*[\r\n]+\s*/g, ' ')
    .replace(/[\\`*_[\]<>|~]/g, '\\$&')
    .replace(/&(?=#?\w+;)/g, '\\&')
}

/** Markdown that starts a block at the beginning of a line: a heading, a list item, a quote, a rule. */
const BLOCK_START = /^(\s*)(?:([#+=-])|(\d+)([.)]))/

/**
 * User text with paragraphs (a description): each paragraph escaped as `md` does, a character that would
 * start a heading or a list at its beginning escaped too, paragraphs kept apart by a blank line.
 */
function escapeMarkdownParagraphs(value: unknown): string {
  if (value === undefined || value === null) return ''
  return String(value)
    .split(/\s*\n\s*\n\s*/)
    .map((paragraph) =>
      escapeMarkdown(paragraph.trim()).replace(
        BLOCK_START,
        (_m, space: string, mark?: string, digits?: string, end?: string) =>
          mark ? `${space}\\${mark}` : `${space}${digits}\\${end}`,
      ),
    )
    .filter(Boolean)
    .join('\n\n')
}

/** Characters outside YAML's printable set (C0 and C1 controls, DEL), plus line and paragraph separators. */
const YAML_UNPRINTABLE = /[\u007F-\u009F\u2028\u2029\uFEFF]/g

/**
 * Any value as one line of YAML: a string becomes a double-quoted scalar, an object a flow mapping. JSON is
 * valid YAML 1.2 (and 1.1 for these escapes), so a name with a colon, a quote or a newline cannot break the
 * front matter. Undefined becomes null.
 */
function toYaml(value: unknown): string {
  const json = JSON.stringify(value ?? null) ?? 'null'
  return json.replace(YAML_UNPRINTABLE, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`)
}

/** The first sentence of a text (up to . ! or ? followed by a space, or the first line), at most ~140 characters. */
export function firstSentence(value: unknown, limit = 140): string {
  if (typeof value !== 'string') return ''
  const line = value.trim().split(/\n/)[0].trim()
  const sentence = /^.+?[.!?](?=\s|$)/.exec(line)?.[0] ?? line
  if (sentence.length <= limit) return sentence
  const cut = sentence.slice(0, limit)
  return `${cut.slice(0, cut.lastIndexOf(' ') > limit / 2 ? cut.lastIndexOf(' ') : limit).trimEnd()}…`
}

/** '+18%', '−7%' (a minus sign), '±0%': how `current` compares with `previous`; '' when there is nothing to compare. */
export function percentChange(current: unknown, previous: unknown): string {
  const now = Number(current)
  const before = Number(previous)
  if (!Number.isFinite(now) || !Number.isFinite(before) || before <= 0) return ''
  const change = Math.round(((now - before) / before) * 100)
  return change > 0 ? `+${change}%` : change < 0 ? `−${-change}%` : '±0%'
}

/**
 * An address safe as a Markdown link or image destination: http(s), or a relative path inside the note's
 * directory; characters that end a destination are percent-encoded. Anything else (javascript:, ../) gives ''.
 */
export function markdownUrl(value: unknown): string {
  if (typeof value !== 'string' || value === '') return ''
  const relative = !/^[a-z][a-z\d+.-]*:/i.test(value)
  if (relative ? value.startsWith('/') || value.split(/[\\/]/).includes('..') : !/^https?:\/\//i.test(value)) return ''
  return value.replace(/[\s()<>"'\\]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`)
}

/** Handlebars passes its options object last; the helpers below only want the values. */
function valuesOf(args: unknown[]): unknown[] {
  return args.slice(0, -1)
}

function optionsOf(args: unknown[]): HelperOptions {
  return args[args.length - 1] as HelperOptions
}

function toNumber(value: unknown): number {
  return typeof value === 'number' ? value : Number(value)
}

function truthy(value: unknown): boolean {
  return Array.isArray(value) ? value.length > 0 : Boolean(value)
}

/** `{{distance d "imperial"}}` works as well as `{{distance d units="imperial"}}`. */
function explicitUnits(positional: unknown, options: HelperOptions): HelperOptions {
  return positional === 'metric' || positional === 'imperial'
    ? {...options, hash: {...options?.hash, units: positional}}
    : options
}

function withUnits(formatter: (value: unknown, options?: HelperOptions) => string) {
  return (...args: unknown[]) => {
    const [value, units] = valuesOf(args)
    return formatter(value, explicitUnits(units, optionsOf(args)))
  }
}

type Helper = (...args: unknown[]) => unknown

/** Numbers, dates and text as a note shows them: units, Markdown and YAML escaping. */
function formattingHelpers(safe: (text: string) => unknown): Record<string, Helper> {
  return {
    distance: withUnits(formatDistance),
    duration: (seconds) => formatDuration(seconds),
    pace: withUnits(formatPace),
    speed: withUnits(formatSpeed),
    speedOrPace: (...args) => {
      const [speed, sportType, units] = valuesOf(args)
      return formatSpeedOrPace(speed, sportType, explicitUnits(units, optionsOf(args)))
    },
    elevation: withUnits(formatElevation),
    heartrate: (bpm) => formatHeartrate(bpm),
    date: (...args) => formatDate(valuesOf(args)[0], valuesOf(args)[1]),
    dateRange: (start, end) => formatDateRange(start, end),
    sportLabel: (sportType) => (typeof sportType === 'string' ? sportLabel(sportType) : ''),
    md: (value) => safe(escapeMarkdown(value)),
    mdParagraphs: (value) => safe(escapeMarkdownParagraphs(value)),
    yaml: (value) => safe(toYaml(value)),
    firstSentence: (...args) => {
      const [value, limit] = valuesOf(args)
      return firstSentence(value, limit === undefined ? undefined : toNumber(limit))
    },
    percentChange: (current, previous) => percentChange(current, previous),
    // Not `url`: a helper would hide the activities' own `url` field from `{{url}}`.
    href: (value) => safe(markdownUrl(value)),
    /** {{plural count "activity" "activities"}} -> the word only; the plural defaults to singular + 's'. */
    plural: (...args) => {
      const [count, singular, plural] = valuesOf(args)
      return toNumber(count) === 1 ? singular : (plural ?? `${String(singular)}s`)
    },
  }
}

/** Comparisons, logic and arithmetic for `{{#if}}` and sub-expressions. */
function logicHelpers(): Record<string, Helper> {
  return {
    eq: (a, b) => a === b,
    ne: (a, b) => a !== b,
    gt: (a, b) => toNumber(a) > toNumber(b),
    gte: (a, b) => toNumber(a) >= toNumber(b),
    lt: (a, b) => toNumber(a) < toNumber(b),
    lte: (a, b) => toNumber(a) <= toNumber(b),
    and: (...args) => valuesOf(args).every(truthy),
    or: (...args) => valuesOf(args).some(truthy),
    not: (value) => !truthy(value),
    add: (a, b) => toNumber(a) + toNumber(b),
    subtract: (a, b) => toNumber(a) - toNumber(b),
    multiply: (a, b) => toNumber(a) * toNumber(b),
    divide: (a, b) => (toNumber(b) === 0 ? 0 : toNumber(a) / toNumber(b)),
    round: (...args) => {
      const [value, decimals] = valuesOf(args)
      const factor = 10 ** (decimals === undefined ? 0 : toNumber(decimals))
      return Math.round(toNumber(value) * factor) / factor
    },
  }
}

/** Lists: filtering by a field, joining. */
function listHelpers(): Record<string, Helper> {
  return {
    /** {{#each (where activities "race")}}: the items whose field is set (true, non-zero, non-empty). */
    where: (list, field) =>
      Array.isArray(list) && typeof field === 'string'
        ? list.filter((item) =>
            truthy(Object.hasOwn(Object(item), field) ? (item as Record<string, unknown>)[field] : undefined),
          )
        : [],
    join: (...args) => {
      const [list, separator] = valuesOf(args)
      const options = optionsOf(args)
      const glue = typeof separator === 'string' ? separator : String(options?.hash?.separator ?? ', ')
      return Array.isArray(list) ? list.join(glue) : ''
    },
  }
}

export function registerHelpers(handlebars: Handlebars): void {
  const safe = (text: string) => new handlebars.SafeString(text)
  const helpers = {...formattingHelpers(safe), ...logicHelpers(), ...listHelpers()}
  for (const [name, helper] of Object.entries(helpers)) handlebars.registerHelper(name, helper)
}
