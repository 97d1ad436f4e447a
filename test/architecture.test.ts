// ARCHITECTURE.md is how a newcomer finds a behaviour: every path it names must exist, and the README links it.
import assert from 'node:assert/strict'
import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {test} from 'node:test'

const root = join(import.meta.dirname, '..')
const architecture = readFileSync(join(root, 'ARCHITECTURE.md'), 'utf8')

/** Paths in `code spans` and at the start of the layout block's lines: anything with a slash or a file suffix. */
function namedPaths(text: string): string[] {
  const spans = [...text.matchAll(/`([^`\s]+)`/g)].map((match) => match[1])
  const layout = /```\n([\s\S]*?)```/.exec(text)?.[1] ?? ''
  const starts = layout.split('\n').map((line) => line.split(/\s+/)[0])
  const paths = [...spans, ...starts.flatMap((start) => start.split(','))].map((path) => path.trim())
  return [...new Set(paths.filter((path) => /^[\w.-]+(\/[\w.-]*)*$/.test(path) && /\/|\.(ts|js|md|json)$/.test(path)))]
}

test('every path ARCHITECTURE.md names exists', () => {
  const paths = namedPaths(architecture)
  assert.ok(paths.length > 40, `found ${paths.length} paths`)
  const missing = paths.filter((path) => !existsSync(join(root, path)))
  assert.deepEqual(missing, [])
})

test("the README's development section links ARCHITECTURE.md", () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8')
  const development = readme.slice(readme.indexOf('\n## Development'), readme.indexOf('\n## Performance'))
  assert.match(development, /\(ARCHITECTURE\.md\)/)
})
