// `auth logout` deletes the athlete's archived activities (Strava's API terms, after a revocation) unless
// --keep-data. A stored login (--insecure-storage, so no keyring is needed) against the emulator.
import assert from 'node:assert/strict'
import {writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {after, before, test} from 'node:test'

import {ActivityArchive} from '../../src/archive/archive.js'
import {startStravaEmulator, type StravaEmulator} from 'strava-emulator'
import {cliEnvironment, createCliHome, runCli, type CliHome} from '../support/cli.js'

let emulator: StravaEmulator
let home: CliHome
let env: NodeJS.ProcessEnv

before(async () => {
  emulator = await startStravaEmulator({autoApprove: true, seed: 'empty'})
  home = await createCliHome()
  // A $BROWSER that "clicks" at once: the emulator approves and redirects to the loopback receiver.
  const browser = join(home.root, 'fetching-browser.mjs')
  await writeFile(browser, '#!/usr/bin/env node\nawait fetch(process.argv[2])\n', {mode: 0o755})
  env = cliEnvironment(home, {STRAVA_OAUTH_URL: emulator.oauthUrl, STRAVA_API_URL: emulator.apiUrl, BROWSER: browser})
  emulator.setActivities(emulator.makeActivities(25, {weekStart: '2024-03-04'}))
})
after(async () => {
  await emulator.close()
  await home.remove()
})

const run = (args: string[], input = '') => runCli(args, {env, input})
const login = () =>
  run(
    ['auth', '--client-id', emulator.client.id, '--client-secret-stdin', '--insecure-storage'],
    `${emulator.client.secret}\n`,
  )

function heldFor(athleteId: string): number {
  const archive = ActivityArchive.open(ActivityArchive.pathIn(home.dataDir))
  try {
    return archive.summary(athleteId).count
  } finally {
    archive.close()
  }
}

test('logout deletes the archived activities of that athlete; --keep-data keeps them', async () => {
  const athleteId = String(emulator.athlete.id)
  assert.equal((await login()).code, 0)
  const sync = await run(['sync'])
  assert.equal(sync.code, 0, sync.stderr)
  assert.equal(heldFor(athleteId), 25)

  const logout = await run(['auth', 'logout'])
  assert.equal(logout.code, 0, logout.stderr)
  assert.match(logout.stdout, new RegExp(`Deleted 25 archived activities of athlete ${athleteId}`))
  assert.equal(heldFor(athleteId), 0)
  const offline = await run(['generate', '--offline', '--week', '2024-W10'])
  assert.equal(offline.code, 2, 'nothing left to render offline')

  assert.equal((await login()).code, 0)
  assert.equal((await run(['sync'])).code, 0)
  const keep = await run(['auth', 'logout', '--keep-data'])
  assert.equal(keep.code, 0, keep.stderr)
  assert.doesNotMatch(keep.stdout, /Deleted/)
  assert.equal(heldFor(athleteId), 25)
  const kept = await run(['generate', '--offline', '--week', '2024-W10'])
  assert.equal(kept.code, 0, kept.stderr)
  assert.match(kept.stdout, /25 activities/)
})
