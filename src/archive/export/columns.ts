// Columns of activities.csv and profile.csv by name, never by position or count: exports have had
// between 10 and 103 columns. Several names appear twice (`Distance`, `Elapsed Time`, ...); the first is
// a display value, the second the raw one, so a field can ask for the first or the second occurrence.
import {
  type ActivityField,
  type ExportLanguage,
  LANGUAGES,
  normalizeHeader,
  UNSUPPORTED_LANGUAGES,
} from './languages.js'
import {ExportFormatError} from './errors.js'

/** Fields that name the second column of a duplicated name. */
const SECOND_OCCURRENCE = new Set<ActivityField>(['elapsedTimeSecond', 'distanceSecond'])
const REQUIRED: ActivityField[] = ['id', 'date', 'type']

/**
 * Some 2021-2023 exports have headers such as
 * `<span class="translation_missing" title="translation missing: en-US.lib.export...total_steps">Total Steps</span>`:
 * the text inside the span is the name.
 */
export function headerText(raw: string): string {
  const span = /^\s*<span\b[^>]*>([\s\S]*?)<\/span>\s*$/i.exec(raw)
  return (span ? span[1] : raw).replace(/^\uFEFF/, '').trim()
}

export type ColumnIndex<F extends string> = Partial<Record<F, number>>

/** Index of each field's column: the first (or, for `Second` fields, the second) header with one of its names. */
export function indexColumns<F extends string>(
  header: string[],
  names: Record<F, string[]>,
  second: ReadonlySet<F> = new Set(),
): ColumnIndex<F> {
  const positions = new Map<string, number[]>()
  header.forEach((raw, position) => {
    const key = normalizeHeader(headerText(raw))
    positions.set(key, [...(positions.get(key) ?? []), position])
  })
  const index: ColumnIndex<F> = {}
  for (const field of Object.keys(names) as F[]) {
    for (const name of names[field]) {
      const found = positions.get(normalizeHeader(name))
      const position = second.has(field) ? found?.[1] : found?.[0]
      if (position !== undefined) {
        index[field] = position
        break
      }
    }
  }

  return index
}

export interface ActivityColumns {
  language: ExportLanguage
  index: ColumnIndex<ActivityField>
  count: number
}

/** Picks the export's language from the header of activities.csv; a header no language reads is an ExportFormatError. */
export function resolveActivityColumns(header: string[]): ActivityColumns {
  let best: ActivityColumns | undefined
  let bestMatched = -1
  for (const language of LANGUAGES) {
    const index = indexColumns(header, language.headers, SECOND_OCCURRENCE)
    const matched = Object.keys(index).length
    if (REQUIRED.every((field) => index[field] !== undefined) && matched > bestMatched) {
      best = {language, index, count: header.length}
      bestMatched = matched
    }
  }

  if (best) return best
  throw new ExportFormatError(unreadableHeaderMessage(header))
}

function unreadableHeaderMessage(header: string[]): string {
  const first = headerText(header[0] ?? '')
  const known = UNSUPPORTED_LANGUAGES[normalizeHeader(first)]
  const supported = LANGUAGES.map((language) => language.name).join(' and ')
  if (known) {
    return `This export is in ${known}; weeknotes reads ${supported} exports. Set your Strava language to English (Settings, Display Preferences), request the archive again and import the new one.`
  }

  return `activities.csv has columns weeknotes does not recognise (the first is "${first.slice(0, 60)}"), so its language is unknown; weeknotes reads ${supported} exports. Set your Strava language to English, request the archive again and import the new one.`
}
