// `weeknotes --version` is answered by bin/run.js without loading oclif; it must print exactly the
// line oclif prints, which this test asks oclif for directly.
import assert from 'node:assert/strict'
import {execFile} from 'node:child_process'
import {promisify} from 'node:util'
import {pathToFileURL} from 'node:url'
import {test} from 'node:test'

import {builtCli, repoRoot} from '../support/cli.js'

const run = promisify(execFile)

test('a bare --version prints the same line as oclif, and anything more goes to oclif', async () => {
  const oclif = await run(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `import {execute} from '@oclif/core/execute'
       await execute({dir: ${JSON.stringify(pathToFileURL(builtCli).href)}, args: ['--version']})`,
    ],
    {cwd: repoRoot},
  )
  assert.match(oclif.stdout, /^weeknotes\/\d+\.\d+\.\d+\S* \S+-\S+ node-v\d+\.\d+\.\d+\n$/)

  const fast = await run(process.execPath, [builtCli, '--version'])
  assert.equal(fast.stdout, oclif.stdout)
  assert.equal(fast.stderr, '')

  // Not bare: oclif parses it (a version flag after a command is that command's unknown flag).
  await assert.rejects(run(process.execPath, [builtCli, 'generate', '--version']), /Nonexistent flag: --version/)
})
