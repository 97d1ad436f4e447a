// Failures of reading an export, with the exit codes of the README's contract: a path or file the user
// named that is not a Strava export is bad input (2); a disk that cannot be read has a code of its own.
import {ExitCodeError} from 'oclif-plugin-oauth/errors'

/** The export is not one weeknotes can read (wrong file, unknown language, no activities.csv). Exit 2. */
export class ExportFormatError extends ExitCodeError {
  readonly exitCode = 2
}

/** The path does not exist or cannot be read. Exit 2: the user named it. */
export class ExportPathError extends ExitCodeError {
  readonly exitCode = 2

  constructor(path: string, code: string) {
    const reason =
      code === 'ENOENT'
        ? 'does not exist'
        : code === 'EACCES' || code === 'EPERM'
          ? 'cannot be read (permission denied)'
          : `cannot be read (${code})`
    super(`${path} ${reason}. Name the ZIP file Strava sent (export_NNNN.zip) or the folder it was unpacked into.`)
  }
}
