// Detailed activities kept in the archive (a real SQLite file): read once, again only when stale.
import assert from 'node:assert/strict'
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, test} from 'node:test'

import {ActivityArchive} from '../../src/archive/archive.js'
import {archivedDetails, DETAILS_RECHECK_MS} from '../../src/archive/details.js'
import type {DetailedActivity, SummaryActivity} from '../../src/strava/types.js'

const root = await mkdtemp(join(tmpdir(), 'weeknotes-details-'))
after(() => rm(root, {recursive: true, force: true}))
let n = 0

function summary(id: string, start: string, name = `Run ${id}`): SummaryActivity {
  return {
    id: Number(id),
    id_str: id,
    name,
    sport_type: 'Run',
    start_date: start,
    start_date_local: start,
    distance: 5000,
    moving_time: 1500,
    elapsed_time: 1500,
    total_elevation_gain: 0,
  }
}

/** A reader that counts its requests and answers with the description Strava has right now. */
function fakeStrava(descriptions: Map<string, string>) {
  const calls: string[] = []
  return {
    calls,
    async getActivity(id: string): Promise<DetailedActivity> {
      calls.push(id)
      if (!descriptions.has(id)) throw Object.assign(new Error('Record Not Found'), {status: 404})
      return {...summary(id, '2024-03-04T07:00:00Z'), description: descriptions.get(id)}
    },
  }
}

test('reads each activity once, then from the archive; a changed summary or a stale recent copy is read again', async () => {
  let now = Date.parse('2024-06-01T12:00:00Z')
  const archive = ActivityArchive.open(join(root, `case-${++n}`, 'archive.sqlite'), {now: () => now})
  try {
    const old = summary('1', '2024-03-04T07:00:00Z')
    const recent = summary('2', '2024-05-30T07:00:00Z')
    archive.upsertActivities('7', [old, recent])
    const strava = fakeStrava(
      new Map([
        ['1', 'First.'],
        ['2', 'Second.'],
      ]),
    )
    const details = archivedDetails({archive, athleteId: '7', reader: strava, now: () => now})

    const first = await details([old, recent])
    assert.deepEqual(strava.calls, ['1', '2'])
    assert.equal(first.get('1')?.description, 'First.')

    now += 60_000
    const again = await details([old, recent])
    assert.deepEqual(strava.calls, ['1', '2'], 'nothing read twice within the hour')
    assert.equal(again.get('2')?.description, 'Second.')

    now += DETAILS_RECHECK_MS
    await details([old, recent])
    assert.deepEqual(strava.calls, ['1', '2', '2'], 'the recent activity is read again, the old one is not')

    now += 60_000
    const renamed = summary('1', '2024-03-04T07:00:00Z', 'Renamed run')
    archive.upsertActivities('7', [renamed])
    await details([renamed, recent])
    assert.deepEqual(strava.calls, ['1', '2', '2', '1'], 'a changed summary means the details may have changed')
  } finally {
    archive.close()
  }
})

test('offline the stored copies are all there is; an activity gone from Strava keeps its copy', async () => {
  const now = Date.parse('2024-06-01T12:00:00Z')
  const archive = ActivityArchive.open(join(root, `case-${++n}`, 'archive.sqlite'), {now: () => now})
  try {
    const kept = summary('1', '2024-05-31T07:00:00Z')
    const never = summary('2', '2024-05-31T08:00:00Z')
    archive.upsertActivities('7', [kept, never])
    await archivedDetails({archive, athleteId: '7', reader: fakeStrava(new Map([['1', 'Kept.']])), now: () => now})([
      kept,
    ])

    const offline = await archivedDetails({archive, athleteId: '7', now: () => now})([kept, never])
    assert.equal(offline.get('1')?.description, 'Kept.')
    assert.equal(offline.has('2'), false)

    const gone = fakeStrava(new Map())
    const later = now + 2 * DETAILS_RECHECK_MS
    const afterDeletion = await archivedDetails({archive, athleteId: '7', reader: gone, now: () => later})([kept])
    assert.deepEqual(gone.calls, ['1'])
    assert.equal(afterDeletion.get('1')?.description, 'Kept.')
  } finally {
    archive.close()
  }
})
