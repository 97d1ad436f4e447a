// Detailed activities kept in the archive (a real SQLite file): read once, again only when stale.
import assert from 'node:assert/strict'
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, test} from 'node:test'

import {ActivityArchive} from '../../src/archive/archive.js'
import {archivedDetails, DETAIL_REQUESTS_AT_ONCE, DETAILS_RECHECK_MS} from '../../src/archive/details.js'
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

/** A reader over one HTTP/2 connection (or not) that answers after a pause and counts the requests under way. */
function concurrentStrava(descriptions: Map<string, string>, o: {together: boolean; failing?: string}) {
  const calls: string[] = []
  const seen = {inFlight: 0, most: 0}
  return {
    calls,
    seen,
    async sendsTogether() {
      return o.together
    },
    async getActivity(id: string): Promise<DetailedActivity> {
      calls.push(id)
      seen.most = Math.max(seen.most, ++seen.inFlight)
      try {
        await new Promise((resolve) => setTimeout(resolve, 20))
        if (id === o.failing) throw Object.assign(new Error('Strava is down'), {exitCode: 5})
        if (!descriptions.has(id)) throw Object.assign(new Error('Record Not Found'), {status: 404})
        return {...summary(id, '2024-03-04T07:00:00Z'), description: descriptions.get(id)}
      } finally {
        seen.inFlight--
      }
    },
  }
}

test('over HTTP/2 a few requests go at once, one per activity, with the results of one at a time', async () => {
  const now = Date.parse('2024-06-01T12:00:00Z')
  const week = Array.from({length: 30}, (_v, i) => summary(String(100 + i), '2024-03-04T07:00:00Z'))
  // Every third activity is gone from Strava (404); one of those has a copy from an earlier run.
  const descriptions = new Map(week.filter((_a, i) => i % 3 !== 0).map((a) => [a.id_str!, `About ${a.id_str}.`]))
  const results = []
  for (const together of [false, true]) {
    let clock = now - 60_000
    const archive = ActivityArchive.open(join(root, `case-${++n}`, 'archive.sqlite'), {now: () => clock})
    try {
      archive.upsertActivities('7', week)
      archive.setDetails('7', '100', {...week[0], description: 'Kept.'})
      // Renamed since: the copy is stale and asked for again.
      clock = now
      archive.upsertActivities('7', [{...week[0], name: 'Renamed'}])
      const strava = concurrentStrava(descriptions, {together})
      const details = await archivedDetails({archive, athleteId: '7', reader: strava, now: () => now})([
        ...week,
        week[1],
      ])
      assert.deepEqual([...strava.calls].sort(), week.map((a) => a.id_str!).sort(), 'one request per activity')
      assert.equal(strava.seen.most, together ? DETAIL_REQUESTS_AT_ONCE : 1)
      assert.equal(details.get('100')?.description, 'Kept.', 'a 404 keeps the copy')
      assert.equal(details.has('103'), false)
      results.push([...details.entries()])
      const again = await archivedDetails({archive, athleteId: '7', reader: strava, now: () => now})(week)
      assert.deepEqual(
        strava.calls.slice(week.length).sort(),
        week.filter((a) => !descriptions.has(a.id_str!)).map((a) => a.id_str!),
        'the copies read are reused; only those Strava did not have are asked again',
      )
      assert.deepEqual([...again.entries()], results.at(-1))
    } finally {
      archive.close()
    }
  }

  assert.deepEqual(results[1], results[0])
})

test('the first failure stops further requests, lets those under way finish and keep their copies, and is the error', async () => {
  const now = Date.parse('2024-06-01T12:00:00Z')
  const week = Array.from({length: 30}, (_v, i) => summary(String(200 + i), '2024-03-04T07:00:00Z'))
  const archive = ActivityArchive.open(join(root, `case-${++n}`, 'archive.sqlite'), {now: () => now})
  try {
    archive.upsertActivities('7', week)
    const descriptions = new Map(week.map((a) => [a.id_str!, 'Fine.']))
    const strava = concurrentStrava(descriptions, {together: true, failing: '207'})
    await assert.rejects(
      archivedDetails({archive, athleteId: '7', reader: strava, now: () => now})(week),
      /Strava is down/,
    )
    assert.equal(strava.seen.inFlight, 0, 'nothing left under way')
    assert.ok(strava.calls.length < week.length, `${strava.calls.length} requests: none started after the failure`)
    assert.ok(strava.calls.length <= 8 + DETAIL_REQUESTS_AT_ONCE)
    const kept = strava.calls.filter((id) => id !== '207')
    const retry = concurrentStrava(descriptions, {together: true})
    await archivedDetails({archive, athleteId: '7', reader: retry, now: () => now})(week)
    assert.deepEqual(
      retry.calls.filter((id) => kept.includes(id)),
      [],
      'what was read before the failure is not read again',
    )
  } finally {
    archive.close()
  }
})
