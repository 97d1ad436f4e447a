import {randomBytes} from 'node:crypto'
import {rmSync, type Stats} from 'node:fs'
import {link, lstat, mkdir, open, rename, rm} from 'node:fs/promises'
import {constants} from 'node:os'
import {basename, dirname, join} from 'node:path'

import {ExitCodeError} from 'oclif-plugin-oauth/errors'
import replaceFile from 'write-file-atomic'

export class OutputExistsError extends ExitCodeError {
  readonly exitCode = 2
  /** Always set: what to do next. */
  declare suggestions: string[]

  constructor(readonly path: string) {
    super(`${path} already exists and was left untouched.`, {
      suggestions: ['Pass --force to overwrite it, or choose another --output / --out-dir.'],
    })
  }
}

/**
 * A path weeknotes will not write to (exit 2). Only regular files are replaced: not a device (`/dev/null`
 * as root), a FIFO, a directory or a symbolic link; and --out-dir must be a directory.
 */
export class OutputPathError extends ExitCodeError {
  readonly exitCode = 2
  /** Always set: what to do next. */
  declare suggestions: string[]

  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message, {suggestions: ['Choose another --output or --out-dir (`--output -` writes to stdout).']})
  }
}

function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory'
  if (stats.isSymbolicLink()) return 'a symbolic link'
  if (stats.isFIFO()) return 'a named pipe (FIFO)'
  if (stats.isSocket()) return 'a socket'
  return 'a device'
}

/** What is at `path` now, when it is a regular file (undefined when nothing is); anything else is refused. */
async function existingRegularFile(path: string): Promise<Stats | undefined> {
  const stats = await lstat(path).catch((error: NodeJS.ErrnoException) => {
    // ENOTDIR: a file stands where the directory should be; creating the directory reports that.
    if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return undefined
    throw error
  })
  if (stats && !stats.isFile()) {
    throw new OutputPathError(path, `${path} is ${kindOf(stats)}, not a regular file, and was left untouched.`)
  }

  return stats
}

/** A directory that cannot be created because a file is in its place is bad input, not a bug. */
async function ensureDirectory(directory: string): Promise<void> {
  try {
    await mkdir(directory, {recursive: true})
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'EEXIST' || code === 'ENOTDIR') {
      throw new OutputPathError(
        directory,
        `${directory} is not a directory (a file is in the way), so no note was written.`,
      )
    }

    throw error
  }
}

/**
 * Temporary files being written. A signal (Ctrl-C, SIGTERM from cron or CI) would end the process before
 * any `finally` runs, so while there are any a handler removes them, then exits as the signal would.
 */
const pending = new Set<string>()
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const

function removePendingAndExit(signal: NodeJS.Signals): void {
  for (const temporary of pending) rmSync(temporary, {force: true})
  process.exit(128 + (constants.signals[signal] ?? 1))
}

function track(temporary: string): void {
  if (pending.size === 0) for (const signal of SIGNALS) process.on(signal, removePendingAndExit)
  pending.add(temporary)
}

function untrack(temporary: string): void {
  pending.delete(temporary)
  if (pending.size === 0) for (const signal of SIGNALS) process.off(signal, removePendingAndExit)
}

/** Whether anything (a file, a directory, even a dangling link) is at `path`, so that writing there would replace it. */
export async function fileExists(path: string): Promise<boolean> {
  try {
    await lstat(path)
    return true
  } catch {
    return false
  }
}

/** Durability of the rename itself; not every platform can open a directory, which is fine. */
async function syncDirectory(directory: string): Promise<void> {
  try {
    const handle = await open(directory, 'r')
    try {
      await handle.sync()
    } finally {
      await handle.close()
    }
  } catch {
    // best effort
  }
}

/**
 * Writes `content` so that `path` is either untouched or complete. With `force`, write-file-atomic
 * replaces the file (a temporary file beside it, flushed, renamed over it; removed on failure or a
 * signal). Without it an existing file is never replaced, also not one created while we were writing:
 * no library offers that, so the temporary file is hand-written and linked into place.
 */
export async function writeFileAtomic(path: string, content: string, o: {force: boolean}): Promise<void> {
  if (!o.force && (await fileExists(path))) throw new OutputExistsError(path)
  const replaced = await existingRegularFile(path)
  const directory = dirname(path)
  await ensureDirectory(directory)
  if (o.force) {
    // --force replaces the content, not the permissions someone chose for the file.
    await replaceFile(path, content, {mode: replaced ? replaced.mode & 0o7777 : undefined})
  } else {
    await writeWithoutReplacing(directory, path, content)
  }
  await syncDirectory(directory)
}

/** A temporary file linked into place, so that a file created meanwhile is never replaced. */
async function writeWithoutReplacing(directory: string, path: string, content: string): Promise<void> {
  const temporary = join(directory, `.${basename(path)}.tmp-${randomBytes(6).toString('hex')}`)
  track(temporary)
  try {
    const handle = await open(temporary, 'wx', 0o644)
    try {
      await handle.writeFile(content, 'utf8')
      await handle.sync()
    } finally {
      await handle.close()
    }

    await placeWithoutReplacing(temporary, path)
  } finally {
    await rm(temporary, {force: true})
    untrack(temporary)
  }
}

/** A hard link fails with EEXIST instead of replacing; where links are unsupported, rename after a check. */
async function placeWithoutReplacing(temporary: string, path: string): Promise<void> {
  try {
    await link(temporary, path)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'EEXIST') throw new OutputExistsError(path)
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw error
    if (await fileExists(path)) throw new OutputExistsError(path)
    await rename(temporary, path)
  }
}
