// Files the user has are never replaced by surprise, and local inputs (templates, the template cache)
// cannot hang or break a run: the hardening items of issue 9 for src/notes.
import assert from 'node:assert/strict'
import {execFileSync} from 'node:child_process'
import {chmod, readdir, readFile, stat, symlink, truncate, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {test} from 'node:test'

import {buildDigest} from '../../src/notes/digest.js'
import {writeFileAtomic} from '../../src/notes/output.js'
import {loadTemplate} from '../../src/notes/render.js'
import {parseWeek} from '../../src/notes/week.js'
import type {SummaryActivity} from '../../src/strava/types.js'
import {scratchDirectories} from '../support/scratch.js'

const {fresh} = scratchDirectories('hardening')

const exit2 = (pattern: RegExp) => (error: Error & {exitCode?: number}) => {
  assert.equal(error.exitCode, 2, error.message)
  assert.match(error.message, pattern)
  return true
}

test('--force replaces only regular files: a FIFO, a symlink (to /proc/self/fd or a file), a directory exit 2', async () => {
  const directory = await fresh()
  const fifo = join(directory, 'pipe.md')
  execFileSync('mkfifo', [fifo])
  await assert.rejects(writeFileAtomic(fifo, 'note', {force: true}), exit2(/named pipe \(FIFO\), not a regular file/))
  assert.ok((await stat(fifo)).isFIFO(), 'the FIFO is still there')

  const toFd = join(directory, 'fd.md')
  await symlink('/proc/self/fd/1', toFd)
  await assert.rejects(writeFileAtomic(toFd, 'note', {force: true}), exit2(/symbolic link/))

  const target = join(directory, 'real.md')
  await writeFile(target, 'mine')
  const toFile = join(directory, 'link.md')
  await symlink(target, toFile)
  await assert.rejects(writeFileAtomic(toFile, 'note', {force: true}), exit2(/symbolic link/))
  assert.equal(await readFile(target, 'utf8'), 'mine')

  await assert.rejects(writeFileAtomic(directory, 'note', {force: true}), exit2(/is a directory/))
  assert.deepEqual(
    (await readdir(directory)).filter((name) => name.includes('.tmp-')),
    [],
  )
})

test('a --out-dir that is a file exits 2 naming it', async () => {
  const directory = await fresh()
  const file = join(directory, 'notes')
  await writeFile(file, 'not a directory')
  await assert.rejects(
    writeFileAtomic(join(file, '2024-W10.md'), 'note', {force: false}),
    exit2(/notes is not a directory/),
  )
})

test('--force keeps the mode of the file it replaces', async () => {
  const directory = await fresh()
  const path = join(directory, 'note.md')
  await writeFile(path, 'old')
  await chmod(path, 0o600)
  await writeFileAtomic(path, 'new', {force: true})
  assert.equal(await readFile(path, 'utf8'), 'new')
  assert.equal((await stat(path)).mode & 0o777, 0o600)
})

test('a template that is a FIFO or a directory exits 2 at once instead of hanging', async () => {
  const directory = await fresh()
  const fifo = join(directory, 'template.hbs')
  execFileSync('mkfifo', [fifo])
  await assert.rejects(loadTemplate(fifo), exit2(/template\.hbs is not a regular file/))
  await assert.rejects(loadTemplate(directory), exit2(/is not a regular file/))
})

test('a template over 1 MiB exits 2 without being read', async () => {
  const directory = await fresh()
  const big = join(directory, 'big.hbs')
  await writeFile(big, '')
  await truncate(big, 50 * 1024 * 1024)
  await assert.rejects(loadTemplate(big), exit2(/larger than 1 MiB/))
})

test('an empty compiled-template cache file is a miss: the template is compiled again and the file repaired', async () => {
  const cacheDir = await fresh()
  await loadTemplate(undefined, {cacheDir})
  const [file] = await readdir(join(cacheDir, 'templates'))
  await truncate(join(cacheDir, 'templates', file), 0)
  const render = await loadTemplate(undefined, {cacheDir})
  const week = parseWeek('2024-W10', new Date())
  const context = buildDigest({week, athlete: {id: 1}, units: 'metric', activities: [], generatedAt: new Date()})
  assert.match(render(context), /No activities this week/)
  assert.ok((await stat(join(cacheDir, 'templates', file))).size > 0)
})

test('sport types and ids with table or link syntax cannot break the Markdown of the default template', async () => {
  const week = parseWeek('2024-W10', new Date())
  const activity: SummaryActivity = {
    id: 1,
    id_str: '1) [x](http://evil',
    name: 'Run',
    sport_type: 'Run | injected | cells',
    start_date: '2024-03-05T07:00:00Z',
    start_date_local: '2024-03-05T07:00:00Z',
    distance: 5000,
    moving_time: 1500,
    elapsed_time: 1500,
    total_elevation_gain: 0,
  }
  const context = buildDigest({
    week,
    athlete: {id: 1},
    units: 'metric',
    activities: [activity],
    generatedAt: new Date(),
  })
  const markdown = (await loadTemplate())(context)
  const row = markdown.split('\n').find((line) => line.includes('injected'))!
  // Five cells: the sport's pipes are escaped.
  assert.equal(row.split(/(?<!\\)\|/).length - 2, 5, row)
  assert.match(markdown, /\(https:\/\/www\.strava\.com\/activities\/1\)%20%5Bx%5D\(http%3A%2F%2Fevil\)/)
  const line = markdown.split('\n').find((text) => text.startsWith('- '))!
  assert.ok(!line.includes('](http://evil'), line)
})
