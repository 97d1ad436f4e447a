import {createHash} from 'node:crypto'
import {constants} from 'node:fs'
import {mkdir, open} from 'node:fs/promises'
import {createRequire} from 'node:module'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import type HandlebarsRuntime from 'handlebars'
// The runtime alone (the bundle carries it): a cached template needs nothing more, and the compiler loads only on a miss.
import handlebarsRuntime from 'handlebars/runtime'
import {ExitCodeError} from 'oclif-plugin-oauth/errors'
import type {DigestContext} from './digest.js'
import {registerHelpers} from './helpers.js'
import {templateUses, type CostlyField} from './template-uses.js'

const require = createRequire(import.meta.url)

/** Resolved from this module so it works from src/notes (tsx) and the bundle (which keeps each module's place) alike. */
export const DEFAULT_TEMPLATE = fileURLToPath(new URL('../../templates/weeknotes.md.hbs', import.meta.url))

export class TemplateError extends ExitCodeError {
  readonly exitCode = 2

  constructor(message: string, suggestions?: string[]) {
    super(message, {suggestions})
  }
}

export interface RenderDigest {
  (context: DigestContext): string
  /** The costly context fields the template refers to; none when absent. */
  readonly uses?: readonly CostlyField[]
}

/** What the compiled-template cache keeps: Handlebars' precompiled form and what the template uses. */
interface CompiledTemplate {
  spec: TemplateSpecification
  uses: CostlyField[]
}

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

export interface LoadTemplateOptions {
  /**
   * Where compiled templates are kept between runs (the CLI passes oclif's cache directory). With it, a
   * template compiled before loads with Handlebars' runtime only: ~0.03 s instead of ~0.07 s to load the
   * compiler, parse and compile on every run. Keyed by the template's text and the Handlebars version.
   */
  cacheDir?: string
}

const COMPILE_OPTIONS = {strict: false, noEscape: false}

/** The default template is 2 KiB; a template of more than 1 MiB is a wrong path, not a note layout. */
const MAX_TEMPLATE_BYTES = 1024 * 1024

/**
 * Reads a template that is a regular file of at most MAX_TEMPLATE_BYTES. Opened non-blocking: a FIFO would
 * otherwise block the open until someone writes to it; its type is then checked on the open handle.
 */
async function readTemplateFile(path: string): Promise<string> {
  let handle
  try {
    handle = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0))
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    const what = code === 'ENOENT' ? 'was not found' : `could not be read (${code ?? (error as Error).message})`
    throw new TemplateError(`Template ${path} ${what}.`, ['Check the --template path.'])
  }

  try {
    const stats = await handle.stat()
    if (!stats.isFile())
      throw new TemplateError(`Template ${path} is not a regular file.`, ['Check the --template path.'])
    if (stats.size > MAX_TEMPLATE_BYTES) {
      throw new TemplateError(`Template ${path} is larger than 1 MiB, too large for a note template.`, [
        'Check the --template path.',
      ])
    }

    return await handle.readFile('utf8')
  } finally {
    await handle.close()
  }
}

/**
 * Compiles a Handlebars template (the default one unless `file` is given) on a private Handlebars
 * instance with the notes helpers. `{{ }}` keeps Handlebars' HTML escaping so that no custom template
 * lets an activity name inject HTML into a blog; `{{md name}}` escapes for Markdown instead.
 */
export async function loadTemplate(file?: string, options: LoadTemplateOptions = {}): Promise<RenderDigest> {
  const path = file ?? DEFAULT_TEMPLATE
  const source = await readTemplateFile(path)

  const compiledFile = options.cacheDir === undefined ? undefined : cacheFile(options.cacheDir, source)
  const {render, uses} = (compiledFile && loadCompiled(compiledFile)) || (await compile(path, source, compiledFile))
  const renderDigest = (context: DigestContext) => {
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

  return Object.assign(renderDigest, {uses})
}

interface Loaded {
  render: HandlebarsTemplateDelegate<DigestContext>
  uses: CostlyField[]
}

/** The compiled form's file: the Handlebars version is in the key, as a compiled template fits only its own runtime. */
function cacheFile(cacheDir: string, source: string): string {
  const {VERSION} = handlebarsRuntime as typeof HandlebarsRuntime
  // "2": the cache file also keeps the fields the template uses (files of the first form are not read).
  const key = createHash('sha256').update(`2\0${VERSION}\0${source}`).digest('hex').slice(0, 32)
  return join(cacheDir, 'templates', `${key}.cjs`)
}

/** A template compiled on an earlier run, on Handlebars' runtime; undefined when there is none (or it is unreadable). */
function loadCompiled(file: string): Loaded | undefined {
  let compiled: Partial<CompiledTemplate>
  try {
    compiled = require(file) as Partial<CompiledTemplate>
  } catch {
    return undefined
  }

  // An empty or cut-off file (a crash while it was written, a full disk), or one of the first form
  // (without `uses`), is a miss: compile again.
  const spec = compiled?.spec
  if (typeof (spec as {main?: unknown} | undefined)?.main !== 'function' || !Array.isArray(compiled.uses)) {
    return undefined
  }

  const runtime = (handlebarsRuntime as typeof HandlebarsRuntime).create()
  registerHelpers(runtime)
  try {
    return {render: runtime.template<DigestContext>(spec!), uses: compiled.uses}
  } catch {
    return undefined
  }
}

async function compile(path: string, source: string, compiledFile: string | undefined): Promise<Loaded> {
  const {default: Handlebars} = await import('handlebars')
  const handlebars = Handlebars.create()
  registerHelpers(handlebars)
  let program: hbs.AST.Program
  try {
    // compile() defers parsing to the first call; parse now so a broken template fails before any fetch.
    program = handlebars.parse(source)
  } catch (error) {
    throw describeCompileError(path, error as Error)
  }

  const uses = templateUses(Handlebars, program)
  if (compiledFile !== undefined) await saveCompiled(handlebars, program, uses, compiledFile)
  return {render: handlebars.compile<DigestContext>(program, COMPILE_OPTIONS), uses}
}

/** Best effort: without a writable cache every run compiles, which is slower, not wrong. */
async function saveCompiled(
  handlebars: typeof HandlebarsRuntime,
  program: hbs.AST.Program,
  uses: CostlyField[],
  file: string,
): Promise<void> {
  try {
    // Loaded on a miss only, as the compiler is.
    const {default: replaceFile} = await import('write-file-atomic')
    const spec = handlebars.precompile(program, COMPILE_OPTIONS)
    await mkdir(join(file, '..'), {recursive: true})
    // No fsync: a cache file lost or emptied by a crash is a miss, compiled again.
    await replaceFile(file, `module.exports = {spec: ${spec}, uses: ${JSON.stringify(uses)}}\n`, {fsync: false})
  } catch {
    // A template that only fails when compiled reports that on its first render, as without a cache.
  }
}
