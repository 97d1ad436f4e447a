import assert from 'node:assert/strict'
import {copyFile, mkdtemp, readdir, readFile, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'
import {fileURLToPath} from 'node:url'
import {buildDigest} from '../../src/notes/digest.js'
import {loadTemplate, TemplateError} from '../../src/notes/render.js'
import {parseWeek} from '../../src/notes/week.js'
import {week10Activities} from './activities.js'

const expected = fileURLToPath(new URL('../fixtures/weeknotes-2024-W10.md', import.meta.url))
const context = buildDigest({
  week: parseWeek('2024-W10', new Date(2025, 5, 1)),
  athlete: {id: 134815, firstname: 'Marianne', lastname: 'Example'},
  units: 'metric',
  activities: week10Activities(),
  generatedAt: new Date('2024-03-11T06:00:00Z'),
})

describe('compiled template cache', () => {
  let dir: string
  let cacheDir: string
  const compiledFiles = async () => (await readdir(join(cacheDir, 'templates')).catch(() => [])).sort()

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'weeknotes-template-cache-'))
  })
  after(async () => rm(dir, {recursive: true, force: true}))

  it('renders the same from the compiled form as from the template, and keeps one file per template text', async () => {
    cacheDir = join(dir, 'first')
    const compiled = await loadTemplate(undefined, {cacheDir})
    assert.equal(compiled(context), await readFile(expected, 'utf8'))
    const files = await compiledFiles()
    assert.equal(files.length, 1)
    assert.match(files[0], /^[0-9a-f]{32}\.cjs$/)

    const fromCache = await loadTemplate(undefined, {cacheDir})
    assert.equal(fromCache(context), await readFile(expected, 'utf8'))
    assert.deepEqual(await compiledFiles(), files)
  })

  it('a second load renders from the compiled file, not from the template', async () => {
    // The compiled form of another text, planted under this template's key: only a load that reads the
    // cache renders it. A cache that always missed would compile the template and print its own words.
    const template = join(dir, 'planted.md.hbs')
    await writeFile(template, '{{week.id}} compiled from the template\n')
    cacheDir = join(dir, 'planted')
    assert.equal((await loadTemplate(template, {cacheDir}))(context), '2024-W10 compiled from the template\n')
    const [key] = await compiledFiles()

    const other = join(dir, 'other.md.hbs')
    await writeFile(other, '{{week.id}} read from the cache {{distance totals.distance}}\n')
    const otherCache = join(dir, 'other')
    await loadTemplate(other, {cacheDir: otherCache})
    const [otherKey] = await readdir(join(otherCache, 'templates'))
    await copyFile(join(otherCache, 'templates', otherKey), join(cacheDir, 'templates', key))

    assert.equal((await loadTemplate(template, {cacheDir}))(context), '2024-W10 read from the cache 105.0 km\n')
  })

  it('compiles again when the template text changes', async () => {
    cacheDir = join(dir, 'changing')
    const file = join(dir, 'custom.md.hbs')
    await writeFile(file, '{{week.id}} first\n')
    assert.equal((await loadTemplate(file, {cacheDir}))(context), '2024-W10 first\n')
    await writeFile(file, '{{week.id}} second {{distance totals.distance}}\n')
    assert.equal((await loadTemplate(file, {cacheDir}))(context), '2024-W10 second 105.0 km\n')
    assert.equal((await compiledFiles()).length, 2)
  })

  it('falls back to compiling when the compiled file is unusable, and still reports a broken template', async () => {
    cacheDir = join(dir, 'broken')
    await loadTemplate(undefined, {cacheDir})
    const [name] = await compiledFiles()
    await writeFile(join(cacheDir, 'templates', name), 'module.exports = {')
    assert.equal((await loadTemplate(undefined, {cacheDir}))(context), await readFile(expected, 'utf8'))

    const broken = join(dir, 'broken.md.hbs')
    await writeFile(broken, '{{#each days}}\nno end\n')
    await assert.rejects(loadTemplate(broken, {cacheDir}), TemplateError)
  })

  it('works without a writable cache directory', async () => {
    const file = join(dir, 'not-a-dir')
    await writeFile(file, '')
    assert.equal((await loadTemplate(undefined, {cacheDir: file}))(context), await readFile(expected, 'utf8'))
  })
})
