// `npm run demo` is the newcomer's first contact: its output must be what they should see.
import assert from 'node:assert/strict'
import {execFile} from 'node:child_process'
import {existsSync} from 'node:fs'
import {join} from 'node:path'
import {test} from 'node:test'
import {promisify} from 'node:util'

import {repoRoot} from './support/cli.js'

test('the demo logs in and prints the 2024-W10 digest, each step once, without build chatter or repeated warnings', async () => {
  const env = {...process.env}
  for (const name of Object.keys(env)) if (/^(STRAVA_|WEEKNOTES_|DEBUG$)/.test(name)) delete env[name]
  const {stdout, stderr} = await promisify(execFile)(
    process.execPath,
    ['--conditions=oauth-plugin-source', '--import', 'tsx', join(repoRoot, 'scripts', 'demo.ts')],
    {cwd: repoRoot, env, timeout: 120_000},
  )

  assert.match(
    stdout,
    /^Logged in to Strava as Lena Hoffmann \(athlete \d+\)\.\n---\ntitle: "Week 10, 2024: training notes"/,
  )
  assert.match(stdout, /## Monday 4 March/)
  assert.equal((stdout + stderr).match(/Logged in/g)?.length, 1)
  assert.deepEqual(stderr.match(/^\$ weeknotes .*$/gm), [
    '$ weeknotes auth --insecure-storage',
    '$ weeknotes generate --week 2024-W10',
  ])
  assert.doesNotMatch(stderr, /Warning|Error|tsc -p|wrote manifest/, 'no warnings, errors or build output')
  assert.equal(
    stderr.match(/--insecure-storage\), not in your keyring/g)?.length,
    1,
    'the demo says where the login goes, once',
  )
  const sandbox = /plain file in (\S+)/.exec(stderr)?.[1]
  assert.ok(sandbox && !existsSync(sandbox), 'the throwaway directory is removed')
})
