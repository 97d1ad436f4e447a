import assert from 'node:assert/strict'
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, afterEach, before, beforeEach, describe, it} from 'node:test'

import {ActivityArchive} from '../../../src/archive/archive.js'
import {importStravaExport} from '../../../src/archive/export/import.js'
import {describeImport} from '../../../src/archive/export/summary.js'
import type {SummaryActivity} from '../../../src/strava/types.js'
import {exportFiles, type FixtureActivity, type FixtureOptions, gpx, writeExportZip} from './fixture.js'

const ATHLETE = '1234567'
let work: string
let archive: ActivityArchive
let clock: number
let count = 0

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'weeknotes-import-'))
})
after(() => rm(work, {recursive: true, force: true}))
beforeEach(() => {
  clock = Date.UTC(2026, 0, 1)
  archive = ActivityArchive.open(join(work, `archive-${count++}.sqlite`), {now: () => (clock += 1000)})
})
afterEach(() => archive.close())

const zipOf = (activities: FixtureActivity[], options: FixtureOptions = {}) =>
  writeExportZip(join(work, `export-${count++}.zip`), exportFiles(activities, options))

const run = (id: string, overrides: Partial<FixtureActivity> = {}): FixtureActivity => ({
  id,
  start: new Date(`2024-03-0${Number(id) % 7 || 7}T07:00:00Z`),
  name: `Run ${id}`,
  type: 'Run',
  description: `Description ${id}`,
  distance: 10_000,
  elapsedTime: 3000,
  movingTime: 2900,
  file: {name: `activities/${id}.gpx`, content: gpx({lat: 52.52, lon: 13.4}, new Date('2024-03-04T07:00:00Z'))},
  ...overrides,
})

const held = () =>
  new Map(
    archive.activitiesInLocalRange(ATHLETE, '2024-01-01', '2024-12-31').map((activity) => [activity.id_str!, activity]),
  )
const updatedAt = (id: string) => archive.details(ATHLETE, id)?.summaryUpdatedAt

describe('importing an export into the archive', () => {
  it('stores each activity once with its local date, the athlete and the coverage', async () => {
    const result = await importStravaExport(await zipOf([run('1'), run('2'), run('3')]), archive, {systemZone: 'UTC'})
    assert.deepEqual([result.added, result.updated, result.unchanged, result.fromApi], [3, 0, 0, 0])
    const rows = held()
    assert.equal(rows.size, 3)
    assert.equal(rows.get('1')!.start_date_local, '2024-03-01T08:00:00Z') // Berlin, from the GPX position
    assert.equal((rows.get('1') as SummaryActivity & {description?: string}).description, 'Description 1')
    assert.equal(archive.athlete(ATHLETE)?.firstname, 'Jane')
    assert.equal(archive.coverage(ATHLETE)[0].after, 0)
  })

  it('changes nothing when the same export is imported again', async () => {
    const zip = await zipOf([run('1'), run('2')])
    await importStravaExport(zip, archive)
    const first = {rows: held(), stamps: [updatedAt('1'), updatedAt('2')], coverage: archive.coverage(ATHLETE)}
    const again = await importStravaExport(zip, archive)
    assert.deepEqual([again.added, again.updated, again.unchanged], [0, 0, 2])
    assert.deepEqual(held(), first.rows)
    assert.deepEqual([updatedAt('1'), updatedAt('2')], first.stamps)
    assert.deepEqual(archive.coverage(ATHLETE), first.coverage)
  })

  it('adds and updates from a newer export', async () => {
    await importStravaExport(await zipOf([run('1'), run('2')]), archive)
    const result = await importStravaExport(await zipOf([run('1'), run('2', {name: 'Renamed'}), run('3')]), archive)
    assert.deepEqual([result.added, result.updated, result.unchanged], [1, 1, 1])
    assert.equal(held().get('2')!.name, 'Renamed')
    assert.equal(held().size, 3)
  })

  it("keeps the API's fields for an activity the sync stored, adding only what the API row lacks", async () => {
    const fromApi: SummaryActivity = {
      id: 2,
      id_str: '2',
      name: 'Name from the API',
      sport_type: 'TrailRun',
      start_date: '2024-03-02T07:00:01Z',
      start_date_local: '2024-03-02T08:00:01Z',
      timezone: '(GMT+01:00) Europe/Berlin',
      distance: 10_100,
      moving_time: 2950,
      elapsed_time: 3050,
      total_elevation_gain: 120,
      visibility: 'only_me',
      private: true,
    }
    archive.upsertActivities(ATHLETE, [fromApi], {source: 'api', listedAt: clock})
    const result = await importStravaExport(await zipOf([run('1'), run('2', {privateNote: 'knee ok'})]), archive)
    assert.deepEqual([result.added, result.fromApi, result.completed], [1, 1, 1])
    const row = held().get('2') as SummaryActivity & {description?: string; private_note?: string}
    assert.equal(held().size, 2)
    assert.equal(row.name, 'Name from the API')
    assert.equal(row.sport_type, 'TrailRun')
    assert.equal(row.distance, 10_100)
    assert.equal(row.visibility, 'only_me')
    assert.equal(row.description, 'Description 2')
    assert.equal(row.private_note, 'knee ok')
    assert.ok(!('start_date_local_source' in row))

    const stamp = updatedAt('2')
    const again = await importStravaExport(await zipOf([run('1'), run('2', {privateNote: 'knee ok'})]), archive)
    assert.deepEqual([again.unchanged, again.completed], [2, 0])
    assert.equal(updatedAt('2'), stamp)

    // A later sync's listing still replaces the row: the API wins, and the words only the export had stay.
    archive.upsertActivities(ATHLETE, [{...fromApi, name: 'Renamed on Strava'}], {source: 'api', listedAt: clock})
    const relisted = held().get('2') as SummaryActivity & {description?: string; private_note?: string}
    assert.equal(relisted.name, 'Renamed on Strava')
    assert.equal(relisted.description, 'Description 2')
    assert.equal(relisted.private_note, 'knee ok')
  })

  it('refuses an export without profile.csv, and a dry run writes nothing', async () => {
    const noProfile = await zipOf([run('1')], {athlete: null})
    await assert.rejects(importStravaExport(noProfile, archive), /has no profile\.csv naming the athlete/)
    const dry = await importStravaExport(await zipOf([run('1')]), archive, {dryRun: true})
    assert.equal(dry.dryRun, true)
    assert.equal(dry.activities, 1)
    assert.equal(held().size, 0)
    assert.match(
      describeImport(dry)[0],
      /^Read 1 activity from .* \(English, 103 columns\) for Jane Runner \(athlete 1234567\); nothing was written/,
    )
  })

  it('summarises an import in lines a person reads', async () => {
    const result = await importStravaExport(
      await zipOf([
        run('1'),
        run('2', {file: undefined, type: 'Quidditch'}),
        run('3', {file: {name: 'activities/x.fit', missing: true}}),
      ]),
      archive,
      {timezone: 'America/New_York'},
    )
    assert.deepEqual(describeImport(result).slice(1), [
      'Local dates: 0 from FIT time offset, 1 from GPS position, 2 from --timezone (America/New_York), 0 from system time zone.',
      '1 activity file named in activities.csv not in the export; imported as Workout, types weeknotes does not know: Quidditch (1).',
    ])
  })
})
