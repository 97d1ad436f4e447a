// Subpath imports: the package root also loads semver (to check node's version) and every other part of oclif.
import {Command} from '@oclif/core/command'
import * as Errors from '@oclif/core/errors'

import {describeLocalFailure} from './local-io.js'
import type {TokenSession} from 'oclif-plugin-oauth/session'
import type {StravaClient, StravaClientOptions} from './strava/client.js'

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

  /**
   * The composition root for Strava: the saved login (or CI mode's variables) as the token source, the API
   * host as api-base.ts picks it, and one connection pool shared by the token endpoint and the API. Loaded on
   * first use, so commands that make no request never pay for it.
   */
  protected async connectToStrava(
    o: {maxWait: number; verbose: boolean} & Pick<StravaClientOptions, 'onWait' | 'onProgress'>,
  ): Promise<{session: TokenSession; strava: StravaClient}> {
    const [{openTokenSession}, {StravaClient}, {resolveApiBase}, {postForm}] = await Promise.all([
      // session.js rather than the plugin's index: the index also loads login's browser opener (`open`).
      import('oclif-plugin-oauth/session'),
      import('./strava/client.js'),
      import('./strava/api-base.js'),
      import('./http/keep-alive.js'),
    ])
    const session = await openTokenSession({
      configDir: this.config.configDir,
      http: postForm,
      env: process.env,
      warn: (message: string) => this.warn(message),
    })
    const strava = new StravaClient({
      apiBase: resolveApiBase({env: process.env, cacheDir: this.config.cacheDir}),
      tokens: session,
      maxWait: o.maxWait,
      log: o.verbose ? (line) => this.logToStderr(line) : undefined,
      onWait: o.onWait,
      onProgress: o.onProgress,
      warn: (message) => this.warn(message),
    })
    return {session, strava}
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
