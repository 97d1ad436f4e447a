// The GitHub workflow must hold the Linux job to what `.ci/run` holds CI to: where it installs the
// Secret Service and Chromium, a keyring or browser that fails to start is a failure, not a skip.
import assert from 'node:assert/strict'
import {readFile} from 'node:fs/promises'
import {join} from 'node:path'
import {test} from 'node:test'
import {fileURLToPath} from 'node:url'

const repoRoot = fileURLToPath(new URL('..', import.meta.url))

test('the Linux test step of ci.yml requires every capability .ci/run requires', async () => {
  const ciRun = await readFile(join(repoRoot, '.ci', 'run'), 'utf8')
  const required = [...ciRun.matchAll(/\b(WEEKNOTES_REQUIRE_\w+)=1\b/g)].map((match) => match[1])
  assert.deepEqual(required.sort(), ['WEEKNOTES_REQUIRE_BROWSER', 'WEEKNOTES_REQUIRE_KEYRING'])

  const workflow = await readFile(join(repoRoot, '.github', 'workflows', 'ci.yml'), 'utf8')
  const steps = workflow.split(/\n\s+- (?=name:|uses:|run:)/)
  const install = steps.find((step) => /apt-get install/.test(step))
  assert.match(install ?? '', /chromium/, 'the workflow installs Chromium')
  assert.match(install ?? '', /gnome-keyring/, 'the workflow installs gnome-keyring')
  const linuxTests = steps.filter((step) => /runner\.os == 'Linux'/.test(step) && /npm test/.test(step))
  assert.equal(linuxTests.length, 1, 'one Linux step runs npm test')
  for (const name of required) assert.match(linuxTests[0], new RegExp(`\\b${name}: '1'`), `${name} is set`)
})
