// Every earlier schema version migrates forward to the current one, keeping what it held. Version 0 is
// an empty file (what a crash right after creating the file leaves); each later one is built with the
// migrations up to it, as that release of weeknotes would have left it.
import assert from 'node:assert/strict'
import {mkdtemp, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, test} from 'node:test'

import {ActivityArchive} from '../../src/archive/archive.js'
import {migrations, SCHEMA_VERSION} from '../../src/archive/schema.js'
import {loadSqlite} from '../../src/archive/sqlite.js'

const root = await mkdtemp(join(tmpdir(), 'weeknotes-migrations-'))
after(() => rm(root, {recursive: true, force: true}))

function fileAtVersion(path: string, version: number): void {
  const {DatabaseSync} = loadSqlite()
  const db = new DatabaseSync(path)
  for (let v = 0; v < version; v++) migrations[v](db)
  db.exec(`PRAGMA user_version = ${version}`)
  // From the first schema on, one activity as that version stored it.
  if (version >= 1) {
    db.prepare(
      `INSERT INTO activities (athlete_id, activity_id, start_utc, start_local, start_local_date, sport_type,
        summary_json, summary_updated_at) VALUES ('7', '101', 1709532000, '2024-03-04T07:00:00', '2024-03-04', 'Run', ?, 0)`,
    ).run(
      '{"id":101,"name":"Kept","sport_type":"Run","start_date":"2024-03-04T06:00:00Z","start_date_local":"2024-03-04T07:00:00Z"}',
    )
  }

  db.close()
}

test('the schema version is the number of migrations', () => {
  assert.ok(SCHEMA_VERSION >= 1)
  assert.equal(SCHEMA_VERSION, migrations.length)
})

for (let version = 0; version < SCHEMA_VERSION; version++) {
  test(`a file at schema version ${version} migrates to ${SCHEMA_VERSION} and keeps its activities`, async () => {
    const path = join(root, `v${version}.sqlite`)
    if (version === 0) await writeFile(path, '')
    else fileAtVersion(path, version)
    const archive = ActivityArchive.open(path)
    try {
      const {DatabaseSync} = loadSqlite()
      const peek = new DatabaseSync(path, {readOnly: true})
      assert.equal(peek.prepare('PRAGMA user_version').get()!.user_version, SCHEMA_VERSION)
      peek.close()
      archive.upsertActivities('7', [
        {
          id: 102,
          id_str: '102',
          name: 'New',
          sport_type: 'Ride',
          start_date: '2024-03-05T06:00:00Z',
          start_date_local: '2024-03-05T07:00:00Z',
          distance: 0,
          moving_time: 0,
          elapsed_time: 0,
          total_elevation_gain: 0,
        },
      ])
      const names = archive.activitiesInLocalRange('7', '2024-03-04', '2024-03-10').map((a) => a.name)
      assert.deepEqual(names, version === 0 ? ['New'] : ['Kept', 'New'])
    } finally {
      archive.close()
    }
  })
}

test('a file that does not exist yet is created at the current version', () => {
  const path = join(root, 'new', 'archive.sqlite')
  ActivityArchive.open(path).close()
  const {DatabaseSync} = loadSqlite()
  const db = new DatabaseSync(path, {readOnly: true})
  assert.equal(db.prepare('PRAGMA user_version').get()!.user_version, SCHEMA_VERSION)
  db.close()
})
