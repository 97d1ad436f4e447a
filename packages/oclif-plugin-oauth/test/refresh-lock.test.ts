import assert from 'node:assert/strict'
import {mkdir, mkdtemp, readdir, readFile, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'

import {acquireRefreshLock, RefreshLockTimeoutError, withRefreshLock} from '../src/refresh-lock.js'

describe('refresh lock', () => {
  let dir: string
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'weeknotes-lock-'))
  })
  after(async () => {
    await rm(dir, {recursive: true, force: true})
  })

  it('holds the lock file with pid and time while the action runs and removes it after', async () => {
    const path = join(dir, 'a.lock')
    const seen = await withRefreshLock({path}, async () => JSON.parse(await readFile(path, 'utf8')))
    assert.equal(seen.pid, process.pid)
    assert.equal(typeof seen.at, 'number')
    await assert.rejects(readFile(path), {code: 'ENOENT'})
  })

  it('lets one holder in at a time', async () => {
    const path = join(dir, 'b.lock')
    const order: string[] = []
    let releaseFirst!: () => void
    const firstHeld = new Promise<void>((resolve) => {
      releaseFirst = resolve
    })
    let firstEntered!: () => void
    const firstInside = new Promise<void>((resolve) => {
      firstEntered = resolve
    })
    const first = withRefreshLock({path}, async () => {
      order.push('first in')
      firstEntered()
      await firstHeld
      order.push('first out')
    })
    // Start the second only once the first holds the lock (both racing for it is another test's job).
    await firstInside
    // The second waiter polls; it may only enter after the first left.
    const second = withRefreshLock(
      {path, sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms))},
      async () => {
        order.push('second in')
      },
    )
    await new Promise((resolve) => setTimeout(resolve, 50))
    assert.deepEqual(order, ['first in'])
    releaseFirst()
    await Promise.all([first, second])
    assert.deepEqual(order, ['first in', 'first out', 'second in'])
  })

  it('breaks a lock whose owner process is dead', async () => {
    const path = join(dir, 'c.lock')
    await writeFile(path, JSON.stringify({pid: 999_999_999, at: Date.now()}))
    const release = await acquireRefreshLock({path, waitMs: 0, isAlive: () => false})
    assert.equal(JSON.parse(await readFile(path, 'utf8')).pid, process.pid)
    await release()
  })

  it('breaks a lock older than the stale limit even when its owner lives', async () => {
    const path = join(dir, 'd.lock')
    await writeFile(path, JSON.stringify({pid: process.pid, at: 1_000}))
    const release = await acquireRefreshLock({path, waitMs: 0, staleMs: 60_000, now: () => 62_000})
    assert.equal(JSON.parse(await readFile(path, 'utf8')).at, 62_000)
    await release()
  })

  it('by default keeps the lock of a live owner whose refresh is still retrying after a minute', async () => {
    const path = join(dir, 'f.lock')
    await writeFile(path, JSON.stringify({pid: process.pid, at: 1_000}))
    await assert.rejects(acquireRefreshLock({path, waitMs: 0, now: () => 1_000 + 65_000}), RefreshLockTimeoutError)
    assert.equal(JSON.parse(await readFile(path, 'utf8')).at, 1_000)
  })

  it('gives up after the wait bound when a live owner keeps a fresh lock', async () => {
    const path = join(dir, 'e.lock')
    await writeFile(path, JSON.stringify({pid: process.pid, at: Date.now()}))
    let clock = Date.now()
    const sleeps: number[] = []
    await assert.rejects(
      acquireRefreshLock({
        path,
        waitMs: 1_000,
        now: () => clock,
        sleep: async (ms) => {
          sleeps.push(ms)
          clock += ms
        },
      }),
      (error: unknown) =>
        error instanceof RefreshLockTimeoutError && error.exitCode === 1 && error.suggestions![0].includes(path),
    )
    assert.ok(sleeps.length > 2 && sleeps[1] > sleeps[0], 'backs off')
    assert.equal(JSON.parse(await readFile(path, 'utf8')).pid, process.pid, 'the other owner keeps its lock')
    await rm(path)
  })

  it('does not remove a lock that someone else took over after ours was broken', async () => {
    const path = join(dir, 'f.lock')
    const release = await acquireRefreshLock({path})
    await writeFile(path, JSON.stringify({pid: 4242, at: Date.now()}))
    await release()
    assert.equal(JSON.parse(await readFile(path, 'utf8')).pid, 4242)
    await rm(path)
  })

  // A run whose lock write failed (disk full) used to leave an empty refresh.lock that made every
  // later run wait, then fail, for two minutes.
  for (const [label, content] of [
    ['empty', ''],
    ['unparseable', '{"pid":12'],
    ['ownerless', '{"owner":"someone"}'],
  ]) {
    it(`takes over an ${label} lock at once: it names no live owner`, async () => {
      const path = join(dir, `${label}.lock`)
      await writeFile(path, content)
      const release = await acquireRefreshLock({path, waitMs: 0})
      assert.equal(JSON.parse(await readFile(path, 'utf8')).pid, process.pid)
      await release()
    })
  }

  it('waits on an unreadable lock it cannot remove, then says to delete it', async () => {
    const path = join(dir, 'directory.lock')
    await mkdir(path)
    await assert.rejects(
      acquireRefreshLock({path, waitMs: 0}),
      (error: unknown) => error instanceof RefreshLockTimeoutError && error.suggestions![0].includes(path),
    )
    await rm(path, {recursive: true})
  })

  it('leaves no temporary file behind and never shows an empty lock', async () => {
    const lockDir = await mkdtemp(join(tmpdir(), 'weeknotes-lock-clean-'))
    const path = join(lockDir, 'refresh.lock')
    const seen = await withRefreshLock({path}, async () => ({
      files: await readdir(lockDir),
      content: await readFile(path, 'utf8'),
    }))
    assert.deepEqual(seen.files, ['refresh.lock'])
    assert.ok(seen.content.length > 0)
    assert.deepEqual(await readdir(lockDir), [])
    await rm(lockDir, {recursive: true})
  })
})
