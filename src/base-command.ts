import {OAuthCommand} from 'oclif-plugin-oauth/base-command'
import {ExitCodeError} from 'oclif-plugin-oauth/errors'
import {withCliNames} from 'oclif-plugin-oauth/preset'
import type {TokenSession} from 'oclif-plugin-oauth/session'

import {describeLocalFailure} from './local-io.js'
import type {StravaClient, StravaClientOptions} from './strava/client.js'

/**
 * What weeknotes knows about failures beyond the plugin's ExitCodeError: local file failures (disk full,
 * read-only, permission) get the README's exit code and a sentence saying what to do. Every weeknotes
 * command overrides the plugin's `asExitCodeError` with it, the auth commands the plugin supplies included.
 */
export function hostFailure(error: Error): ExitCodeError | undefined {
  const local = describeLocalFailure(error)
  return local && new ExitCodeError(local.message, {exitCode: local.exit, cause: error})
}

/** weeknotes' commands: the plugin's base command (its `catch` maps every ExitCodeError) with weeknotes' failures. */
export abstract class BaseCommand extends OAuthCommand {
  protected asExitCodeError(error: Error): ExitCodeError | undefined {
    return hostFailure(error)
  }

  /**
   * The composition root for Strava: the saved login (or CI mode's variables) as the token source, the API
   * host as api-base.ts picks it, and one connection pool shared by the token endpoint and the API. Loaded on
   * first use, so commands that make no request never pay for it.
   */
  protected async connectToStrava(
    o: {maxWait: number; verbose: boolean} & Pick<StravaClientOptions, 'onProgress'>,
  ): Promise<{session: TokenSession; strava: StravaClient}> {
    const [{openTokenSession}, {stravaPreset}, {StravaClient}, {resolveApiBase}, {postForm}] = await Promise.all([
      // session.js rather than the plugin's index: the index also loads the commands and the login.
      import('oclif-plugin-oauth/session'),
      import('./strava/auth-preset.js'),
      import('./strava/client.js'),
      import('./strava/api-base.js'),
      import('./http/keep-alive.js'),
    ])
    const session = await openTokenSession({
      configDir: this.config.configDir,
      preset: withCliNames(stravaPreset, this.config),
      http: postForm,
      env: process.env,
      warn: (message: string) => this.warn(message),
    })
    const strava = new StravaClient({
      apiBase: resolveApiBase({env: process.env, cacheDir: this.config.cacheDir}),
      tokens: session,
      maxWait: o.maxWait,
      log: o.verbose ? (line) => this.logToStderr(line) : undefined,
      onWait: (until) => this.showWait(until),
      onProgress: o.onProgress,
      warn: (message) => this.warn(message),
    })
    return {session, strava}
  }

  /** Strava's rate-limit wait: a countdown on a terminal, one line in logs (cron, CI). */
  protected showWait(until: Date): void {
    const at = until.toISOString().slice(11, 19)
    const message = `Strava's 15-minute rate limit is reached; waiting until ${at} UTC`
    if (!process.stderr.isTTY) {
      this.logToStderr(`${message}.`)
      return
    }

    const tick = () => {
      const left = Math.max(0, Math.ceil((until.getTime() - Date.now()) / 1000))
      process.stderr.write(`\r\u001B[K${message} (${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')} left)`)
      if (left === 0) {
        clearInterval(timer)
        process.stderr.write('\r\u001B[K')
      }
    }

    const timer = setInterval(tick, 1000)
    timer.unref()
    tick()
  }
}
