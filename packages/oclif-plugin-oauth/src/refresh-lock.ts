import {randomBytes} from 'node:crypto'
import {link, mkdir, open, readFile, rm, unlink, writeFile} from 'node:fs/promises'
import {dirname, join} from 'node:path'
import {setTimeout as delay} from 'node:timers/promises'

import {ExitCodeError} from './errors.js'

/** Who holds such locks, for the timeout's message: the CLI's executable and the provider's name. */
export interface LockHolders {
  bin: string
  providerName: string
}

export class RefreshLockTimeoutError extends ExitCodeError {
  constructor(path: string, waitedMs: number, holders?: LockHolders) {
    const owner = holders ? `${holders.bin} process` : 'process'
    const login = holders ? `the ${holders.providerName} login` : 'the login'
    super(`Another ${owner} has been renewing ${login} for over ${Math.round(waitedMs / 1000)} s.`, {
      exitCode: 1,
      suggestions: [`If no other ${owner} is running, delete ${path} and try again.`],
    })
  }
}

export interface RefreshLockOptions {
  path: string
  /** Named in the message when waiting times out. */
  holders?: LockHolders
  /** A lock older than this is abandoned (its owner crashed or hangs). */
  staleMs?: number
  /** Give up waiting for another process after this long. */
  waitMs?: number
  now?: () => number
  sleep?: (ms: number) => Promise<void>
  /** Whether a process id is alive; injectable for tests. */
  isAlive?: (pid: number) => boolean
}

/**
 * The lock every writer of a stored login takes (a refresh, a login, a logout), so that a
 * renewal finishing late never writes its tokens over a new login or back after a logout.
 */
function refreshLockPath(configDir: string): string {
  return join(configDir, 'refresh.lock')
}

/** The refresh lock of a config directory, with who may hold it. */
export function refreshLock(configDir: string, holders?: LockHolders): RefreshLockOptions {
  return {path: refreshLockPath(configDir), holders}
}

interface LockOwner {
  pid: number
  at: number
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * Longer than the slowest refresh a live owner can be in (three 20 s attempts and the waits between
 * them): breaking its lock earlier would let a second process spend the same rotating refresh token.
 */
const DEFAULT_STALE_MS = 120_000

/**
 * Runs `action` while holding an inter-process lock: a file holding the owner's pid and start time,
 * created atomically. A lock whose owner is dead, that is older than `staleMs` or that names no owner
 * (empty, damaged, unreadable) is broken; otherwise the caller waits with a growing backoff up to
 * `waitMs`. Two runs of the CLI therefore never spend the same rotating refresh token.
 */
export async function withRefreshLock<T>(options: RefreshLockOptions, action: () => Promise<T>): Promise<T> {
  const release = await acquireRefreshLock(options)
  try {
    return await action()
  } finally {
    await release()
  }
}

export async function acquireRefreshLock(options: RefreshLockOptions): Promise<() => Promise<void>> {
  const {
    path,
    staleMs = DEFAULT_STALE_MS,
    waitMs = 30_000,
    now = Date.now,
    sleep = delay,
    isAlive = processIsAlive,
  } = options
  await mkdir(dirname(path), {recursive: true, mode: 0o700})
  const started = now()
  let backoff = 20
  for (;;) {
    const content = JSON.stringify({pid: process.pid, at: now()} satisfies LockOwner)
    if (await createLockFile(path, content)) {
      return async () => {
        // Only remove the lock if it is still ours (it may have been broken as stale meanwhile).
        if ((await readLock(path)) === content) await unlink(path).catch(() => {})
      }
    }

    const existing = await readLock(path)
    if (existing === missing) continue
    // Re-checked right before breaking it, so a lock just re-created by someone else survives. One
    // that cannot be removed is waited on like a live one, and the timeout says to delete it.
    if (!isLiveOwner(existing, staleMs, now, isAlive) && (await readLock(path)) === existing) {
      const removed = await rm(path, {force: true}).then(
        () => true,
        () => false,
      )
      if (removed) continue
    }

    if (now() - started >= waitMs) throw new RefreshLockTimeoutError(path, now() - started, options.holders)
    await sleep(backoff)
    backoff = Math.min(backoff * 2, 500)
  }
}

/**
 * Writes the owner into a temporary file and hard-links it to the lock path, which fails when the lock
 * exists: the lock appears with its content or not at all. A write that fails (disk full) leaves
 * nothing at the lock path for later runs to wait on. False when someone else holds the lock.
 */
async function createLockFile(path: string, content: string): Promise<boolean> {
  const temporary = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`
  try {
    await writeFile(temporary, content, {flag: 'wx', mode: 0o600})
    await link(temporary, path)
    return true
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'EEXIST') return false
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'ENOSYS') return createLockFileWithoutLinks(path, content)
    throw error
  } finally {
    await rm(temporary, {force: true})
  }
}

/** For file systems without hard links: create exclusively, write, and remove again if the write fails. */
async function createLockFileWithoutLinks(path: string, content: string): Promise<boolean> {
  let handle
  try {
    handle = await open(path, 'wx', 0o600)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false
    throw error
  }

  try {
    await handle.writeFile(content)
  } catch (error) {
    await handle.close().catch(() => {})
    await rm(path, {force: true})
    throw error
  }

  await handle.close()
  return true
}

const missing = Symbol('missing')
const unreadable = Symbol('unreadable')

async function readLock(path: string): Promise<string | typeof missing | typeof unreadable> {
  try {
    return await readFile(path, 'utf8')
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? missing : unreadable
  }
}

/**
 * Whether a lock belongs to a process that may still be refreshing. A lock is only ever created with
 * its owner written in, so an empty, damaged or unreadable one has no live owner.
 */
function isLiveOwner(
  content: string | typeof unreadable,
  staleMs: number,
  now: () => number,
  isAlive: (pid: number) => boolean,
): boolean {
  let owner: Partial<LockOwner> | undefined
  try {
    owner = typeof content === 'string' ? (JSON.parse(content) as Partial<LockOwner>) : undefined
  } catch {
    owner = undefined
  }

  if (typeof owner?.pid !== 'number' || typeof owner.at !== 'number') return false
  return isAlive(owner.pid) && now() - owner.at <= staleMs
}
