import {mkdtemp} from 'node:fs/promises'
import {join} from 'node:path'
import {after, before, beforeEach} from 'node:test'

import {startStravaEmulator, type StravaEmulator} from 'strava-emulator'
import {cliEnvironment, createCliHome, type CliHome} from './cli.js'

/**
 * What the end-to-end tests of the built CLI in CI mode (app credentials and a refresh token in the
 * environment, nothing stored) share: one Strava emulator and one isolated home for the file, and an
 * empty data directory (so an empty archive) and an empty request log for each test.
 */
export interface CiModeCli {
  readonly emulator: StravaEmulator
  readonly home: CliHome
  /** This test's data directory, the one `env()` points the CLI at. */
  readonly dataDir: string
  /** Every refresh token `env()` has handed out, to look for where none may appear. */
  readonly refreshTokens: readonly string[]
  /** The environment of one CI-mode run against `on`, with a refresh token of its own (Strava rotates them). */
  env(extra?: Record<string, string | undefined>, on?: StravaEmulator): NodeJS.ProcessEnv
  /** Points `dataDir` at a new empty directory, for a test that needs a second empty archive. */
  newDataDir(): Promise<string>
}

/** Registers the file's before/after hooks; call it once, at the top of a test file. */
export function useCiModeCli(): CiModeCli {
  let emulator: StravaEmulator
  let home: CliHome
  let dataDir: string
  const refreshTokens: string[] = []
  const newDataDir = async () => (dataDir = await mkdtemp(join(home.root, 'data-')))

  before(async () => {
    emulator = await startStravaEmulator({seed: 'empty'})
    // Limits no test reaches by accident; a test about them sets its own.
    emulator.setRateLimits({overall: [100_000, 1_000_000], read: [100_000, 1_000_000]})
    home = await createCliHome()
  })
  after(async () => {
    await emulator.close()
    await home.remove()
  })
  beforeEach(async () => {
    emulator.clearRequests()
    await newDataDir()
  })

  return {
    get emulator() {
      return emulator
    },
    get home() {
      return home
    },
    get dataDir() {
      return dataDir
    },
    refreshTokens,
    env(extra = {}, on = emulator) {
      const {refreshToken} = on.issueTokens()
      refreshTokens.push(refreshToken)
      return cliEnvironment(home, {
        STRAVA_CLIENT_ID: on.client.id,
        STRAVA_CLIENT_SECRET: on.client.secret,
        STRAVA_REFRESH_TOKEN: refreshToken,
        STRAVA_API_URL: on.apiUrl,
        STRAVA_OAUTH_URL: on.oauthUrl,
        WEEKNOTES_DATA_DIR: dataDir,
        ...extra,
      })
    },
    newDataDir,
  }
}

/** oclif wraps messages to the terminal and prefixes them with ›: one line of plain words to match against. */
export const plain = (text: string) => text.replace(/›/g, ' ').replace(/\s+/g, ' ')
