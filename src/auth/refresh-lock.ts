import {mkdir, open, readFile, stat, unlink} from 'node:fs/promises'
import {dirname, join} from 'node:path'
import {setTimeout as delay} from 'node:timers/promises'

import {ExitCodeError} from './errors.js'

export class RefreshLockTimeoutError extends ExitCodeError {
  declare suggestions: string[]
  readonly exitCode = 1
  constructor(path: string, waitedMs: number) {
    super(`Another weeknotes process has been renewing the Strava login for over ${Math.round(waitedMs / 1000)} s.`, {
      suggestions: [`If no other weeknotes process is running, delete ${path} and try again.`],
    })
  }
}

export interface RefreshLockOptions {
  path: string
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
 * The lock every writer of a stored login takes (a refresh, `weeknotes auth`, logout), so that a
 * renewal finishing late never writes its tokens over a new login or back after a logout.
 */
export function refreshLockPath(configDir: string): string {
  return join(configDir, 'refresh.lock')
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
 * Runs `action` while holding an inter-process lock: a file created with O_EXCL holding the owner's pid
 * and start time. A lock whose owner is dead or that is older than `staleMs` is broken; otherwise the
 * caller waits with a growing backoff up to `waitMs`. Two `weeknotes` runs therefore never spend the
 * same rotating refresh token.
 */
/**
 * Longer than the slowest refresh a live owner can be in (three 20 s attempts and the waits between
 * them): breaking its lock earlier would let a second process spend the same rotating refresh token.
 */
const DEFAULT_STALE_MS = 120_000

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
    const owner: LockOwner = {pid: process.pid, at: now()}
    const content = JSON.stringify(owner)
    try {
      const handle = await open(path, 'wx', 0o600)
      try {
        await handle.writeFile(content)
      } finally {
        await handle.close()
      }

      return async () => {
        // Only remove the lock if it is still ours (it may have been broken as stale meanwhile).
        if ((await readLock(path)) === content) await unlink(path).catch(() => {})
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    }

    const existing = await readLock(path)
    if (existing !== undefined && (await isStale(path, existing, staleMs, now, isAlive))) {
      // Re-check right before breaking it, so a lock just re-created by someone else survives.
      if ((await readLock(path)) === existing) await unlink(path).catch(() => {})
      continue
    }

    if (now() - started >= waitMs) throw new RefreshLockTimeoutError(path, now() - started)
    await sleep(backoff)
    backoff = Math.min(backoff * 2, 500)
  }
}

async function readLock(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8')
  } catch {
    return undefined
  }
}

async function isStale(
  path: string,
  content: string,
  staleMs: number,
  now: () => number,
  isAlive: (pid: number) => boolean,
): Promise<boolean> {
  let owner: Partial<LockOwner> | undefined
  try {
    owner = JSON.parse(content) as Partial<LockOwner>
  } catch {
    owner = undefined
  }

  if (typeof owner?.pid === 'number' && typeof owner.at === 'number') {
    return !isAlive(owner.pid) || now() - owner.at > staleMs
  }

  // Empty or unreadable content: its creator may be between open and write; judge by the file's age.
  try {
    return now() - (await stat(path)).mtimeMs > staleMs
  } catch {
    return false
  }
}
