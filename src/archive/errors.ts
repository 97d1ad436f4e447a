// Errors of the local archive, with the exit codes of the README's contract.

import {ExitCodeError} from 'oclif-plugin-oauth/errors'

import {LOCAL_IO_EXIT} from '../local-io.js'

const quote = (path: string) => `'${path.replaceAll("'", "'\\''")}'`

/** The archive file is not a database or is damaged. Never deleted here: the user moves it aside. */
export class ArchiveDamagedError extends ExitCodeError {
  readonly exitCode = LOCAL_IO_EXIT
  /** Always set: what to do next. */
  declare suggestions: string[]

  constructor(
    readonly path: string,
    detail: string,
  ) {
    super(`The activity archive ${path} is damaged (${detail}); weeknotes left it as it is.`, {
      suggestions: [
        `Move it aside and rebuild it from Strava: mv ${quote(path)} ${quote(`${path}.damaged`)} && weeknotes sync`,
      ],
    })
  }
}

/** The archive's file or directory cannot be read or written (permission, read-only or full disk, a file in the way). */
export class ArchiveFileError extends ExitCodeError {
  readonly exitCode = LOCAL_IO_EXIT

  constructor(
    readonly path: string,
    detail: string,
  ) {
    const advice =
      detail === 'ENOTDIR'
        ? 'A part of its path is a file where a directory is needed: point WEEKNOTES_DATA_DIR at a directory.'
        : 'Check the disk space and the permissions of its directory.'
    super(`The activity archive ${path} cannot be used (${detail}). ${advice}`)
  }
}

/** The file was written by a newer weeknotes whose schema this one does not know. */
export class ArchiveTooNewError extends ExitCodeError {
  readonly exitCode = LOCAL_IO_EXIT

  constructor(
    readonly path: string,
    version: number,
    known: number,
  ) {
    super(
      `The activity archive ${path} has schema version ${version}, newer than this weeknotes knows (${known}). Update weeknotes, or point WEEKNOTES_DATA_DIR at another directory.`,
    )
  }
}

const DAMAGE_CODES = new Set([11, 26]) // SQLITE_CORRUPT, SQLITE_NOTADB
const FILE_CODES = new Set([3, 8, 10, 13, 14]) // PERM, READONLY, IOERR, FULL, CANTOPEN

/** node:sqlite's errors as the archive's own, so a command can print a sentence and the right exit code. */
export function archiveError(error: unknown, path: string): unknown {
  const sqlite = error as {code?: string; errcode?: number; errstr?: string; message?: string}
  if (sqlite?.code !== 'ERR_SQLITE_ERROR' || sqlite.errcode === undefined) return error
  const primary = sqlite.errcode & 0xff
  const detail = sqlite.errstr ?? sqlite.message ?? 'SQLite error'
  if (DAMAGE_CODES.has(primary)) return new ArchiveDamagedError(path, detail)
  if (FILE_CODES.has(primary)) return new ArchiveFileError(path, detail)
  return error
}
