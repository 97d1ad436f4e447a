// Small functions are house style (issue 11: none over 60 lines). scripts/function-lengths.js measures them
// with the TypeScript compiler; this test holds src/ and the src/ of every workspace package to the limit.
import assert from 'node:assert/strict'
import {globSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, relative, resolve} from 'node:path'
import {test} from 'node:test'

// @ts-expect-error: a plain ESM script without type declarations
import {functionLengths} from '../scripts/function-lengths.js'

interface FunctionLength {
  file: string
  name: string
  line: number
  lines: number
}

const MAX_LINES = 60
const root = join(import.meta.dirname, '..')

/** src/ and the src/ of each package the root package.json lists as a workspace, so a new package is held too. */
function enforcedFolders(): string[] {
  const {workspaces} = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {workspaces: string[]}
  const packageSources = workspaces.flatMap((pattern) => globSync(`${pattern}/src`, {cwd: root}))
  return ['src', ...packageSources.sort()]
}

const ENFORCED = enforcedFolders()

const tooLong = (paths: string[]) =>
  (functionLengths(paths.map((path) => resolve(root, path))) as FunctionLength[])
    .filter((f) => f.lines > MAX_LINES)
    .map((f) => `${relative(root, f.file)}:${f.line} ${f.name} (${f.lines} lines)`)

test('the length script measures a function from its signature to its closing brace', () => {
  const dir = mkdtempSync(join(tmpdir(), 'function-lengths-'))
  const body = Array.from({length: 61}, (_, i) => `  const a${i} = ${i}`).join('\n')
  writeFileSync(
    join(dir, 'sample.ts'),
    `/** Doc lines do not count. */\nexport function long() {\n${body}\n}\n\nclass Box {\n  short(): number {\n    return 1\n  }\n}\n\nconst arrow = () => {\n  return 2\n}\n`,
  )
  const found = functionLengths([dir]) as FunctionLength[]
  assert.deepEqual(
    found.map((f) => [f.name, f.line, f.lines]),
    [
      ['long', 2, 63],
      ['Box.short', 67, 3],
      ['arrow', 72, 3],
    ],
  )
  assert.deepEqual(tooLong([dir]).length, 1, 'a function over the limit is reported')
})

test('the limit covers src/ and every workspace package with a src/ folder', () => {
  assert.ok(ENFORCED.includes('src'))
  assert.ok(ENFORCED.includes('packages/oclif-plugin-oauth/src'), ENFORCED.join(', '))
  assert.ok(ENFORCED.includes('packages/strava-emulator/src'), ENFORCED.join(', '))
})

test(`no function in ${ENFORCED.join(', ')} is over ${MAX_LINES} lines`, () => {
  assert.deepEqual(tooLong(ENFORCED), [])
})
