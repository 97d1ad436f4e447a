import {randomBytes} from 'node:crypto'
import {link, lstat, mkdir, open, rename, rm} from 'node:fs/promises'
import {basename, dirname, join} from 'node:path'

export class OutputExistsError extends Error {
  readonly exitCode = 2
  readonly suggestions = ['Pass --force to overwrite it, or choose another --output / --out-dir.']

  constructor(readonly path: string) {
    super(`${path} already exists and was left untouched.`)
    this.name = 'OutputExistsError'
  }
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
 * Writes `content` so that `path` is either untouched or complete: a temporary file in the same
 * directory (same file system, so rename is atomic) is written, flushed and then moved into place.
 * Without `force` an existing file is never replaced, also not one created while we were writing.
 */
export async function writeFileAtomic(path: string, content: string, o: {force: boolean}): Promise<void> {
  if (!o.force && (await fileExists(path))) throw new OutputExistsError(path)
  const directory = dirname(path)
  await mkdir(directory, {recursive: true})
  const temporary = join(directory, `.${basename(path)}.tmp-${randomBytes(6).toString('hex')}`)
  try {
    const handle = await open(temporary, 'wx', 0o644)
    try {
      await handle.writeFile(content, 'utf8')
      await handle.sync()
    } finally {
      await handle.close()
    }

    if (o.force) await rename(temporary, path)
    else await placeWithoutReplacing(temporary, path)
    await syncDirectory(directory)
  } finally {
    await rm(temporary, {force: true})
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
