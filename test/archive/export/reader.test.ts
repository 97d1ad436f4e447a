import assert from 'node:assert/strict'
import {mkdtemp, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'

import {ExportFormatError, ExportPathError} from '../../../src/archive/export/errors.js'
import {type ExportActivity, StravaExport} from '../../../src/archive/export/reader.js'
import {
  activitiesCsv,
  exportFiles,
  type FixtureActivity,
  type FixtureOptions,
  fit,
  gpx,
  gz,
  tcx,
  writeExportFolder,
  writeExportZip,
} from './fixture.js'

let work: string
before(async () => {
  work = await mkdtemp(join(tmpdir(), 'weeknotes-export-'))
})
after(() => rm(work, {recursive: true, force: true}))

let count = 0
async function zipOf(activities: FixtureActivity[], options: FixtureOptions = {}): Promise<string> {
  return writeExportZip(join(work, `export-${count++}.zip`), exportFiles(activities, options), options.zipPrefix)
}

async function folderOf(activities: FixtureActivity[], options: FixtureOptions = {}): Promise<string> {
  return writeExportFolder(join(work, `folder-${count++}`), exportFiles(activities, options))
}

async function readAll(path: string, options: Parameters<typeof StravaExport.open>[1] = {}) {
  const reader = await StravaExport.open(path, {systemZone: 'Asia/Kolkata', ...options})
  try {
    const activities: ExportActivity[] = []
    for await (const activity of reader.activities()) activities.push(activity)
    return {activities, summary: reader.summary, athlete: reader.athlete}
  } finally {
    reader.close()
  }
}

const byId = (activities: ExportActivity[], id: string) => {
  const found = activities.find((activity) => activity.id_str === id)
  assert.ok(found, `activity ${id} was read`)
  return found
}

const LOS_ANGELES = {lat: 34.05, lon: -118.25}
const TOKYO = {lat: 35.68, lon: 139.76}
const SYDNEY = {lat: -33.87, lon: 151.21}

describe('reading an English export ZIP (103 columns)', () => {
  // Week 2024-W10 ends on Sunday 10 March 2024; the US changed to summer time that morning.
  const activities: FixtureActivity[] = [
    {
      id: '10000000001',
      start: new Date('2024-03-11T06:30:00Z'), // Sunday 23:30 in Los Angeles (PDT, UTC-7), Monday in UTC
      name: 'Late run, "sunset" edition 🌅',
      type: 'Run',
      description: 'Line one, with "quotes"\r\nline two 🏃‍♀️, done\nthird',
      privateNote: 'felt slow',
      distance: 10012.3,
      elapsedTime: 3100.5,
      movingTime: 3000,
      elevationGain: 55.5,
      averageSpeed: 3.337,
      averageHeartrate: 151.2,
      file: {name: 'activities/11111.gpx', content: gpx(LOS_ANGELES, new Date('2024-03-11T06:30:00Z'))},
    },
    {
      id: '10000000002',
      start: new Date('2024-03-10T15:30:00Z'), // Monday 00:30 in Tokyo
      name: 'Tokyo shakeout',
      type: 'Run',
      distance: 5000,
      elapsedTime: 1800,
      movingTime: 1750,
      file: {name: 'activities/22222.tcx.gz', content: gz(tcx(TOKYO, new Date('2024-03-10T15:30:00Z'), '   \n  '))},
    },
    {
      rawLine: '#error#,"Something went wrong"',
      id: '',
      start: new Date(0),
      name: '',
      type: '',
      distance: 0,
      elapsedTime: 0,
    },
    {
      id: '10000000003',
      start: new Date('2024-03-10T23:15:00Z'), // FIT says local = UTC+1: Monday 00:15
      name: 'Indoor ride',
      type: 'Virtual Ride',
      distance: 30000,
      elapsedTime: 3600,
      movingTime: 3600,
      file: {name: 'activities/33333.fit.gz', content: gz(fit(new Date('2024-03-10T23:15:00Z'), 3600, LOS_ANGELES))},
    },
    {
      id: '10000000004',
      start: new Date('2024-03-10T14:00:00Z'), // Sydney, AEDT (UTC+11): Monday 01:00
      name: 'Harbour swim',
      type: 'Swim',
      displayDistance: '1,500',
      distance: 1500,
      elapsedTime: 2000,
      movingTime: 1900,
      file: {name: 'activities/44444.fit', content: fit(new Date('2024-03-10T14:00:00Z'), undefined, SYDNEY)},
    },
    {
      id: '10000000005',
      start: new Date('2024-03-10T23:45:00Z'),
      name: 'Lost file',
      type: 'E-Bike Ride',
      distance: 12000,
      elapsedTime: 2400,
      file: {name: 'activities/55555.gpx.gz', missing: true},
    },
    {
      id: '10000000006',
      start: new Date('2024-03-09T08:00:00Z'),
      name: 'Gym',
      type: 'Quidditch',
      distance: 0,
      elapsedTime: 2700,
    },
    {
      id: '10000000007',
      start: new Date('2024-03-08T08:00:00Z'),
      name: 'Old device',
      type: 'Ride',
      distance: 20000,
      elapsedTime: 4000,
      file: {name: 'activities/77777.bin.gz', content: gz(Buffer.from([1, 2, 3]))},
    },
  ]

  let result: Awaited<ReturnType<typeof readAll>>
  before(async () => {
    result = await readAll(await zipOf(activities, {newline: '\r\n'}), {timezone: 'Europe/London'})
  })

  it('reads every row but the #error# one, in order, with the language, columns and athlete', () => {
    assert.deepEqual(
      result.activities.map((activity) => activity.id_str),
      ['10000000001', '10000000002', '10000000003', '10000000004', '10000000005', '10000000006', '10000000007'],
    )
    assert.deepEqual(result.summary.language, {code: 'en', name: 'English'})
    assert.equal(result.summary.columns, 103)
    assert.deepEqual(result.summary.skipped, {'error-row': 1})
    assert.equal(result.summary.missingFiles, 1)
    assert.deepEqual(result.summary.unknownTypes, {Quidditch: 1})
    assert.equal(result.athlete?.id_str, '1234567')
    assert.equal(result.athlete?.firstname, 'Jane')
  })

  it('keeps quotes, commas, emoji and line breaks of quoted fields', () => {
    const run = byId(result.activities, '10000000001')
    assert.equal(run.name, 'Late run, "sunset" edition 🌅')
    assert.equal(run.description, 'Line one, with "quotes"\r\nline two 🏃‍♀️, done\nthird')
    assert.equal(run.private_note, 'felt slow')
  })

  it('takes metres and seconds from the second Distance and Elapsed Time columns', () => {
    const run = byId(result.activities, '10000000001')
    assert.equal(run.distance, 10012.3)
    assert.equal(run.elapsed_time, 3101)
    assert.equal(run.moving_time, 3000)
    assert.equal(run.total_elevation_gain, 55.5)
    assert.equal(run.average_speed, 3.337)
    assert.equal(run.average_heartrate, 151.2)
    assert.equal(byId(result.activities, '10000000004').distance, 1500)
  })

  it('dates a GPS start in Los Angeles on Sunday 23:30 (Monday in UTC) on Sunday, with summer time', () => {
    const run = byId(result.activities, '10000000001')
    assert.equal(run.start_date, '2024-03-11T06:30:00Z')
    assert.equal(run.start_date_local, '2024-03-10T23:30:00Z')
    assert.equal(run.timezone, '(GMT-07:00) America/Los_Angeles')
    assert.equal(run.utc_offset, -7 * 3600)
    assert.equal(run.start_date_local_source, 'gps-position')
  })

  it('finds the first position of a gzipped TCX that starts with spaces, and a FIT without an offset', () => {
    const tokyo = byId(result.activities, '10000000002')
    assert.equal(tokyo.start_date_local, '2024-03-11T00:30:00Z')
    assert.equal(tokyo.timezone, '(GMT+09:00) Asia/Tokyo')
    const sydney = byId(result.activities, '10000000004')
    assert.equal(sydney.start_date_local, '2024-03-11T01:00:00Z')
    assert.equal(sydney.start_date_local_source, 'gps-position')
  })

  it("prefers a FIT file's local-time offset to its GPS position", () => {
    const ride = byId(result.activities, '10000000003')
    assert.equal(ride.start_date_local, '2024-03-11T00:15:00Z')
    assert.equal(ride.start_date_local_source, 'fit-offset')
    assert.equal(ride.utc_offset, 3600)
    assert.equal(ride.sport_type, 'VirtualRide')
  })

  it('falls back to --timezone for missing, manual and unreadable files', () => {
    for (const id of ['10000000005', '10000000006', '10000000007']) {
      assert.equal(byId(result.activities, id).start_date_local_source, 'timezone-flag', id)
    }

    assert.equal(byId(result.activities, '10000000005').start_date_local, '2024-03-10T23:45:00Z')
    assert.equal(byId(result.activities, '10000000005').sport_type, 'EBikeRide')
    assert.equal(byId(result.activities, '10000000006').sport_type, 'Workout')
    assert.equal(byId(result.activities, '10000000006').manual, true)
    assert.deepEqual(result.summary.localDate, {
      'fit-offset': 1,
      'gps-position': 3,
      'timezone-flag': 3,
      'system-zone': 0,
    })
  })

  it('leaves visibility unknown', () => {
    for (const activity of result.activities) {
      assert.equal(activity.visibility, undefined)
      assert.equal(activity.private, undefined)
    }
  })
})

describe('reading other layouts and languages', () => {
  const start = new Date('2024-11-04T13:53:46Z')
  it('reads a German 87-column folder: German dates, types and headers', async () => {
    const {activities, summary, athlete} = await readAll(
      await folderOf(
        [
          {
            id: '2001',
            start,
            name: 'Morgenlauf',
            type: 'Lauf',
            distance: 8000.5,
            elapsedTime: 2900.4,
            movingTime: 2800,
          },
          {
            id: '2002',
            start,
            name: 'Bahnen',
            type: 'Schwimmen',
            displayDistance: '1.500',
            distance: 1500,
            elapsedTime: 2000,
          },
        ],
        {language: 'de', layout: 87},
      ),
    )
    assert.deepEqual(summary.language, {code: 'de', name: 'German'})
    assert.equal(summary.columns, 87)
    assert.equal(athlete?.id_str, '1234567')
    assert.deepEqual(
      activities.map((activity) => [
        activity.sport_type,
        activity.start_date,
        activity.distance,
        activity.elapsed_time,
      ]),
      [
        ['Run', '2024-11-04T13:53:46Z', 8000.5, 2900],
        ['Swim', '2024-11-04T13:53:46Z', 1500, 2000],
      ],
    )
    // No file, no --timezone: the system zone (India, UTC+5:30).
    assert.equal(activities[0].start_date_local, '2024-11-04T19:23:46Z')
    assert.equal(activities[0].start_date_local_source, 'system-zone')
    assert.equal(summary.localDate['system-zone'], 2)
  })

  for (const language of ['en', 'de'] as const) {
    it(`reads display distances of a 10-column ${language} export (km, swims in metres with thousands separators)`, async () => {
      const separator = language === 'de' ? ['12,34', '2.250'] : ['12.34', '2,250']
      const {activities} = await readAll(
        await zipOf(
          [
            {
              id: '3001',
              start,
              name: 'Run',
              type: language === 'de' ? 'Lauf' : 'Run',
              displayDistance: separator[0],
              distance: 0,
              elapsedTime: 3000,
            },
            {
              id: '3002',
              start,
              name: 'Swim',
              type: language === 'de' ? 'Schwimmen' : 'Swim',
              displayDistance: separator[1],
              distance: 0,
              elapsedTime: 3000,
            },
          ],
          {language, layout: 10},
        ),
      )
      assert.deepEqual(
        activities.map((activity) => [activity.distance, activity.elapsed_time, activity.moving_time]),
        [
          [12340, 3000, 3000],
          [2250, 3000, 3000],
        ],
      )
    })
  }

  it('reads a ZIP that wraps the export in a folder, and ids beyond 2^53 exactly', async () => {
    const {activities} = await readAll(
      await zipOf([{id: '18014398509481985', start, name: 'Big id', type: 'Walk', distance: 1000, elapsedTime: 600}], {
        zipPrefix: 'export_1234567/',
      }),
    )
    assert.equal(activities[0].id_str, '18014398509481985')
  })

  it('names the language of an export it cannot read', async () => {
    const csv = activitiesCsv([])
      .replace('Activity ID', 'ID de l’activité')
      .replace('Activity Date', "Date de l'activité")
    const folder = join(work, 'french')
    await writeExportFolder(folder, new Map([['activities.csv', Buffer.from(csv)]]))
    await assert.rejects(StravaExport.open(folder), (error: Error) => {
      assert.ok(error instanceof ExportFormatError)
      assert.match(error.message, /This export is in French; weeknotes reads English and German exports/)
      return true
    })
  })

  it('finds the athlete id in a profile.csv whose header it does not know', async () => {
    const folder = join(work, 'profile-unknown-header')
    await writeExportFolder(
      folder,
      new Map([
        ['activities.csv', Buffer.from(activitiesCsv([]))],
        [
          'profile.csv',
          Buffer.from('"E-Mail","Identifiant de l’athlète ID","Prénom"\n"a@example.com","7654321","Jeanne"\n'),
        ],
      ]),
    )
    const reader = await StravaExport.open(folder)
    reader.close()
    assert.equal(reader.athlete?.id_str, '7654321')
  })

  it('says when the language is unknown', async () => {
    const folder = join(work, 'unknown')
    await writeExportFolder(folder, new Map([['activities.csv', Buffer.from('"Foo","Bar"\n"1","2"\n')]]))
    await assert.rejects(StravaExport.open(folder), /the first is "Foo"\), so its language is unknown/)
  })

  it('rejects a file that is not a ZIP, a missing path and a folder without activities.csv', async () => {
    const notZip = join(work, 'not-a-zip.zip')
    await writeFile(notZip, 'hello')
    await assert.rejects(
      StravaExport.open(notZip),
      (error: Error) => error instanceof ExportFormatError && /not a ZIP/.test(error.message),
    )
    await assert.rejects(StravaExport.open(join(work, 'nothing-here.zip')), (error: Error) => {
      assert.ok(error instanceof ExportPathError)
      assert.match(error.message, /does not exist/)
      return true
    })
    await assert.rejects(StravaExport.open(work), /has no activities\.csv, so it is not a Strava account export/)
  })
})
