// An export as Strava sends it (a ZIP, gigabytes with photos) or unpacked into a folder. A ZIP is read
// through its central directory and one entry at a time (yauzl), never whole into memory. Only the files
// the import reads are indexed: activities.csv, profile.csv and what lies under activities/.
import {close as closeFd, createReadStream, fstatSync, open as openFd, openSync, read as readFd} from 'node:fs'
import {stat} from 'node:fs/promises'
import {resolve, sep} from 'node:path'
import type {Readable} from 'node:stream'

import yauzl from 'yauzl'

import {ExportFormatError, ExportPathError} from './errors.js'

export interface ExportContainer {
  /** Where the export is, for messages. */
  readonly path: string
  /** Size in bytes of a file of the export (uncompressed), or undefined when it is not there. */
  size(name: string): Promise<number | undefined>
  /** When the file was written (the ZIP entry's or the file's modification time), epoch ms. */
  modified(name: string): Promise<number | undefined>
  /** A stream of a file of the export, or undefined when it is not there. Names use `/`. */
  open(name: string): Promise<Readable | undefined>
  close(): void
}

const wanted = (name: string) => /(^|\/)(activities\.csv|profile\.csv)$/i.test(name) || /(^|\/)activities\//i.test(name)

/** A ZIP file or a folder. A missing path or a file that is not a ZIP is an error saying what to pass instead. */
export async function openExport(path: string): Promise<ExportContainer> {
  let isDirectory: boolean
  try {
    isDirectory = (await stat(path)).isDirectory()
  } catch (error) {
    throw new ExportPathError(path, (error as NodeJS.ErrnoException).code ?? String(error))
  }

  return isDirectory ? new DirectoryExport(path) : ZipExport.open(path)
}

/** Entry names relative to the folder holding activities.csv (some ZIPs wrap everything in one folder). */
function rootOf(names: Iterable<string>): string | undefined {
  let root: string | undefined
  for (const name of names) {
    const match = /^(.*?)activities\.csv$/i.exec(name)
    if (match && (root === undefined || match[1].length < root.length)) root = match[1]
  }

  return root
}

const SHARED_DESCRIPTOR = {
  open: openFd,
  read: readFd,
  close: (_fd: number, callback: (error: null) => void) => callback(null),
}

/**
 * The ZIP's bytes through Node's own file streams (positional reads on one descriptor). yauzl's built-in
 * reader queues reads and fails ("reading 'fd' of null") when a stream is destroyed while a read waits in
 * its queue, which is what stopping a GPX file at its first coordinate does.
 */
class FileRangeReader extends yauzl.RandomAccessReader {
  // yauzl's reference count (missing from its type definitions): the descriptor closes when it reaches 0.
  declare ref: () => void
  declare unref: () => void

  constructor(private readonly fd: number) {
    super()
  }

  _readStreamForRange(start: number, end: number): Readable {
    // A destroyed file stream closes its descriptor even with autoClose off: here it is shared, so no close.
    return createReadStream('', {fd: this.fd, start, end: end - 1, fs: SHARED_DESCRIPTOR})
  }

  /** Called by yauzl once the ZIP is closed and no entry stream is open any more. */
  close(callback: (error: Error | null) => void): void {
    closeFd(this.fd, callback)
  }
}

class ZipExport implements ExportContainer {
  private constructor(
    readonly path: string,
    private readonly zip: yauzl.ZipFile,
    private readonly reader: FileRangeReader,
    private readonly entries: Map<string, yauzl.Entry>,
  ) {}

  static async open(path: string): Promise<ZipExport> {
    let fd: number
    try {
      fd = openSync(path, 'r')
    } catch (error) {
      throw new ExportPathError(path, (error as NodeJS.ErrnoException).code ?? String(error))
    }

    // The reader closes the descriptor when its last user lets go: this export is one until close().
    const reader = new FileRangeReader(fd)
    reader.ref()
    let zip: yauzl.ZipFile
    try {
      const options = {lazyEntries: true, autoClose: false, strictFileNames: false} as yauzl.Options
      zip = await yauzl.fromRandomAccessReaderPromise(reader, fstatSync(fd).size, options)
    } catch (error) {
      reader.unref()
      throw new ExportFormatError(
        `${path} is not a ZIP file weeknotes can read (${(error as Error).message}). Name the ZIP Strava sent, or the folder it was unpacked into.`,
      )
    }

    const all = new Map<string, yauzl.Entry>()
    try {
      for await (const entry of zip.eachEntry()) {
        if (wanted(entry.fileName) && !entry.fileName.endsWith('/')) all.set(entry.fileName, entry)
      }
    } catch (error) {
      zip.close()
      throw new ExportFormatError(
        `${path} is a damaged ZIP file (${(error as Error).message}). Download the export again.`,
      )
    }

    const root = rootOf(all.keys()) ?? ''
    const entries = new Map<string, yauzl.Entry>()
    for (const [name, entry] of all) if (name.startsWith(root)) entries.set(name.slice(root.length), entry)
    return new ZipExport(path, zip, reader, entries)
  }

  async size(name: string): Promise<number | undefined> {
    return this.entries.get(name)?.uncompressedSize
  }

  async modified(name: string): Promise<number | undefined> {
    return this.entries.get(name)?.getLastModDate().getTime()
  }

  async open(name: string): Promise<Readable | undefined> {
    const entry = this.entries.get(name)
    return entry ? this.zip.openReadStreamPromise(entry) : undefined
  }

  close(): void {
    if (!this.zip.isOpen) return
    this.zip.close()
    this.reader.unref()
  }
}

class DirectoryExport implements ExportContainer {
  private readonly root: string

  constructor(readonly path: string) {
    this.root = resolve(path)
  }

  async size(name: string): Promise<number | undefined> {
    return (await this.stat(name))?.size
  }

  async modified(name: string): Promise<number | undefined> {
    return (await this.stat(name))?.mtimeMs
  }

  async open(name: string): Promise<Readable | undefined> {
    if ((await this.size(name)) === undefined) return undefined
    return createReadStream(this.inside(name)!)
  }

  close(): void {}

  private async stat(name: string) {
    const file = this.inside(name)
    if (!file) return undefined
    try {
      const info = await stat(file)
      return info.isFile() ? info : undefined
    } catch {
      return undefined
    }
  }

  /** The file's path, or undefined for a name that would leave the folder (`../`): the CSV names it, not the user. */
  private inside(name: string): string | undefined {
    const file = resolve(this.root, name)
    return file.startsWith(this.root + sep) ? file : undefined
  }
}
