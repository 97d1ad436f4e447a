// `weeknotes sync` and generate's use of the archive, running the built CLI against the Strava emulator
// in CI mode (credentials in the environment). Request counts come from the emulator's request log.
import assert from 'node:assert/strict'
import {readdir, readFile, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {test} from 'node:test'

import {ActivityArchive} from '../../src/archive/archive.js'
import {loadSqlite} from '../../src/archive/sqlite.js'
import {startStravaEmulator, type EmulatorActivity, type StravaEmulator} from 'strava-emulator'
import {plain, useCiModeCli} from '../support/ci-mode.js'
import {cliEnvironment, runCli, runCliOnTerminal, startCli, terminalSkipReason} from '../support/cli.js'

const ci = useCiModeCli()

const cli = async (args: string[], env = ci.env()) => {
  const result = await runCli(args, {env, timeoutMs: 120_000})
  return {...result, stderr: plain(result.stderr)}
}
const listCalls = (on: StravaEmulator = ci.emulator) =>
  on.requests.filter((r) => r.path === '/api/v3/athlete/activities')
const archivePath = () => ActivityArchive.pathIn(ci.dataDir)

/** The ISO date of the Monday `weeksAgo` weeks before this week's, in UTC. */
function monday(weeksAgo: number): string {
  const now = new Date()
  const thisMonday =
    Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) - ((now.getUTCDay() + 6) % 7) * 86_400_000
  return new Date(thisMonday - weeksAgo * 7 * 86_400_000).toISOString().slice(0, 10)
}

/** `perWeek` runs in each of the weeks `from` to `to` weeks ago, with ids from `firstId` up. */
function weeksOfActivities(from: number, to: number, perWeek: number, firstId = 30_000_000_000): EmulatorActivity[] {
  const list: EmulatorActivity[] = []
  for (let ago = from; ago >= to; ago--) list.push(...ci.emulator.makeActivities(perWeek, {weekStart: monday(ago)}))
  return list.map((activity, index) => ({...activity, id: String(firstId + index)}))
}

/** What the archive file holds, read directly. */
function held(path = archivePath()): {count: number; names: Map<string, string>; integrity: string} {
  const {DatabaseSync} = loadSqlite()
  const db = new DatabaseSync(path, {readOnly: true})
  try {
    const rows = db.prepare('SELECT activity_id, summary_json FROM activities').all()
    const names = new Map(rows.map((row) => [row.activity_id as string, JSON.parse(row.summary_json as string).name]))
    const integrity = db.prepare('PRAGMA integrity_check').get()!.integrity_check as string
    return {count: rows.length, names, integrity}
  } finally {
    db.close()
  }
}

test('a first sync lists the whole history oldest first in ceil(n/200)+1 calls; --status and --json describe it', async () => {
  for (const n of [400, 450]) {
    await ci.newDataDir()
    ci.emulator.setActivities(weeksOfActivities(10, 1, n / 10))
    ci.emulator.clearRequests()
    const result = await cli(['sync'])
    assert.equal(result.code, 0, result.stderr)
    assert.equal(listCalls().length, Math.ceil(n / 200) + 1, `${n} activities`)
    assert.ok(listCalls().every((r) => r.query.after === '0' && r.query.before === undefined))
    assert.match(result.stderr, new RegExp(`Synced \\(first sync, whole history\\): ${n} activities listed`))
    assert.equal(held().count, n)
  }

  const status = await cli(['sync', '--status', '--json'])
  assert.equal(status.code, 0, status.stderr)
  const parsed = JSON.parse(status.stdout)
  assert.equal(parsed.path, archivePath())
  assert.ok(parsed.bytes > 0)
  assert.equal(parsed.athletes[0].count, 450)
  assert.equal(parsed.athletes[0].historyComplete, true)
  assert.deepEqual(parsed.athletes[0].sports, [{sportType: 'Run', count: 450}])
  assert.equal(parsed.athletes[0].first.slice(0, 10), monday(10))
  const text = await cli(['sync', '--status'])
  assert.match(text.stdout, /Archive: .*archive\.sqlite \(\d+\.\d MiB\)/)
  assert.match(text.stdout, /450 activities/)
  assert.match(text.stdout, /Run: 450/)

  ci.emulator.clearRequests()
  const json = await cli(['sync', '--json'])
  assert.equal(json.code, 0, json.stderr)
  assert.equal(JSON.parse(json.stdout).mode, 'incremental')
  assert.equal(JSON.parse(json.stdout).held, 450)
})

test('incremental: new activities and edits and deletions in the recent window, in at most 2 list calls; --full removes the rest', async () => {
  const history = weeksOfActivities(10, 2, 40)
  ci.emulator.setActivities(history)
  assert.equal((await cli(['sync'])).code, 0)

  // A week later: 20 new runs, one run of last week renamed, one deleted; one deleted months back.
  const lastWeek = history.filter((a) => a.localStart.startsWith(monday(2)))
  const renamed = lastWeek[0].id!
  const deleted = lastWeek[1].id!
  const oldDeleted = history[0].id!
  const fresh = weeksOfActivities(1, 1, 20, 40_000_000_000)
  ci.emulator.setActivities([
    ...history
      .filter((a) => a.id !== deleted && a.id !== oldDeleted)
      .map((a) => (a.id === renamed ? {...a, name: 'Renamed on Strava'} : a)),
    ...fresh,
  ])
  ci.emulator.clearRequests()
  const result = await cli(['sync'])
  assert.equal(result.code, 0, result.stderr)
  assert.ok(listCalls().length <= 2, `${listCalls().length} list calls`)
  assert.ok(Number(listCalls()[0].query.after) > 0, 'only the recent window is listed again')
  const after = held()
  assert.equal(after.names.get(renamed), 'Renamed on Strava')
  assert.ok(!after.names.has(deleted), 'deleted inside the recent window: gone')
  assert.ok(after.names.has(oldDeleted), 'deleted long ago: only --full notices')
  assert.ok(after.names.has(fresh[0].id!))
  assert.match(result.stderr, /20 new, 1 removed/)

  ci.emulator.clearRequests()
  const full = await cli(['sync', '--full'])
  assert.equal(full.code, 0, full.stderr)
  const total = history.length - 2 + fresh.length
  assert.equal(listCalls().length, Math.ceil(total / 200) + 1)
  assert.ok(!held().names.has(oldDeleted))
  assert.equal(held().count, total)
  assert.match(full.stderr, /1 removed/)
})

test('generate: a recent week costs one list round trip after a sync; an older week held for good costs none', async () => {
  ci.emulator.setActivities(weeksOfActivities(10, 2, 30))
  assert.equal((await cli(['sync'])).code, 0)
  ci.emulator.addActivities(weeksOfActivities(1, 1, 12, 50_000_000_000))

  ci.emulator.clearRequests()
  const recent = await cli(['generate', '--week', monday(1), '--json'])
  assert.equal(recent.code, 0, recent.stderr)
  assert.equal(JSON.parse(recent.stdout).totals.count, 12)
  assert.ok(listCalls().length >= 1 && listCalls().length <= 2, `${listCalls().length} list calls`)

  ci.emulator.clearRequests()
  const old = await cli(['generate', '--from', monday(10), '--to', monday(4), '--out-dir', join(ci.dataDir, 'notes')])
  assert.equal(old.code, 0, old.stderr)
  assert.match(old.stderr, /Wrote 7 notes/)
  assert.equal(listCalls().length, 0)
  const notes = await readdir(join(ci.dataDir, 'notes'))
  assert.equal(notes.length, 7)
  for (const note of notes) assert.match(await readFile(join(ci.dataDir, 'notes', note), 'utf8'), /30 activities/)
})

test('a sync stopped by the daily limit keeps its pages, says when to run again, and the next run continues', async () => {
  // A frozen clock keeps the rate-limit windows from rolling over during the test.
  const frozen = Date.now()
  const limited = await startStravaEmulator({seed: 'empty', now: () => frozen})
  try {
    limited.setActivities(weeksOfActivities(10, 1, 100))
    // The athlete and two pages of 200, then 429 past the daily limit.
    limited.setRateLimits({read: [1000, 3]})
    const stopped = await cli(['sync'], ci.env({}, limited))
    assert.equal(stopped.code, 4, stopped.stderr)
    assert.match(stopped.stderr, /daily rate limit is used up; try again after \d{4}-\d\d-\d\d 00:00 UTC/)
    assert.match(stopped.stderr, /400 activities listed before it stopped are kept/)
    assert.equal(held().count, 400)

    limited.setRateLimits({read: [1000, 1000]})
    limited.clearRequests()
    const resumed = await cli(['sync'], ci.env({}, limited))
    assert.equal(resumed.code, 0, resumed.stderr)
    assert.match(resumed.stderr, /first sync, continued/)
    assert.equal(held().count, 1000)
    // It continues from the last start stored (one second back, in case another activity shares that
    // second), not from the beginning: 601 listed, so 4 pages and the empty one.
    assert.ok(Number(listCalls(limited)[0].query.after) > 0)
    assert.equal(listCalls(limited).length, Math.ceil(601 / 200) + 1)
  } finally {
    await limited.close()
  }
})

test('kill -9 in the middle of a first sync loses at most the page in flight; the next sync continues', async () => {
  ci.emulator.setActivities(weeksOfActivities(30, 1, 100))
  // Slow pages, so that the kill lands while a page is in flight.
  ci.emulator.inject({kind: 'slow', delayMs: 400, times: 8, match: '/api/v3/athlete/activities'})
  const run = startCli(['sync'], {env: ci.env(), timeoutMs: 120_000})
  // The 4th list request goes out once the 3rd page is stored: then kill it without warning.
  for (let i = 0; i < 1200 && listCalls().length < 4; i++) await new Promise((resolve) => setTimeout(resolve, 50))
  run.child.kill('SIGKILL')
  const killed = await run.result
  assert.equal(killed.signal, 'SIGKILL')

  const kept = held()
  assert.equal(kept.integrity, 'ok')
  assert.ok(kept.count >= 600 && kept.count < 3000 && kept.count % 200 === 0, `${kept.count} activities kept`)
  ci.emulator.clearRequests()
  const resumed = await cli(['sync'])
  assert.equal(resumed.code, 0, resumed.stderr)
  assert.match(resumed.stderr, /first sync, continued/)
  assert.equal(held().count, 3000)
  assert.equal(listCalls().length, Math.ceil((3000 - kept.count + 1) / 200) + 1)
})

test('two processes syncing the same archive at once both succeed and leave it whole', async () => {
  ci.emulator.setActivities(weeksOfActivities(20, 1, 100))
  const runs = [
    startCli(['sync'], {env: ci.env(), timeoutMs: 120_000}),
    startCli(['sync'], {env: ci.env(), timeoutMs: 120_000}),
  ]
  const results = await Promise.all(runs.map((run) => run.result))
  for (const result of results) assert.equal(result.code, 0, result.stderr)
  const state = held()
  assert.equal(state.integrity, 'ok')
  assert.equal(state.count, 2000)
  // And a generate while a sync runs.
  const [sync, note] = await Promise.all([cli(['sync', '--full']), cli(['generate', '--week', monday(3), '--json'])])
  assert.equal(sync.code, 0, sync.stderr)
  assert.equal(note.code, 0, note.stderr)
  assert.equal(JSON.parse(note.stdout).totals.count, 100)
})

test('a damaged archive is reported with its path and the command that rebuilds it; the file is left alone', async () => {
  ci.emulator.setActivities(weeksOfActivities(3, 1, 10))
  assert.equal((await cli(['sync'])).code, 0)
  const garbage = Buffer.alloc(64 * 1024, 'x')
  await writeFile(archivePath(), garbage)
  for (const args of [['sync'], ['generate', '--week', monday(2)], ['sync', '--status']]) {
    const result = await cli(args)
    assert.equal(result.code, 6, `${args.join(' ')}: ${result.stderr}`)
    assert.ok(result.stderr.includes(archivePath()), result.stderr)
    assert.match(result.stderr, /damaged/)
    assert.match(result.stderr, /mv '.*archive\.sqlite' '.*archive\.sqlite\.damaged' && weeknotes sync/)
  }

  assert.deepEqual(await readFile(archivePath()), garbage)
})

test('--offline renders from the archive with Strava gone and no login; a week never synced gets a warning', async () => {
  const gone = await startStravaEmulator({seed: 'empty'})
  gone.setActivities(weeksOfActivities(4, 2, 21))
  assert.equal((await cli(['sync'], ci.env({}, gone))).code, 0)
  await gone.close()

  // No credentials at all, and the API address points at the closed emulator.
  const offlineEnv = cliEnvironment(ci.home, {
    WEEKNOTES_DATA_DIR: ci.dataDir,
    STRAVA_API_URL: gone.apiUrl,
    DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/weeknotes-bus',
  })
  const note = await cli(['generate', '--offline', '--week', monday(3)], offlineEnv)
  assert.equal(note.code, 0, note.stderr)
  assert.match(note.stdout, /21 activities/)
  assert.equal(note.stderr.trim(), '')

  // The sync covered the whole history up to when it ran; this week goes on after that.
  const unheld = await cli(['generate', '--offline', '--week', 'this', '--json'], offlineEnv)
  assert.equal(unheld.code, 0, unheld.stderr)
  assert.equal(JSON.parse(unheld.stdout).totals.count, 0)
  assert.match(unheld.stderr, /has not synced all of/)

  await ci.newDataDir()
  const empty = await cli(['generate', '--offline'], {...offlineEnv, WEEKNOTES_DATA_DIR: ci.dataDir})
  assert.equal(empty.code, 2)
  assert.match(empty.stderr, /holds no activities yet/)
  assert.match(empty.stderr, /weeknotes sync/)
})

test('on a terminal, sync shows its progress page by page', {skip: terminalSkipReason}, async () => {
  ci.emulator.setActivities(weeksOfActivities(6, 1, 70))
  const result = await runCliOnTerminal(['sync'], ci.env())
  assert.equal(result.code, 0, result.output)
  for (const [page, listed] of [
    [1, 200],
    [2, 400],
    [3, 420],
  ]) {
    assert.match(result.output, new RegExp(`Syncing: page ${page}, ${listed} activities listed, ${listed} new`))
  }

  assert.match(result.output, /Synced \(first sync, whole history\): 420 activities listed in 4 requests/)
})
