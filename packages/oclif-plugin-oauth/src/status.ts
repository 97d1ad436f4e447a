import {readConfig} from './config-file.js'
import {storeFor} from './credential-store.js'
import {envCredentials, missingCiVariables} from './env-credentials.js'
import {findPendingLogin, pendingLoginDirs} from './pending-login.js'

/** What `weeknotes auth status --json` prints (the contract in the README). */
export interface AuthStatus {
  loggedIn: boolean
  clientId: string | null
  athlete: {id: unknown; firstname: unknown; lastname: unknown} | null
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
export async function readAuthStatus(o: {configDir: string; env: NodeJS.ProcessEnv}): Promise<AuthStatus> {
  const env = envCredentials(o.env)
  const config = await readConfig(o.configDir)
  const clientId = env.clientId ?? config.clientId ?? null
  if (env.refreshToken) {
    const missing = missingCiVariables(env, {clientId: config.clientId, hasLogin: config.session !== undefined})
    const ci = {clientId, athlete: null, scopes: [], expiresAt: null, storage: 'environment' as const}
    return missing.length > 0 ? {loggedIn: false, ...ci, missing} : {loggedIn: true, ...ci}
  }

  const session = config.session
  if (!session) return {loggedIn: false, clientId, athlete: null, scopes: [], expiresAt: null, storage: null}
  const athlete = session.athlete
  return {
    loggedIn: true,
    clientId,
    athlete: athlete
      ? {id: athlete.id ?? null, firstname: athlete.firstname ?? null, lastname: athlete.lastname ?? null}
      : null,
    scopes: session.scopes ?? [],
    expiresAt: session.expiresAt === undefined ? null : new Date(session.expiresAt * 1000).toISOString(),
    storage: session.storage,
  }
}

/**
 * The saved refresh token, for `auth status --show-refresh-token`: the way to seed CI mode's
 * STRAVA_REFRESH_TOKEN. Only on this explicit request does a secret reach the output.
 */
export async function readStoredRefreshToken(o: {
  configDir: string
  env: NodeJS.ProcessEnv
  warn?: (message: string) => void
}): Promise<string | undefined> {
  const config = await readConfig(o.configDir)
  if (!config.session) return undefined
  const {account, storage} = config.session
  const store = storeFor(storage, {configDir: o.configDir, env: o.env, warn: o.warn})
  const stored = await store.get(account)
  // A renewal the store refused holds the live refresh token; the stored one is spent.
  const pending = await findPendingLogin(pendingLoginDirs(o.configDir, o.env), account, stored)
  return (pending?.secrets ?? stored)?.refreshToken || undefined
}
