import {mkdir, mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before} from 'node:test'

/**
 * A temporary directory for the enclosing suite (or file), removed after it, and `fresh()`: a new empty
 * directory inside it for each case, so cases never see each other's files.
 */
export function scratchDirectories(prefix: string): {fresh: () => Promise<string>} {
  let root: string
  let count = 0
  before(async () => {
    root = await mkdtemp(join(tmpdir(), `weeknotes-${prefix}-`))
  })
  after(() => rm(root, {recursive: true, force: true}))
  return {
    fresh: async () => {
      const directory = join(root, `case-${++count}`)
      await mkdir(directory)
      return directory
    },
  }
}
