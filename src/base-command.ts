// Subpath imports: the package root also loads semver (to check node's version) and every other part of oclif.
import {Command} from '@oclif/core/command'
import * as Errors from '@oclif/core/errors'

/**
 * Errors from the library folders (auth/, strava/, notes/) carry the exit code from the README's
 * contract, so that commands stay thin and every failure ends as one or two plain sentences.
 */
export interface ExitCodeError extends Error {
  exitCode: number
  suggestions?: string[]
}

export function isExitCodeError(error: unknown): error is ExitCodeError {
  return error instanceof Error && typeof (error as Partial<ExitCodeError>).exitCode === 'number'
}

import {LOCAL_IO_EXIT} from './stdout-errors.js'

const LOCAL_FAILURES: Record<string, {exit: number; what: (path: string) => string}> = {
  ENOSPC: {
    exit: LOCAL_IO_EXIT,
    what: (path) => `There is no space left on the disk to write ${path}. Free some space and run again.`,
  },
  EDQUOT: {
    exit: LOCAL_IO_EXIT,
    what: (path) => `The disk quota is used up, so ${path} could not be written. Free some space and run again.`,
  },
  EROFS: {
    exit: LOCAL_IO_EXIT,
    what: (path) => `${path} is on a read-only file system. Choose a writable location and run again.`,
  },
  EACCES: {
    exit: LOCAL_IO_EXIT,
    what: (path) => `Permission denied for ${path}. Fix its permissions or choose another location.`,
  },
  EPERM: {
    exit: LOCAL_IO_EXIT,
    what: (path) =>
      `The system did not allow the operation on ${path}. Fix its permissions or choose another location.`,
  },
  EIO: {
    exit: LOCAL_IO_EXIT,
    what: (path) => `The disk failed to read or write ${path} (I/O error). Check the disk and run again.`,
  },
  ENOTDIR: {exit: 2, what: (path) => `A part of ${path} is a file where a directory is needed. Choose another path.`},
  EISDIR: {exit: 2, what: (path) => `${path} is a directory where a file is needed. Choose another path.`},
}

/** A system error on a local file, as one or two sentences with its exit code; undefined for anything else. */
export function describeLocalFailure(error: Error): {message: string; exit: number} | undefined {
  const {code, path} = error as NodeJS.ErrnoException
  const failure = code === undefined ? undefined : LOCAL_FAILURES[code]
  if (!failure || (path === undefined && code !== 'ENOSPC' && code !== 'EIO')) return undefined
  return {message: failure.what(path ?? 'the output'), exit: failure.exit}
}

export abstract class BaseCommand extends Command {
  /**
   * Warnings go to stderr even with --json (oclif would drop them): stdout carries the JSON, and a
   * warning such as "update the CI secret STRAVA_REFRESH_TOKEN" must reach the person reading the log.
   */
  public warn(input: string | Error): string | Error {
    Errors.warn(input)
    return input
  }

  protected async catch(error: Error & {exitCode?: number; oclif?: {exit?: number}}): Promise<unknown> {
    // oclif's own errors (bad flags, this.error, this.exit) already carry their exit code.
    if (error instanceof Errors.CLIError || error.oclif) return super.catch(error)
    if (isExitCodeError(error)) {
      if (process.env.DEBUG) this.logToStderr(error.stack ?? '')
      return super.catch(new Errors.CLIError(error.message, {exit: error.exitCode, suggestions: error.suggestions}))
    }

    if (process.env.DEBUG) return super.catch(error)
    const local = describeLocalFailure(error)
    if (local) return super.catch(new Errors.CLIError(local.message, {exit: local.exit}))
    return super.catch(
      new Errors.CLIError(`Unexpected failure: ${error.message}`, {
        exit: 1,
        suggestions: ['Run again with DEBUG=* for details, and report it if it persists.'],
      }),
    )
  }
}
