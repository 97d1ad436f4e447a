import {readConfig} from './config-file.js'
import {storeFor} from './credential-store.js'
import {envCredentials, missingCiVariables} from './env-credentials.js'
import {findPendingLogin, pendingLoginDirs} from './pending-login.js'
import type {OAuthPreset} from './preset.js'

/** What `auth status --json` prints (a contract: scripts read it). */
export interface AuthStatus {
  loggedIn: boolean
  clientId: string | null
  /** The account as the preset's `account.brief` shows it. */
  athlete: Record<string, unknown> | null
  scopes: string[]
  /** Access token expiry as an ISO string. */
  expiresAt: string | null
  storage: 'keyring' | 'file' | 'sealed' | 'environment' | null
  /** CI mode only: the environment variables it still needs (then `loggedIn` is false). */
  missing?: string[]
}

/**
 * Reads config.json and the environment only: status must answer quickly and never trigger a keyring
 * unlock prompt. CI mode (a refresh token in the environment) counts as logged in when the client id
 * and secret are there too (or saved for the same client id).
 */
export async function readAuthStatus(o: {
  configDir: string
  preset: OAuthPreset
  env: NodeJS.ProcessEnv
}): Promise<AuthStatus> {
  const {preset} = o
  const env = envCredentials(o.env, preset.env)
  const config = await readConfig(o.configDir, preset.cli)
  const clientId = env.clientId ?? config.clientId ?? null
  if (env.refreshToken) {
    const saved = {clientId: config.clientId, hasLogin: config.session !== undefined}
    const missing = missingCiVariables(env, saved, preset.env)
    const ci = {clientId, athlete: null, scopes: [], expiresAt: null, storage: 'environment' as const}
    return missing.length > 0 ? {loggedIn: false, ...ci, missing} : {loggedIn: true, ...ci}
  }

  const session = config.session
  if (!session) return {loggedIn: false, clientId, athlete: null, scopes: [], expiresAt: null, storage: null}
  const athlete = session.athlete
  return {
    loggedIn: true,
    clientId,
    athlete: athlete ? preset.account.brief(athlete) : null,
    scopes: session.scopes ?? [],
    expiresAt: session.expiresAt === undefined ? null : new Date(session.expiresAt * 1000).toISOString(),
    storage: session.storage,
  }
}

/**
 * The saved refresh token, for `auth status --show-refresh-token`: the way to seed CI mode's refresh
 * token variable. Only on this explicit request does a secret reach the output.
 */
export async function readStoredRefreshToken(o: {
  configDir: string
  preset: OAuthPreset
  env: NodeJS.ProcessEnv
  warn?: (message: string) => void
}): Promise<string | undefined> {
  const config = await readConfig(o.configDir, o.preset.cli)
  if (!config.session) return undefined
  const {account, storage} = config.session
  const store = storeFor(storage, {configDir: o.configDir, env: o.env, warn: o.warn, preset: o.preset})
  const stored = await store.get(account)
  // A renewal the store refused holds the live refresh token; the stored one is spent.
  const pending = await findPendingLogin(pendingLoginDirs(o.configDir, o.env), account, stored)
  return (pending?.secrets ?? stored)?.refreshToken || undefined
}
