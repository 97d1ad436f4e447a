import {readFile} from 'node:fs/promises'
import {fileURLToPath} from 'node:url'
import type {DigestContext} from './digest.js'
import {registerHelpers} from './helpers.js'

/** Resolved from this module so it works from src/notes (tsx) and dist/notes (built) alike. */
export const DEFAULT_TEMPLATE = fileURLToPath(new URL('../../templates/weeknotes.md.hbs', import.meta.url))

export class TemplateError extends Error {
  readonly exitCode = 2
  readonly suggestions?: string[]

  constructor(message: string, suggestions?: string[]) {
    super(message)
    this.name = 'TemplateError'
    this.suggestions = suggestions
  }
}

export type RenderDigest = (context: DigestContext) => string

/** Handlebars' parse errors carry the line in their text ("Parse error on line 3: ..."), others in `lineNumber`. */
function describeCompileError(file: string, error: Error & {lineNumber?: number}): TemplateError {
  const parseLine = /Parse error on line (\d+)/.exec(error.message)?.[1]
  const where = parseLine ?? error.lineNumber
  const reason = parseLine ? describeParseError(error.message) : error.message.replace(/ - \d+:\d+$/, '')
  return new TemplateError(
    `Template ${file} has an error${where === undefined ? '' : ` on line ${where}`}: ${sentence(reason)}`,
    ['Fix the template, or leave out --template to use the default one.'],
  )
}

function sentence(text: string): string {
  return /[.!?]$/.test(text.trim()) ? text.trim() : `${text.trim()}.`
}

const TOKEN_NAMES: Record<string, string> = {
  INVALID: 'characters (an unbalanced {{ or }}?)',
  OPEN_ENDBLOCK: '{{/...}} without its opening block',
  CLOSE: '}}',
  CLOSE_UNESCAPED: '}}}',
  INVERSE: '{{else}}',
}

/** The parser's list of expected tokens means little to a template author; what it stumbled on and where does. */
function describeParseError(message: string): string {
  const [, snippet = '', , details = ''] = message.split('\n')
  const got = /got '([^']+)'/.exec(details)?.[1] ?? /Unexpected (.+)$/.exec(message.split('\n')[0])?.[1]
  const what =
    got === 'EOF' || got === 'end of input'
      ? 'unexpected end of the template (a block left open?)'
      : `unexpected ${TOKEN_NAMES[got ?? ''] ?? got ?? 'text'}`
  return snippet.trim() ? `${what} near "${snippet.trim()}"` : what
}

/**
 * Compiles a Handlebars template (the default one unless `file` is given) on a private Handlebars
 * instance with the notes helpers. `{{ }}` keeps Handlebars' HTML escaping so that no custom template
 * lets an activity name inject HTML into a blog; `{{md name}}` escapes for Markdown instead.
 */
export async function loadTemplate(file?: string): Promise<RenderDigest> {
  const path = file ?? DEFAULT_TEMPLATE
  let source: string
  try {
    source = await readFile(path, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    const what = code === 'ENOENT' ? 'was not found' : `could not be read (${code ?? (error as Error).message})`
    throw new TemplateError(`Template ${path} ${what}.`, ['Check the --template path.'])
  }

  const {default: Handlebars} = await import('handlebars')
  const handlebars = Handlebars.create()
  registerHelpers(handlebars)
  let render: HandlebarsTemplateDelegate<DigestContext>
  try {
    // compile() defers parsing to the first call; parse now so a broken template fails before any fetch.
    const program = handlebars.parse(source)
    render = handlebars.compile<DigestContext>(program, {strict: false, noEscape: false})
  } catch (error) {
    throw describeCompileError(path, error as Error)
  }

  return (context) => {
    try {
      return render(context)
    } catch (error) {
      if ((error as Error & {lineNumber?: number}).lineNumber !== undefined || /Parse error/.test(String(error)))
        throw describeCompileError(path, error as Error)
      throw new TemplateError(`Template ${path} failed to render: ${sentence((error as Error).message)}`, [
        'Check the helper names and arguments the template uses.',
      ])
    }
  }
}
