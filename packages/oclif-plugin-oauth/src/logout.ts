import {readConfig, writeConfig} from './config-file.js'
import {type CredentialStore, type SessionSecrets, storeFor} from './credential-store.js'
import {envCredentials} from './env-credentials.js'
import {ExitCodeError, redactSecrets, SealedStoreError} from './errors.js'
import {dropPendingLogins, findPendingLogin, pendingLoginDirs} from './pending-login.js'
import type {OAuthPreset} from './preset.js'
import {type OAuthProvider, providerName} from './provider.js'
import {refreshLock, withRefreshLock} from './refresh-lock.js'
import {type HttpClient, revoke as defaultRevoke} from './tokens.js'

export interface LogoutOptions {
  configDir: string
  preset: OAuthPreset
  env: NodeJS.ProcessEnv
  /** Default: the preset's provider for `env`. */
  provider?: OAuthProvider
  warn?: (message: string) => void
  revoke?: typeof defaultRevoke
  http?: HttpClient
  store?: CredentialStore
}

/** The secrets could not be deleted from the store (exit 1); config.json still points at them. */
export class SecretsNotDeletedError extends ExitCodeError {}

export interface LogoutResult {
  /** False when there was no saved login (logging out is idempotent). */
  wasLoggedIn: boolean
  /** Whether the provider confirmed the revocation. */
  revoked: boolean
  /** The account the login belonged to, as saved at login (the host deletes what it keeps about it). */
  athlete?: Record<string, unknown>
}

/**
 * `auth logout`: revokes the grant at the provider, then deletes the stored secrets and the
 * session part of config.json. Local state is cleared even when the provider cannot be reached or
 * refuses, with a warning, because a user who logs out wants the secrets off this machine. It runs
 * under the refresh lock, so a `generate` renewing the token at that moment cannot store it back.
 */
export async function logout(o: LogoutOptions): Promise<LogoutResult> {
  if (!(await readConfig(o.configDir)).session) return {wasLoggedIn: false, revoked: false}
  const provider = o.provider ?? o.preset.provider(o.env)
  const lock = refreshLock(o.configDir, {bin: o.preset.cli.bin, providerName: providerName(provider)})
  return withRefreshLock(lock, () => revokeAndForget({...o, provider}))
}

async function revokeAndForget(o: LogoutOptions & {provider: OAuthProvider}): Promise<LogoutResult> {
  const env = o.env
  const warn = o.warn ?? (() => {})
  const config = await readConfig(o.configDir, o.preset.cli)
  const settings = config.session
  if (!settings) return {wasLoggedIn: false, revoked: false}

  const store = o.store ?? storeFor(settings.storage, {configDir: o.configDir, env, warn, preset: o.preset})
  const pendingDirs = pendingLoginDirs(o.configDir, env)
  const secrets = await readForRevocation(store, settings.account, pendingDirs, warn)
  const fromEnv = envCredentials(env, o.preset.env)
  const clientId = fromEnv.clientId ?? config.clientId
  const revoked =
    secrets && clientId ? await revokeAtServer({...o, warn}, clientId, fromEnv.clientSecret, secrets) : false
  try {
    await store.delete(settings.account)
  } catch (error) {
    // config.json keeps pointing at the record, so that running logout again can still find and remove it.
    throw new SecretsNotDeletedError(
      `The saved secrets could not be deleted from ${store.description}: ${(error as Error).message.replace(/\.$/, '')}. ` +
        `Run \`${o.preset.cli.loginCommand} logout\` again once it is reachable (a keyring unlocked, for example).`,
    )
  }

  await dropPendingLogins(pendingDirs)
  const {session: _session, ...rest} = config
  await writeConfig(o.configDir, rest)
  return {wasLoggedIn: true, revoked, athlete: settings.athlete}
}

/** The saved tokens (or a renewal the store refused, which holds the live ones); undefined when unreadable. */
async function readForRevocation(
  store: CredentialStore,
  account: string,
  pendingDirs: string[],
  warn: (message: string) => void,
): Promise<SessionSecrets | undefined> {
  try {
    const secrets = await store.get(account)
    return (await findPendingLogin(pendingDirs, account, secrets))?.secrets ?? secrets
  } catch (error) {
    // A sealed file that does not open stays as it is: the key is wrong or missing, not the file gone.
    if (error instanceof SealedStoreError) throw error
    warn(
      `The saved login could not be read from ${store.description}, so it was not revoked at the server: ${(error as Error).message}`,
    )
    return undefined
  }
}

/** Whether the provider confirmed the revocation; a failure is a warning, since the local login goes anyway. */
async function revokeAtServer(
  o: LogoutOptions & {provider: OAuthProvider; warn: (message: string) => void},
  clientId: string,
  secretFromEnv: string | undefined,
  secrets: SessionSecrets,
): Promise<boolean> {
  const clientSecret = secretFromEnv ?? secrets.clientSecret
  try {
    await (o.revoke ?? defaultRevoke)({
      provider: o.provider,
      clientId,
      clientSecret,
      accessToken: secrets.accessToken,
      refreshToken: secrets.refreshToken || undefined,
      http: o.http,
      cli: o.preset.cli,
    })
    return true
  } catch (error) {
    const reason = redactSecrets((error as Error).message, [clientSecret, secrets.accessToken, secrets.refreshToken])
    const byHand = o.provider.manageAccessUrl ? ` You can also revoke it at ${o.provider.manageAccessUrl}.` : ''
    o.warn(
      `Could not revoke ${o.preset.cli.bin}' access at ${providerName(o.provider)} (${reason.replace(/\.$/, '')}); the local login is removed anyway.` +
        byHand,
    )
    return false
  }
}
