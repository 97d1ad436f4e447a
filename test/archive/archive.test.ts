// The archive on real SQLite files in a temporary directory: storage, queries, permissions, precedence
// of API over export rows, deletion, and what a damaged or too-new file does.
import assert from 'node:assert/strict'
import {mkdtemp, readFile, rm, stat, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, test} from 'node:test'

import {ActivityArchive, forgetAthlete} from '../../src/archive/archive.js'
import {ArchiveDamagedError, ArchiveTooNewError} from '../../src/archive/errors.js'
import {holdsSettled, RECENT_WINDOW_S} from '../../src/archive/sync.js'
import {loadSqlite} from '../../src/archive/sqlite.js'
import {parseStravaJson} from '../../src/strava/json.js'
import type {SummaryActivity} from '../../src/strava/types.js'

const root = await mkdtemp(join(tmpdir(), 'weeknotes-archive-'))
after(() => rm(root, {recursive: true, force: true}))
let n = 0
const freshPath = () => join(root, `case-${++n}`, 'data', 'archive.sqlite')

/** As the Strava client hands them over: parsed from JSON text, with exact ids in id_str. */
function activities(json: string): SummaryActivity[] {
  return parseStravaJson(json) as SummaryActivity[]
}

const page = activities(`[
  {"id": 18446744073709551557, "name": "Late run", "sport_type": "Run", "visibility": "only_me", "private": true,
   "start_date": "2024-03-10T23:30:00Z", "start_date_local": "2024-03-11T00:30:00Z", "athlete": {"id": 7}},
  {"id": 101, "name": "Ride", "sport_type": "Ride", "visibility": "everyone",
   "start_date": "2024-03-04T06:00:00Z", "start_date_local": "2024-03-04T07:00:00Z", "athlete": {"id": 7}}
]`)

test('stores Strava JSON with exact ids and answers by local date, in a 0600 file in a 0700 directory', async () => {
  const path = freshPath()
  const archive = ActivityArchive.open(path)
  try {
    assert.equal(archive.upsertActivities('7', page), 2)
    assert.equal(archive.upsertActivities('7', page), 0, 'the same activities again are not new')
    const week = archive.activitiesInLocalRange('7', '2024-03-04', '2024-03-10')
    assert.deepEqual(
      week.map((a) => a.id_str),
      ['101'],
      'the late run belongs to Monday 11 March locally, though it started on the 10th in UTC',
    )
    const [late] = archive.activitiesInLocalRange('7', '2024-03-11', '2024-03-17')
    assert.equal(late.id_str, '18446744073709551557')
    assert.equal(late.name, 'Late run')
    assert.deepEqual(archive.activitiesInLocalRange('8', '2024-01-01', '2024-12-31'), [], 'other athletes see nothing')
    const summary = archive.summary('7')
    assert.equal(summary.count, 2)
    assert.deepEqual(summary.sports.map((s) => s.sportType).sort(), ['Ride', 'Run'])
    assert.equal(summary.first, '2024-03-04T07:00:00')
  } finally {
    archive.close()
  }

  assert.equal((await stat(path)).mode & 0o777, 0o600)
  assert.equal((await stat(join(path, '..'))).mode & 0o777, 0o700)
  // The raw text keeps every digit of the id, as Strava sent it.
  const {DatabaseSync} = loadSqlite()
  const db = new DatabaseSync(path, {readOnly: true})
  const row = db
    .prepare("SELECT summary_json, private FROM activities WHERE activity_id = '18446744073709551557'")
    .get()
  db.close()
  assert.match(row!.summary_json as string, /"id":18446744073709551557,/)
  assert.doesNotMatch(row!.summary_json as string, /id_str/)
  assert.equal(row!.private, 1)
})

test('an exported activity never replaces one listed by the API; the API replaces an exported one', () => {
  const archive = ActivityArchive.open(freshPath())
  try {
    const [ride] = activities(JSON.stringify([{...page[1], id_str: undefined, name: 'From the API'}]))
    const exported = {...ride, name: 'From the export'}
    archive.upsertActivities('7', [exported], {source: 'export'})
    assert.equal(archive.activitiesBetween('7', 0, 2e9)[0].name, 'From the export')
    archive.upsertActivities('7', [ride])
    archive.upsertActivities('7', [exported], {source: 'export'})
    assert.equal(archive.activitiesBetween('7', 0, 2e9)[0].name, 'From the API')
  } finally {
    archive.close()
  }
})

test('details are kept beside the summary; deleting an athlete removes everything held about them', () => {
  const path = freshPath()
  const archive = ActivityArchive.open(path)
  try {
    archive.upsertActivities('7', page)
    archive.upsertActivities('8', [page[1]])
    archive.saveAthlete({id: 7, firstname: 'Ada'})
    assert.equal(archive.setDetails('7', '101', {id: 101, description: 'Windy'}), true)
    assert.equal(archive.setDetails('7', '999', {id: 999}), false)
    assert.equal(archive.details('7', '101')?.details?.description, 'Windy')
    archive.updateSyncState('7', {historyComplete: true, lastSyncAt: 5})
    assert.deepEqual(archive.syncState('7'), {
      historyComplete: true,
      lastSyncAt: 5,
      resumeAfter: undefined,
      lastSync: undefined,
    })
  } finally {
    archive.close()
  }

  assert.equal(forgetAthlete(join(path, '..'), '7'), 2)
  const reopened = ActivityArchive.open(path)
  try {
    assert.equal(reopened.summary('7').count, 0)
    assert.equal(reopened.athlete('7'), undefined)
    assert.equal(reopened.syncState('7').historyComplete, false)
    assert.equal(reopened.summary('8').count, 1, "another athlete's activities stay")
  } finally {
    reopened.close()
  }

  assert.equal(forgetAthlete(join(root, 'nowhere'), '7'), undefined, 'no archive is not created just to be emptied')
})

test('a file that is not a database is reported with its path and a command to move it aside; it is left as it was', async () => {
  const path = freshPath()
  await ActivityArchive.open(path).close()
  const garbage = 'not a database, just some text that happens to be here\n'.repeat(100)
  await writeFile(path, garbage)
  assert.throws(
    () => ActivityArchive.open(path),
    (error: unknown) => {
      assert.ok(error instanceof ArchiveDamagedError)
      assert.equal(error.exitCode, 6)
      assert.ok(error.message.includes(path))
      assert.match(error.suggestions.join(' '), /mv '.*archive\.sqlite' '.*archive\.sqlite\.damaged' && weeknotes sync/)
      return true
    },
  )
  assert.equal(await readFile(path, 'utf8'), garbage)
})

test('a file from a newer weeknotes is refused, not downgraded', () => {
  const path = freshPath()
  ActivityArchive.open(path).close()
  const {DatabaseSync} = loadSqlite()
  const db = new DatabaseSync(path)
  db.exec('PRAGMA user_version = 99')
  db.close()
  assert.throws(() => ActivityArchive.open(path), ArchiveTooNewError)
})

test('a window is held for good once a listing covered it and the recent window has passed', () => {
  const day = 86_400
  const listedAt = (100 * day + RECENT_WINDOW_S) * 1000
  const coverage = [
    {after: 0, before: 50 * day, listedAt: listedAt},
    {after: 50 * day - 10, before: Number.MAX_SAFE_INTEGER, listedAt},
  ]
  assert.equal(holdsSettled(coverage, {after: 10 * day, before: 90 * day}), true, 'two listings joined')
  assert.equal(holdsSettled(coverage, {after: 10 * day, before: 101 * day}), false, 'too recent to be settled')
  assert.equal(holdsSettled([coverage[1]], {after: 10 * day, before: 60 * day}), false, 'a gap before the listing')
  assert.equal(holdsSettled([], {after: 0, before: 1}), false)
})
