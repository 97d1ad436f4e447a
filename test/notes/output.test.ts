import assert from 'node:assert/strict'
import {chmod, mkdir, readdir, readFile, stat, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {describe, it} from 'node:test'
import {OutputExistsError, writeFileAtomic} from '../../src/notes/output.js'
import {scratchDirectories} from '../support/scratch.js'

/**
 * Content that fails once the temporary file exists, as a crashed render or a full disk would: half-way
 * through the hand-written path's iteration, or when write-file-atomic (--force) turns it into a string.
 */
function failingContent(): string {
  return {
    *[Symbol.iterator]() {
      yield '---\ntitle: partial'
      throw new Error('disk full')
    },
    toString() {
      throw new Error('disk full')
    },
  } as unknown as string
}

describe('writeFileAtomic', () => {
  const {fresh} = scratchDirectories('output')

  it('creates missing directories and leaves only the target behind', async () => {
    const directory = await fresh()
    const target = join(directory, 'content', 'weeknotes', '2024-W10.md')
    await writeFileAtomic(target, '# week 10\n', {force: false})
    assert.equal(await readFile(target, 'utf8'), '# week 10\n')
    assert.deepEqual(await readdir(join(directory, 'content', 'weeknotes')), ['2024-W10.md'])
  })

  it('refuses to replace an existing file without force, exit 2, suggesting --force', async () => {
    const directory = await fresh()
    const target = join(directory, 'note.md')
    await writeFile(target, 'written by hand\n')
    await assert.rejects(writeFileAtomic(target, 'generated\n', {force: false}), (error: unknown) => {
      assert.ok(error instanceof OutputExistsError)
      assert.equal(error.exitCode, 2)
      assert.match(error.message, /note\.md already exists and was left untouched/)
      assert.match(error.suggestions.join(' '), /--force/)
      return true
    })
    assert.equal(await readFile(target, 'utf8'), 'written by hand\n')
    assert.deepEqual(await readdir(directory), ['note.md'])
  })

  it('of writers racing to create the same new file, exactly one wins and the file is its note, whole', async () => {
    const directory = await fresh()
    const target = join(directory, 'note.md')
    // Started together, every writer finds no file at first; large notes keep their writes overlapping.
    const notes = Array.from({length: 8}, (_, writer) => `# writer ${writer}\n${'x'.repeat(1024 * 1024)}\n`)
    const results = await Promise.allSettled(notes.map((note) => writeFileAtomic(target, note, {force: false})))

    const winners = results.flatMap((result, writer) => (result.status === 'fulfilled' ? [writer] : []))
    assert.equal(winners.length, 1, `exactly one writer wins, not ${winners.length}`)
    for (const result of results) {
      if (result.status === 'fulfilled') continue
      assert.ok(result.reason instanceof OutputExistsError, String(result.reason))
      assert.equal(result.reason.exitCode, 2)
    }

    assert.equal(await readFile(target, 'utf8'), notes[winners[0]])
    assert.deepEqual(await readdir(directory), ['note.md'], 'no temporary file is left behind')
  })

  it('replaces an existing file with force', async () => {
    const directory = await fresh()
    const target = join(directory, 'note.md')
    await writeFile(target, 'old\n')
    await writeFileAtomic(target, 'new\n', {force: true})
    assert.equal(await readFile(target, 'utf8'), 'new\n')
    assert.deepEqual(await readdir(directory), ['note.md'])
  })

  it('leaves no partial or empty file when writing fails', async () => {
    const directory = await fresh()
    const target = join(directory, 'note.md')
    await assert.rejects(writeFileAtomic(target, failingContent(), {force: false}), /disk full/)
    assert.deepEqual(await readdir(directory), [])
  })

  it('keeps the previous file intact when a forced write fails', async () => {
    const directory = await fresh()
    const target = join(directory, 'note.md')
    await writeFile(target, 'last week\n')
    await assert.rejects(writeFileAtomic(target, failingContent(), {force: true}), /disk full/)
    assert.equal(await readFile(target, 'utf8'), 'last week\n')
    assert.deepEqual(await readdir(directory), ['note.md'])
  })

  it('refuses a target that is a directory (exit 2), leaving nothing behind', async () => {
    const directory = await fresh()
    const target = join(directory, 'note.md')
    await mkdir(target)
    await writeFile(join(target, 'keep'), 'x')
    await assert.rejects(
      writeFileAtomic(target, 'content\n', {force: true}),
      (error: Error & {exitCode?: number}) =>
        error.exitCode === 2 && /is a directory, not a regular file/.test(error.message),
    )
    assert.deepEqual(await readdir(directory), ['note.md'])
    assert.ok((await stat(target)).isDirectory())
  })

  it('fails cleanly when the directory cannot be created', async () => {
    const directory = await fresh()
    await writeFile(join(directory, 'file'), 'x')
    await assert.rejects(
      writeFileAtomic(join(directory, 'file', 'note.md'), 'content\n', {force: false}),
      (error: Error & {exitCode?: number}) => error.exitCode === 2 && /file is not a directory/.test(error.message),
    )
    assert.deepEqual(await readdir(directory), ['file'])
  })

  it('fails cleanly in a read-only directory', async (t) => {
    if (process.getuid?.() === 0) return t.skip('root ignores directory permissions')
    const directory = await fresh()
    await chmod(directory, 0o555)
    try {
      await assert.rejects(writeFileAtomic(join(directory, 'note.md'), 'content\n', {force: false}), /EACCES|EPERM/)
      assert.deepEqual(await readdir(directory), [])
    } finally {
      await chmod(directory, 0o755)
    }
  })
})
