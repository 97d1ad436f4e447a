import {type AuthorizationCodeFlowOptions, runAuthorizationCodeFlow} from './authorization-code-flow.js'
import {accountFor} from './account.js'
import {makePrivate, readConfig, type SessionSettings, type StorageKind, writeConfig} from './config-file.js'
import {type CredentialStore, type SessionSecrets, storeFor} from './credential-store.js'
import {AuthError, redactSecrets} from './errors.js'
import {dropPendingLogins, pendingLoginDirs} from './pending-login.js'
import type {OAuthPreset} from './preset.js'
import {providerName} from './provider.js'
import {refreshLock, withRefreshLock} from './refresh-lock.js'
import type {StoredProfile} from './session.js'
import type {TokenGrant} from './tokens.js'

export type AuthorizationFlow = typeof runAuthorizationCodeFlow

export interface LoginOptions extends AuthorizationCodeFlowOptions {
  configDir: string
  preset: OAuthPreset
  env: NodeJS.ProcessEnv
  storage: StorageKind
  /**
   * The account's full profile, read with the new access token, for providers whose token response
   * describes the account only in part. A failure does not fail the login: the token response's
   * account is kept, with a warning.
   */
  describeAccount?: (accessToken: string) => Promise<Record<string, unknown>>
  /**
   * Run the flow and hand back the new grant's refresh token without storing anything (not even
   * config.json): a login of its own for CI mode, which never shares a grant with a stored one.
   */
  storeNothing?: boolean
  /** Collaborators for tests. */
  runFlow?: AuthorizationFlow
  store?: CredentialStore
}

/** What is now saved, as a session opened from it would describe it; with `storeNothing`, the refresh token too. */
export type LoginResult = StoredProfile & {refreshToken?: string}

/**
 * The login command's work: checks the store can be written (before asking for consent), runs the browser
 * flow, and only then replaces the saved login. The new record is written first, config.json (which
 * points at it) is replaced atomically next, and only then is a previous record elsewhere deleted, so
 * a failure at any step leaves the old login usable. The writes happen under the refresh lock, so a
 * `generate` renewing the old login at that moment cannot store its tokens over the new ones.
 */
export async function login(o: LoginOptions): Promise<LoginResult> {
  const env = o.env
  const warn = o.warn ?? (() => {})
  const {preset} = o
  const store = o.storeNothing
    ? undefined
    : (o.store ?? storeFor(o.storage, {configDir: o.configDir, env, warn, preset}))
  if (store) {
    await store.ensureWritable()
    await makePrivate([[o.configDir, 0o700]], warn)
  }

  const grant = await (o.runFlow ?? runAuthorizationCodeFlow)({cli: preset.cli, ...o, warn})
  preset.checkScopes?.(grant.scopes, {provider: o.provider, cli: preset.cli, warn})
  if (!grant.refreshToken && !o.implicit) {
    throw new AuthError(`${providerName(o.provider)} issued no refresh token, so the login cannot be kept.`, 'rejected')
  }

  if (!store) {
    const athlete = grant.athlete ? keptFields(grant.athlete, preset) : undefined
    const {scopes, expiresAt, refreshToken} = grant
    return {clientId: o.clientId, athlete, scopes, expiresAt, storage: 'environment', refreshToken}
  }

  const athlete = await describedAccount(o, grant, warn)
  const session: SessionSettings = {
    storage: store.kind,
    account: accountFor(o.provider, o.clientId, {storage: store.kind, configDir: o.configDir}),
    athlete: athlete ? keptFields(athlete, preset) : undefined,
    scopes: grant.scopes,
    expiresAt: grant.expiresAt,
  }
  await replaceSavedLogin(o, store, session, grant, env, warn)
  const {scopes, expiresAt} = grant
  return {clientId: o.clientId, athlete: session.athlete, scopes, expiresAt, storage: store.kind}
}

/**
 * Writes the new login, then drops the previous one if it lived elsewhere. Under the refresh lock: new record
 * first, config.json (which points at it) next, so a failure at any step leaves the old login usable.
 */
async function replaceSavedLogin(
  o: LoginOptions,
  store: CredentialStore,
  session: SessionSettings,
  grant: TokenGrant,
  env: NodeJS.ProcessEnv,
  warn: (message: string) => void,
): Promise<void> {
  const secrets: SessionSecrets = {
    clientSecret: o.clientSecret,
    refreshToken: grant.refreshToken ?? '',
    accessToken: grant.accessToken,
    expiresAt: grant.expiresAt,
    scopes: grant.scopes,
  }
  const lock = refreshLock(o.configDir, {bin: o.preset.cli.bin, providerName: providerName(o.provider)})
  const previous = await withRefreshLock(lock, async () => {
    const config = await readConfig(o.configDir, o.preset.cli)
    await store.set(session.account, secrets)
    await writeConfig(o.configDir, {...config, clientId: o.clientId, session})
    await dropPendingLogins(pendingLoginDirs(o.configDir, env))
    return config
  })

  const old = previous.session
  if (old && (old.account !== session.account || old.storage !== store.kind)) {
    const oldStore =
      old.storage === store.kind ? store : storeFor(old.storage, {configDir: o.configDir, env, preset: o.preset})
    await oldStore.delete(old.account).catch((error: Error) => {
      warn(`The previous login could not be removed from ${oldStore.description}: ${error.message}`)
    })
  }
}

async function describedAccount(
  o: LoginOptions,
  grant: TokenGrant,
  warn: (message: string) => void,
): Promise<Record<string, unknown> | undefined> {
  if (!o.describeAccount) return grant.athlete
  try {
    return {...grant.athlete, ...(await o.describeAccount(grant.accessToken))}
  } catch (error) {
    const reason = redactSecrets((error as Error).message, [grant.accessToken, grant.refreshToken, o.clientSecret])
    const note = o.preset.account.unreadProfileNote
    warn(
      `Logged in, but the ${providerName(o.provider)} profile could not be read (${reason})${note ? `; ${note}` : ''}.`,
    )
    return grant.athlete
  }
}

/** The non-secret part of the account profile the preset keeps in config.json. */
function keptFields(profile: Record<string, unknown>, preset: OAuthPreset): Record<string, unknown> {
  const {keep} = preset.account
  return Object.fromEntries(keep.filter((key) => profile[key] !== undefined).map((key) => [key, profile[key]]))
}
