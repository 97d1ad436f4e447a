// Which of the costly context fields a template refers to, read from its syntax tree, so that a run
// spends requests (detailed activities), history queries or image files only on what gets rendered.
import type HandlebarsCompiler from 'handlebars'

/** Fields that need GET /activities/{id}, one request per activity (or the archive's copy). */
export const DETAIL_FIELDS = ['description', 'photoUrl', 'privateNote'] as const
/** Fields computed from the weeks before the note's week. */
export const HISTORY_FIELDS = ['previousWeek', 'fourWeekAverage', 'yearToDate', 'streak'] as const
/** Fields that name image files written beside the note. */
export const PICTURE_FIELDS = ['chartImage', 'routeImage'] as const

export type CostlyField =
  (typeof DETAIL_FIELDS)[number] | (typeof HISTORY_FIELDS)[number] | (typeof PICTURE_FIELDS)[number]

const COSTLY = new Set<string>([...DETAIL_FIELDS, ...HISTORY_FIELDS, ...PICTURE_FIELDS])

/**
 * The costly fields a parsed template names anywhere: as a path (`{{description}}`,
 * `{{#if ../streak.days}}`, `{{md activity.description}}`) or as a string (`{{lookup this "photoUrl"}}`).
 * A name built at render time cannot be seen; such a template gets these fields empty. `handlebars` is the
 * package's main export (environments from `create()` have no Visitor).
 */
export function templateUses(handlebars: typeof HandlebarsCompiler, program: hbs.AST.Program): CostlyField[] {
  const found = new Set<CostlyField>()
  const note = (name: string) => COSTLY.has(name) && found.add(name as CostlyField)
  const visitor = new handlebars.Visitor()
  visitor.PathExpression = (path) => path.parts.forEach(note)
  visitor.StringLiteral = (literal) => note(literal.value)
  visitor.accept(program)
  return [...found].sort()
}

export function usesAny(uses: readonly string[] | undefined, fields: readonly string[]): boolean {
  return uses?.some((field) => fields.includes(field)) ?? false
}
