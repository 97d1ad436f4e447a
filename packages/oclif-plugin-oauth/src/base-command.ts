// Subpath imports: the package root of @oclif/core also loads semver and every other part of oclif.
import {Command} from '@oclif/core/command'
import * as Errors from '@oclif/core/errors'

import {ExitCodeError} from './errors.js'
import {type OAuthPreset, withCliNames} from './preset.js'

/** The custom oclif event a host answers with its preset (see README, "How a host supplies its preset"). */
export const PRESET_EVENT = 'oauth:preset'

/**
 * The base of the plugin's commands, and of a host's: the one place where an ExitCodeError becomes oclif's
 * exit (code, message, suggestions), and where the host's preset is found.
 */
export abstract class OAuthCommand extends Command {
  /** The id of the login command, named in "run `<bin> <id>` again"; a host that mounts it elsewhere says so. */
  static loginCommandId = 'auth'

  /**
   * Warnings go to stderr even with --json (oclif would drop them): stdout carries the JSON, and a warning
   * such as "update the CI secret" must reach the person reading the log.
   */
  public warn(input: string | Error): string | Error {
    Errors.warn(input)
    return input
  }

  /**
   * The preset the host answers the `oauth:preset` event with, its CLI names (bin, login command) taken from
   * oclif's config. The same in a bundled host's explicit command map and with the plugin as a core plugin.
   */
  protected async preset(): Promise<OAuthPreset> {
    const {successes} = await this.config.runHook(PRESET_EVENT, {})
    const preset = successes.map(({result}) => result as OAuthPreset | undefined).find(Boolean)
    if (!preset) {
      throw new ExitCodeError(`${this.config.bin} has no OAuth preset, so it cannot log in anywhere.`, {
        exitCode: 1,
        suggestions: [`The CLI must answer oclif's "${PRESET_EVENT}" hook with one (see the plugin's README).`],
      })
    }
    const {loginCommandId} = this.constructor as typeof OAuthCommand
    return withCliNames(preset, this.config, loginCommandId)
  }

  /**
   * A failure that is not an ExitCodeError, turned into one when the host knows what it means (a full disk,
   * say); undefined leaves it an unexpected failure (exit 1).
   */
  protected asExitCodeError(_error: Error): ExitCodeError | undefined {
    return undefined
  }

  protected async catch(error: Error & {oclif?: {exit?: number}}): Promise<unknown> {
    // oclif's own errors (bad flags, this.error, this.exit) already carry their exit code.
    if (error instanceof Errors.CLIError || error.oclif) return super.catch(error)
    if (error instanceof ExitCodeError) {
      if (process.env.DEBUG) this.logToStderr(error.stack ?? '')
      return super.catch(new Errors.CLIError(error.message, {exit: error.exitCode, suggestions: error.suggestions}))
    }

    if (process.env.DEBUG) return super.catch(error)
    const known = this.asExitCodeError(error)
    if (known) return this.catch(known)
    return super.catch(
      new Errors.CLIError(`Unexpected failure: ${error.message}`, {
        exit: 1,
        suggestions: ['Run again with DEBUG=* for details, and report it if it persists.'],
      }),
    )
  }
}
