// The lines `weeknotes import` prints after an import (or a dry run): what was read, what changed in the
// archive, how each local date was decided, and what was left out.
import type {ImportResult} from './import.js'
import type {LocalDateRule} from './local-time.js'

const number = (value: number) => value.toLocaleString('en-US')
const plural = (count: number, one: string, many = `${one}s`) => `${number(count)} ${count === 1 ? one : many}`

const RULE_WORDS: Record<LocalDateRule, string> = {
  'fit-offset': 'FIT time offset',
  'gps-position': 'GPS position',
  'timezone-flag': '--timezone',
  'system-zone': 'system time zone',
}

/** Once per import: the export has no per-activity visibility. */
export const VISIBILITY_NOTICE =
  "Strava's export does not say which activities are private, so imported activities count as visible and `generate --exclude-private` cannot leave them out unless `weeknotes sync` later fills in their visibility."

export function describeImport(result: ImportResult): string[] {
  const read = `${plural(result.activities, 'activity', 'activities')} from ${result.source} (${result.language.name}, ${result.columns} columns)`
  const who = result.athlete
    ? ` for ${[result.athlete.firstname, result.athlete.lastname].filter(Boolean).join(' ') || 'athlete'} (athlete ${result.athlete.id})`
    : ''
  const lines = result.dryRun
    ? [`Read ${read}${who}; nothing was written (--dry-run).`]
    : [
        `Imported ${read}${who}: ${number(result.added)} new, ${number(result.updated)} updated, ${number(result.unchanged)} unchanged.` +
          (result.fromApi > 0
            ? ` ${plural(result.fromApi, 'activity', 'activities')} already synced from Strava kept the API's fields (${number(result.completed)} gained a description or private note).`
            : ''),
      ]
  lines.push(`Local dates: ${localDateCounts(result)}.`)
  const left = leftOut(result)
  if (left) lines.push(left)
  return lines
}

function localDateCounts(result: ImportResult): string {
  return (Object.keys(RULE_WORDS) as LocalDateRule[])
    .map((rule) => {
      const zone = rule === result.fallbackRule ? ` (${result.fallbackZone})` : ''
      return `${number(result.localDate[rule])} from ${RULE_WORDS[rule]}${zone}`
    })
    .join(', ')
}

function leftOut(result: ImportResult): string | undefined {
  const parts: string[] = []
  const skipped = Object.values(result.skipped).reduce((sum, count) => sum + count, 0)
  if (skipped > 0) {
    const reasons = Object.entries(result.skipped).map(([reason, count]) => `${reason}: ${number(count)}`)
    parts.push(`skipped ${plural(skipped, 'row')} (${reasons.join(', ')})`)
  }

  if (result.missingFiles > 0)
    parts.push(`${plural(result.missingFiles, 'activity file')} named in activities.csv not in the export`)
  const unknown = Object.entries(result.unknownTypes)
  if (unknown.length > 0) {
    parts.push(
      `imported as Workout, types weeknotes does not know: ${unknown.map(([type, count]) => `${type} (${number(count)})`).join(', ')}`,
    )
  }

  if (parts.length === 0) return undefined
  const text = parts.join('; ')
  return text[0].toUpperCase() + text.slice(1) + '.'
}
