// Subpath imports: the package root also loads semver (to check node's version) and every other part of oclif.
import {Command} from '@oclif/core/command'
import * as Errors from '@oclif/core/errors'

import {describeLocalFailure} from './local-io.js'

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
