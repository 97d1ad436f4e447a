// The athlete of an export, from profile.csv: the id that keys the archive, and the name for notes.
// The e-mail address, weight and health-consent columns are never read.
import {headerText, indexColumns} from './columns.js'
import type {ExportContainer} from './container.js'
import {csvRows} from './csv.js'
import {LANGUAGES, normalizeHeader, type ProfileField} from './languages.js'

export interface ExportAthlete {
  id: number
  id_str: string
  firstname?: string
  lastname?: string
  sex?: 'M' | 'F'
  city?: string
  state?: string
  country?: string
}

/** The athlete of profile.csv, or undefined when the export has none or it names no athlete id. */
export async function readProfile(container: ExportContainer): Promise<ExportAthlete | undefined> {
  const stream = await container.open('profile.csv')
  if (!stream) return undefined
  let header: string[] | undefined
  try {
    for await (const values of csvRows(stream)) {
      if (!header) {
        header = values
        continue
      }

      return athleteFrom(values, header)
    }
  } finally {
    stream.destroy()
  }

  return undefined
}

/** profile.csv's header in any language the import reads (its language may differ from activities.csv's). */
const PROFILE_HEADERS = Object.fromEntries(
  Object.keys(LANGUAGES[0].profileHeaders).map((field) => [
    field,
    LANGUAGES.flatMap((language) => language.profileHeaders[field as ProfileField]),
  ]),
) as Record<ProfileField, string[]>

function athleteFrom(values: string[], header: string[]): ExportAthlete | undefined {
  const index = indexColumns<ProfileField>(header, PROFILE_HEADERS)
  const cell = (field: ProfileField) => {
    const value = index[field] === undefined ? undefined : values[index[field]]?.trim()
    return value || undefined
  }

  const id = cell('athleteId') ?? idByShape(values, header)
  if (!id || !/^\d+$/.test(id)) return undefined
  const sex = cell('sex')?.toUpperCase()
  return {
    id: Number(id),
    id_str: id,
    firstname: cell('firstname'),
    lastname: cell('lastname'),
    sex: sex === 'M' || sex === 'F' ? sex : undefined,
    city: cell('city'),
    state: cell('state'),
    country: cell('country'),
  }
}

/**
 * The athlete id under a header spelled in a way the languages here do not list: the first column
 * whose name ends in "ID" and whose value is all digits (the id comes first in every profile.csv seen).
 */
function idByShape(values: string[], header: string[]): string | undefined {
  const position = header.findIndex(
    (name, index) => /id$/.test(normalizeHeader(headerText(name))) && /^\d+$/.test(values[index]?.trim() ?? ''),
  )
  return position < 0 ? undefined : values[position].trim()
}
