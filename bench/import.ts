// The import part of `npm run bench`: a synthetic Strava export of 5,000 activities with their files
// (FIT, GPX, TCX, gzipped as Strava stores them) imported by the built CLI into an empty archive, then
// once more (nothing changes): wall time and peak memory. Without --smoke the ZIP also carries 320 MiB of
// incompressible media, as real exports do with photos and videos: the peak memory must not follow the
// ZIP's size. --smoke imports 500 activities and no media.
import {randomBytes} from 'node:crypto'
import {createWriteStream} from 'node:fs'
import {mkdir, stat} from 'node:fs/promises'
import {join} from 'node:path'
import {Readable} from 'node:stream'
import {pipeline} from 'node:stream/promises'

import yazl from 'yazl'

import {activitiesCsv, type FixtureActivity, fit, gpx, gz, tcx} from '../test/archive/export/fixture.js'

export interface ImportBenchRun {
  ms: number
  cpuMs: number
  rssMiB: number
}

export interface ImportBenchOptions {
  smoke: boolean
  sandbox: string
  env: NodeJS.ProcessEnv
  /** Runs the built CLI with these arguments and environment; rejects when it fails. */
  runCli: (args: string[], env: NodeJS.ProcessEnv) => Promise<ImportBenchRun>
  report: (label: string, value: string, target?: string, met?: boolean) => void
}

const PLACES = [
  {lat: 52.52, lon: 13.4}, // Berlin
  {lat: 34.05, lon: -118.25}, // Los Angeles
  {lat: 35.68, lon: 139.76}, // Tokyo
  {lat: -33.87, lon: 151.21}, // Sydney
]

/** One file per kind and place, reused by many activities: parsing costs the same, building the ZIP less. */
function fileTemplates(): Map<string, Buffer> {
  const start = new Date('2024-03-04T07:00:00Z')
  const templates = new Map<string, Buffer>()
  PLACES.forEach((place, index) => {
    templates.set(`fit-${index}`, gz(fit(start, 3600 * (index - 1), place, 3600)))
    templates.set(`gpx-${index}`, gz(gpx(place, start, '', 3600)))
    templates.set(`tcx-${index}`, gz(tcx(place, start, '  ')))
  })
  return templates
}

function syntheticActivities(count: number): {activities: FixtureActivity[]; files: Map<string, string>} {
  const activities: FixtureActivity[] = []
  const files = new Map<string, string>()
  const kinds = ['fit', 'gpx', 'tcx', 'fit', 'gpx', 'gpx', 'fit', 'tcx', 'fit', 'manual']
  for (let i = 0; i < count; i++) {
    const id = String(2_000_000_000 + i)
    const kind = kinds[i % kinds.length]
    const extension = kind === 'manual' ? '' : `.${kind}.gz`
    const name = `activities/${id}${extension}`
    if (kind !== 'manual') files.set(name, `${kind}-${i % PLACES.length}`)
    activities.push({
      id,
      start: new Date(Date.UTC(2019, 0, 1) + i * 9.5 * 3600_000),
      name: `Activity ${i}, "synthetic" 🏃`,
      type: ['Run', 'Ride', 'Swim', 'Walk', 'Weight Training'][i % 5],
      description: i % 3 === 0 ? `Line one\nline two, with a comma` : undefined,
      distance: 5000 + (i % 50) * 100,
      elapsedTime: 3600,
      movingTime: 3400,
      elevationGain: 42,
      averageSpeed: 2.9,
      averageHeartrate: 140,
      file: kind === 'manual' ? undefined : {name},
    })
  }

  return {activities, files}
}

/** 32 MiB chunks of random bytes (stored, not deflated): media the import must skip without reading. */
function incompressible(bytes: number): Readable {
  let left = bytes
  return new Readable({
    read() {
      const size = Math.min(left, 32 * 1024 * 1024)
      left -= size
      this.push(size > 0 ? randomBytes(size) : null)
    },
  })
}

export async function buildExport(path: string, count: number, mediaMiB: number): Promise<void> {
  const {activities, files} = syntheticActivities(count)
  const templates = fileTemplates()
  const zip = new yazl.ZipFile()
  zip.addBuffer(Buffer.from(activitiesCsv(activities, {layout: 103})), 'activities.csv')
  zip.addBuffer(Buffer.from('"Athlete ID","First Name","Last Name"\n"1234567","Bench","Athlete"\n'), 'profile.csv')
  for (const [name, template] of files) zip.addBuffer(templates.get(template)!, name, {compress: false})
  if (mediaMiB > 0) zip.addReadStream(incompressible(mediaMiB * 1024 * 1024), 'media/video.mp4', {compress: false})
  zip.end()
  await pipeline(zip.outputStream, createWriteStream(path))
}

export async function benchImport(o: ImportBenchOptions): Promise<void> {
  const count = o.smoke ? 500 : 5000
  const mediaMiB = o.smoke ? 0 : 320
  const dir = join(o.sandbox, 'import')
  await mkdir(dir, {recursive: true})
  const zipPath = join(dir, `export-${count}.zip`)
  await buildExport(zipPath, count, mediaMiB)
  const zipMiB = (await stat(zipPath)).size / 1024 / 1024
  const env = {...o.env, WEEKNOTES_DATA_DIR: join(dir, 'data')}

  const first = await o.runCli(['import', zipPath, '--timezone', 'Europe/Berlin'], env)
  const again = await o.runCli(['import', zipPath, '--timezone', 'Europe/Berlin'], env)
  const what = `import ${count} activities (ZIP ${zipMiB.toFixed(0)} MiB)`
  o.report(
    what,
    `${(first.ms / 1000).toFixed(2)} s (CPU ${(first.cpuMs / 1000).toFixed(2)} s), peak RSS ${first.rssMiB.toFixed(1)} MiB`,
    '< 150 MiB',
    first.rssMiB < 150,
  )
  o.report(
    '  again (nothing changes)',
    `${(again.ms / 1000).toFixed(2)} s, peak RSS ${again.rssMiB.toFixed(1)} MiB`,
    '< 150 MiB',
    again.rssMiB < 150,
  )
}
