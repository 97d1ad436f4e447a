// The test tiers the README's Development section describes: each file's tier follows from what it
// imports (scripts/test.js), and package.json has one script per tier, the unit one without a build.
import assert from 'node:assert/strict'
import {execFile} from 'node:child_process'
import {readFile} from 'node:fs/promises'
import {join} from 'node:path'
import {test} from 'node:test'
import {fileURLToPath} from 'node:url'
import {promisify} from 'node:util'

const repoRoot = fileURLToPath(new URL('..', import.meta.url))

async function listTiers(...tiers: string[]): Promise<Map<string, string>> {
  const {stdout} = await promisify(execFile)(process.execPath, ['scripts/test.js', '--list', ...tiers], {cwd: repoRoot})
  return new Map(
    stdout
      .trim()
      .split('\n')
      .map((line) => line.split('\t').reverse() as [string, string]),
  )
}

test("a test file's tier is what it needs: browser, keyring, node processes, else unit", async () => {
  const tierOf = await listTiers()
  assert.equal(tierOf.get('test/e2e/auth.test.ts'), 'browser', 'Chromium wins over the keyring and the CLI')
  assert.equal(tierOf.get('packages/oclif-plugin-oauth/test/pages.test.ts'), 'browser')
  assert.equal(tierOf.get('packages/oclif-plugin-oauth/test/credential-store.test.ts'), 'keyring')
  assert.equal(tierOf.get('test/e2e/generate.test.ts'), 'cli')
  assert.equal(tierOf.get('test/archive/sync.test.ts'), 'cli')
  assert.equal(tierOf.get('test/notes/output.test.ts'), 'unit')
  assert.equal(tierOf.get('test/strava/auth-tokens.test.ts'), 'unit')
  assert.equal(tierOf.get('packages/oclif-plugin-oauth/test/tiny-host.test.ts'), 'browser')
  assert.equal(tierOf.get('test/notes/signals.test.ts'), 'cli', 'it starts node processes')
  assert.equal(tierOf.get('test/auth/session.test.ts'), 'unit')
  assert.deepEqual(new Set(tierOf.values()), new Set(['unit', 'cli', 'keyring', 'browser']))
  const keyring = await listTiers('keyring')
  assert.ok(keyring.has('packages/oclif-plugin-oauth/test/credential-store.test.ts'))
  assert.deepEqual(new Set(keyring.values()), new Set(['keyring']), 'a tier lists only its files')
})

test('npm test runs every tier; each tier has its script, and only the unit tier runs without a build', async () => {
  const {scripts} = JSON.parse(await readFile(join(repoRoot, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>
  }
  assert.match(scripts.test, /node scripts\/test\.js$/)
  assert.equal(scripts.pretest, 'npm run build')
  assert.equal(scripts['test:unit'], 'node scripts/test.js unit')
  for (const tier of ['cli', 'keyring', 'browser']) {
    assert.equal(scripts[`test:${tier}`], `npm run build && node scripts/test.js ${tier}`)
  }
})
