import {readConfig, writeConfig} from './config-file.js'
import {type CredentialStore, storeFor} from './credential-store.js'
import {envCredentials} from './env-credentials.js'
import {ExitCodeError, redactSecrets, SealedStoreError} from './errors.js'
import {dropPendingLogins, findPendingLogin, pendingLoginDirs} from './pending-login.js'
import {type OAuthProvider, providerName} from './provider.js'
import {refreshLockPath, withRefreshLock} from './refresh-lock.js'
import {type HttpClient, revoke as defaultRevoke} from './tokens.js'

export interface LogoutOptions {
  configDir: string
  env: NodeJS.ProcessEnv
  provider: OAuthProvider
  warn?: (message: string) => void
  revoke?: typeof defaultRevoke
  http?: HttpClient
  store?: CredentialStore
}

export class SecretsNotDeletedError extends ExitCodeError {
  readonly exitCode = 1
}

export interface LogoutResult {
  /** False when there was no saved login (logging out is idempotent). */
  wasLoggedIn: boolean
  /** Whether the provider confirmed the revocation. */
  revoked: boolean
  /** The athlete the login belonged to, as saved at login (the host deletes what it keeps about them). */
  athlete?: Record<string, unknown>
}

/**
 * `weeknotes auth logout`: revokes the grant at the provider, then deletes the stored secrets and the
 * session part of config.json. Local state is cleared even when the provider cannot be reached or
 * refuses, with a warning, because a user who logs out wants the secrets off this machine. It runs
 * under the refresh lock, so a `generate` renewing the token at that moment cannot store it back.
 */
export async function logout(o: LogoutOptions): Promise<LogoutResult> {
  if (!(await readConfig(o.configDir)).session) return {wasLoggedIn: false, revoked: false}
  return withRefreshLock({path: refreshLockPath(o.configDir)}, () => revokeAndForget(o))
}

async function revokeAndForget(o: LogoutOptions): Promise<LogoutResult> {
  const env = o.env
  const warn = o.warn ?? (() => {})
  const config = await readConfig(o.configDir)
  const settings = config.session
  if (!settings) return {wasLoggedIn: false, revoked: false}

  const store = o.store ?? storeFor(settings.storage, {configDir: o.configDir, env, warn})
  let revoked = false
  const pendingDirs = pendingLoginDirs(o.configDir, env)
  let secrets
  try {
    secrets = await store.get(settings.account)
    // A renewal the store refused holds the live tokens.
    secrets = (await findPendingLogin(pendingDirs, settings.account, secrets))?.secrets ?? secrets
  } catch (error) {
    // A sealed file that does not open stays as it is: the key is wrong or missing, not the file gone.
    if (error instanceof SealedStoreError) throw error
    warn(
      `The saved login could not be read from ${store.description}, so it was not revoked at the server: ${(error as Error).message}`,
    )
  }

  const fromEnv = envCredentials(env)
  const clientId = fromEnv.clientId ?? config.clientId
  if (secrets && clientId) {
    const clientSecret = fromEnv.clientSecret ?? secrets.clientSecret
    try {
      await (o.revoke ?? defaultRevoke)({
        provider: o.provider,
        clientId,
        clientSecret,
        accessToken: secrets.accessToken,
        refreshToken: secrets.refreshToken || undefined,
        http: o.http,
      })
      revoked = true
    } catch (error) {
      const reason = redactSecrets((error as Error).message, [clientSecret, secrets.accessToken, secrets.refreshToken])
      const byHand = o.provider.manageAccessUrl ? ` You can also revoke it at ${o.provider.manageAccessUrl}.` : ''
      warn(
        `Could not revoke weeknotes' access at ${providerName(o.provider)} (${reason.replace(/\.$/, '')}); the local login is removed anyway.` +
          byHand,
      )
    }
  }

  try {
    await store.delete(settings.account)
  } catch (error) {
    // config.json keeps pointing at the record, so that running logout again can still find and remove it.
    throw new SecretsNotDeletedError(
      `The saved secrets could not be deleted from ${store.description}: ${(error as Error).message.replace(/\.$/, '')}. ` +
        'Run `weeknotes auth logout` again once it is reachable (a keyring unlocked, for example).',
    )
  }

  await dropPendingLogins(pendingDirs)
  const {session: _session, ...rest} = config
  await writeConfig(o.configDir, rest)
  return {wasLoggedIn: true, revoked, athlete: settings.athlete}
}
