// The README's recipe without an API application, run as a user would: `weeknotes import export.zip`
// with the built CLI and no login, then `weeknotes generate --offline`. No Strava, no network.
import assert from 'node:assert/strict'
import {existsSync} from 'node:fs'
import {mkdtemp} from 'node:fs/promises'
import {join} from 'node:path'
import {after, before, test} from 'node:test'

import {
  cliEnvironment,
  createCliHome,
  runCli,
  runCliOnTerminal,
  terminalSkipReason,
  type CliHome,
} from '../support/cli.js'
import {
  activitiesCsv,
  exportFiles,
  type FixtureActivity,
  fit,
  gpx,
  gz,
  tcx,
  writeExportFolder,
  writeExportZip,
} from '../archive/export/fixture.js'

let home: CliHome
let zip: string

// Week 2024-W10 (4-10 March) as an athlete travelling from Berlin to Tokyo to Los Angeles recorded it.
const activities: FixtureActivity[] = [
  {
    id: '9001',
    start: new Date('2024-03-03T23:30:00Z'), // Monday 00:30 in Berlin (FIT offset +1 h): week 10, not 9
    name: 'Midnight ride',
    type: 'Ride',
    distance: 25_000,
    elapsedTime: 3700,
    movingTime: 3600,
    file: {name: 'activities/9001.fit.gz', content: gz(fit(new Date('2024-03-03T23:30:00Z'), 3600))},
  },
  {
    id: '9002',
    start: new Date('2024-03-06T22:00:00Z'), // Thursday 07:00 in Tokyo
    name: 'Tokyo run, "early"',
    type: 'Run',
    description: 'Jet lag 😴\nstill fine',
    distance: 8000,
    elapsedTime: 2500,
    movingTime: 2400,
    file: {
      name: 'activities/9002.tcx.gz',
      content: gz(tcx({lat: 35.68, lon: 139.76}, new Date('2024-03-06T22:00:00Z'), '  ')),
    },
  },
  {
    id: '9003',
    start: new Date('2024-03-11T06:30:00Z'), // Sunday 23:30 in Los Angeles: still week 10
    name: 'LA sunset run',
    type: 'Run',
    distance: 6000,
    elapsedTime: 1900,
    movingTime: 1800,
    file: {name: 'activities/9003.gpx', content: gpx({lat: 34.05, lon: -118.25}, new Date('2024-03-11T06:30:00Z'))},
  },
]

before(async () => {
  home = await createCliHome()
  zip = await writeExportZip(join(home.root, 'export_1234567.zip'), exportFiles(activities))
})
after(() => home.remove())

/** oclif wraps messages to the terminal and prefixes them with ›: one line of plain words to match against. */
const plain = (text: string) => text.replace(/›/g, ' ').replace(/\s+/g, ' ')

async function weeknotes(args: string[], dataDir: string) {
  // No STRAVA_* at all, and an API URL nothing listens on: any request would fail the run.
  const env = cliEnvironment(home, {WEEKNOTES_DATA_DIR: dataDir, STRAVA_API_URL: 'http://127.0.0.1:9/api/v3'})
  const result = await runCli(args, {env})
  return {...result, stderr: plain(result.stderr)}
}

test('import then generate --offline writes the week with no login and no network', async () => {
  const dataDir = await mkdtemp(join(home.root, 'data-'))
  const imported = await weeknotes(['import', zip], dataDir)
  assert.equal(imported.code, 0, imported.stderr)
  assert.match(
    imported.stdout,
    /^Imported 3 activities from .*export_1234567\.zip \(English, 103 columns\) for Jane Runner \(athlete 1234567\): 3 new, 0 updated, 0 unchanged\./,
  )
  assert.match(
    imported.stdout,
    /Local dates: 1 from FIT time offset, 2 from GPS position, 0 from --timezone, 0 from system time zone \(.+\)\./,
  )
  assert.equal(imported.stderr.match(/does not say which activities are private/g)?.length, 1)

  const note = await weeknotes(['generate', '--offline', '--week', '2024-W10'], dataDir)
  assert.equal(note.code, 0, note.stderr)
  assert.match(note.stdout, /3 activities, 39\.0 km/)
  assert.match(note.stdout, /## Monday 4 March\n\n- 00:30 Midnight ride: Ride/)
  assert.match(note.stdout, /## Thursday 7 March\n\n- 07:00 Tokyo run, "early": Run/)
  // The export's own description reaches the note: there is no detail request for an imported activity.
  assert.match(note.stdout, /07:00 Tokyo run, "early": Run, 8\.0 km in 40:00 \(5:00 \/km\)\. Jet lag/)
  assert.match(note.stdout, /## Sunday 10 March\n\n- 23:30 LA sunset run: Run/)
  assert.doesNotMatch(note.stderr, /has not synced/)

  const again = await weeknotes(['import', zip], dataDir)
  assert.match(again.stdout, /: 0 new, 0 updated, 3 unchanged\./)
})

test('--dry-run --json reads and counts, and writes no archive', async () => {
  const dataDir = join(home.root, 'dry-data')
  const result = await weeknotes(['import', zip, '--dry-run', '--json', '--timezone', 'Europe/Paris'], dataDir)
  assert.equal(result.code, 0, result.stderr)
  const summary = JSON.parse(result.stdout)
  assert.equal(summary.dryRun, true)
  assert.equal(summary.activities, 3)
  assert.deepEqual(summary.language, {code: 'en', name: 'English'})
  assert.deepEqual(summary.localDate, {'fit-offset': 1, 'gps-position': 2, 'timezone-flag': 0, 'system-zone': 0})
  assert.equal(summary.fallbackZone, 'Europe/Paris')
  assert.equal(summary.athlete.id, '1234567')
  assert.equal(existsSync(dataDir), false)
})

test('bad input ends with exit 2 and a sentence saying what to do', async () => {
  const dataDir = join(home.root, 'bad-data')
  const missing = await weeknotes(['import', join(home.root, 'nope.zip')], dataDir)
  assert.equal(missing.code, 2)
  assert.match(missing.stderr, /nope\.zip does not exist\. Name the ZIP file Strava sent/)

  const zone = await weeknotes(['import', zip, '--timezone', 'Mars/Olympus'], dataDir)
  assert.equal(zone.code, 2)
  assert.match(zone.stderr, /--timezone "Mars\/Olympus" is not a time zone/)

  const french = join(home.root, 'french')
  await writeExportFolder(
    french,
    new Map([['activities.csv', Buffer.from(activitiesCsv([]).replace('Activity ID', 'ID de l’activité'))]]),
  )
  const language = await weeknotes(['import', french], dataDir)
  assert.equal(language.code, 2)
  assert.match(language.stderr, /This export is in French; weeknotes reads English and German exports/)
  assert.doesNotMatch(language.stderr + missing.stderr + zone.stderr, /\n\s+at /)
})

test('shows progress on a terminal, and only there', {skip: terminalSkipReason}, async () => {
  const dataDir = await mkdtemp(join(home.root, 'tty-data-'))
  const {code, output: stdout} = await runCliOnTerminal(
    ['import', zip],
    cliEnvironment(home, {WEEKNOTES_DATA_DIR: dataDir}),
  )
  assert.equal(code, 0, stdout)
  // One self-overwriting line: carriage return, erase to the end of the line, the count.
  assert.ok(stdout.includes('\r\u001B[KImporting: '), stdout)
  assert.match(stdout, /Importing: \d+ activities \(\d+%\)/)
  assert.match(stdout, /Imported 3 activities/)

  const piped = await weeknotes(['import', zip], dataDir)
  assert.doesNotMatch(piped.stdout + piped.stderr, /Importing:/)
})
