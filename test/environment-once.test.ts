// The environment is read once, in the composition root, and passed down: the lint rule that keeps it so.
import assert from 'node:assert/strict'
import {test} from 'node:test'
import {fileURLToPath} from 'node:url'

import {ESLint} from 'eslint'

const root = fileURLToPath(new URL('..', import.meta.url))

test('process.env is refused in library code and allowed in the commands and the base command', async () => {
  const eslint = new ESLint({cwd: root})
  const code = 'export const url = process.env.STRAVA_API_URL\n'
  const restricted = async (filePath: string) =>
    (await eslint.lintText(code, {filePath}))[0].messages.some((m) => m.ruleId === 'no-restricted-properties')
  for (const library of [
    'src/strava/x.ts',
    'src/archive/x.ts',
    'src/notes/x.ts',
    'src/http/x.ts',
    'packages/oclif-plugin-oauth/src/x.ts',
  ]) {
    assert.equal(await restricted(library), true, library)
  }
  for (const composition of [
    'src/commands/x.ts',
    'src/base-command.ts',
    'packages/oclif-plugin-oauth/src/commands/x.ts',
    'packages/oclif-plugin-oauth/src/base-command.ts',
  ]) {
    assert.equal(await restricted(composition), false, composition)
  }
})
