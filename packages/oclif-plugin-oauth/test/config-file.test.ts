import assert from 'node:assert/strict'
import {chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'

import {writeAtomic, writeJsonAtomic} from '../src/config-file.js'

describe('writeAtomic (config, credential files, pending login)', () => {
  let root: string
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'oauth-write-atomic-'))
  })
  after(() => rm(root, {recursive: true, force: true}))

  it('creates the directory 0700 and the file with the mode asked for, whatever the umask', async () => {
    const path = join(root, 'new', 'credentials.json')
    const umask = process.umask(0o000)
    try {
      await writeJsonAtomic(path, {a: 1}, 0o600)
    } finally {
      process.umask(umask)
    }
    assert.equal((await stat(path)).mode & 0o777, 0o600)
    assert.equal((await stat(join(root, 'new'))).mode & 0o777, 0o700)
    assert.equal(await readFile(path, 'utf8'), '{\n  "a": 1\n}\n')
  })

  it('replaces a file that was open to others with a 0600 one, bytes as given, nothing else left', async () => {
    const dir = join(root, 'replace')
    await mkdir(dir)
    const path = join(dir, 'credentials.sealed')
    await writeFile(path, 'old secrets')
    await chmod(path, 0o644)
    const sealed = new Uint8Array([0, 1, 2, 250, 251]).subarray(1, 4)
    await writeAtomic(path, sealed, 0o600)
    assert.deepEqual([...(await readFile(path))], [1, 2, 250])
    assert.equal((await stat(path)).mode & 0o777, 0o600)
    assert.deepEqual(await readdir(dir), ['credentials.sealed'])
  })

  it('a write that cannot be placed (a directory in the way) fails and leaves no temporary file', async () => {
    const dir = join(root, 'blocked')
    await mkdir(join(dir, 'config.json'), {recursive: true})
    await assert.rejects(writeJsonAtomic(join(dir, 'config.json'), {}, 0o600), {code: 'EISDIR'})
    assert.deepEqual(await readdir(dir), ['config.json'])
  })

  it('concurrent writes of one file end with one of them whole', async () => {
    const path = join(root, 'config.json')
    const values = Array.from({length: 20}, (_v, i) => ({clientId: String(i).repeat(1000)}))
    await Promise.all(values.map((value) => writeJsonAtomic(path, value, 0o600)))
    const written = JSON.parse(await readFile(path, 'utf8')) as {clientId: string}
    assert.ok(values.some((value) => value.clientId === written.clientId))
    assert.deepEqual(await readdir(root).then((names) => names.filter((name) => name.startsWith('config.json'))), [
      'config.json',
    ])
  })
})
