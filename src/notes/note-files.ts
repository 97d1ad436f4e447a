// Where notes go and under which names: the destination a run writes to, the file name of each week inside
// --out-dir, and which of those files exist already (skipped unless --force).
import {dirname, isAbsolute, join} from 'node:path'

import {ExitCodeError} from 'oclif-plugin-oauth/errors'

import type {DigestContext} from './digest.js'
import type {WeekRange} from './week.js'

/**
 * Where notes go: printed (one week), one file (one week), or one file per week in a directory; `bundle`
 * gives each week a directory of its own (a page bundle) with the note's pictures beside it.
 */
export type NoteDestination =
  {kind: 'print'} | {kind: 'file'; path: string} | {kind: 'dir'; dir: string; filename: string; bundle?: boolean}

export interface NoteOutcome {
  week: string
  context?: DigestContext
  /** The Markdown, for the print destination without --json. */
  markdown?: string
  path?: string
  status: 'printed' | 'written' | 'skipped'
}

/** Flags that do not fit together or name no usable file (exit 2). */
export class GenerateUsageError extends ExitCodeError {
  readonly exitCode = 2

  constructor(message: string, suggestions?: string[]) {
    super(message, {suggestions})
  }
}

/** A range of weeks needs a directory: one note per week, never several in one file or on stdout. */
export function checkOneNotePerFile(weeks: WeekRange[], destination: NoteDestination): void {
  if (destination.kind !== 'dir' && weeks.length > 1) {
    throw new GenerateUsageError('A range of weeks writes one note per week: add --out-dir DIR.')
  }
}

const PLACEHOLDER = /{{\s*([\w.]+)\s*}}/g

/** The context's own value at a dotted path: nothing inherited (`constructor`, `__proto__`) resolves. */
function ownValue(context: Record<string, unknown>, path: string): unknown {
  let node: unknown = context
  for (const key of path.split('.')) {
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, key)) return undefined
    node = (node as Record<string, unknown>)[key]
  }

  return node
}

/**
 * `{{week.id}}.md` -> `2024-W10.md`: Handlebars-style placeholders over the context, without loading Handlebars.
 * The name must stay inside --out-dir: no absolute path, no `.` or `..` part, not empty.
 */
export function renderFilename(template: string, context: Record<string, unknown>): string {
  const name = template.replace(PLACEHOLDER, (_match, path: string) => {
    const value = ownValue(context, path)
    if (value === undefined || value === null || typeof value === 'object') {
      throw new GenerateUsageError(`--filename uses {{${path}}}, which is not a value of the note's context.`, [
        'Use week.id, week.year, week.number, week.start or week.end, e.g. --filename "{{week.id}}.md".',
      ])
    }

    return String(value)
  })
  const parts = name.split(/[\\/]/)
  if (!name.trim() || isAbsolute(name) || parts.some((part) => part === '' || part === '.' || part === '..')) {
    throw new GenerateUsageError(
      `--filename "${template}" gives "${name}", which is not a file name inside --out-dir (no leading /, no empty, . or .. parts).`,
      ['Use a relative name such as "{{week.id}}.md" or "{{week.year}}/{{week.id}}.md".'],
    )
  }

  return name
}

/** Each week's file in --out-dir; several weeks in one file (or, with --bundle, one directory) is refused. */
export function plannedPaths(
  weeks: WeekRange[],
  destination: Extract<NoteDestination, {kind: 'dir'}>,
): Map<string, string> {
  const paths = new Map(
    weeks.map((week) => [week.id, join(destination.dir, renderFilename(destination.filename, {week}))]),
  )
  if (new Set(paths.values()).size < paths.size) {
    throw new GenerateUsageError(`--filename "${destination.filename}" gives several weeks the same file name.`, [
      'Include the week in it, e.g. --filename "{{week.id}}.md".',
    ])
  }

  if (destination.bundle && new Set([...paths.values()].map((path) => dirname(path))).size < paths.size) {
    throw new GenerateUsageError(
      `--bundle needs a directory per week, but --filename "${destination.filename}" shares one.`,
      ['Put the week in the directory, e.g. --filename "{{week.id}}/index.md" (the default with --bundle).'],
    )
  }

  return paths
}

/** Without --force, weeks whose file exists are skipped; they are not even fetched. */
export async function partitionExisting(
  weeks: WeekRange[],
  paths: Map<string, string>,
  fileExists: (path: string) => Promise<boolean>,
): Promise<{toWrite: WeekRange[]; skipped: NoteOutcome[]}> {
  const exists = await Promise.all(weeks.map((week) => fileExists(paths.get(week.id)!)))
  return {
    toWrite: weeks.filter((_week, i) => !exists[i]),
    skipped: weeks
      .filter((_week, i) => exists[i])
      .map((week) => ({week: week.id, path: paths.get(week.id), status: 'skipped' as const})),
  }
}
