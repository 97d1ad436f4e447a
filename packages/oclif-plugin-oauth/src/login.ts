import {
  type AuthorizationCodeFlowOptions,
  checkGrantedScopes,
  runAuthorizationCodeFlow,
} from './authorization-code-flow.js'
import {accountFor} from './account.js'
import {makePrivate, readConfig, type SessionSettings, type StorageKind, writeConfig} from './config-file.js'
import {type CredentialStore, type SessionSecrets, storeFor} from './credential-store.js'
import {AuthError, redactSecrets} from './errors.js'
import {dropPendingLogins, pendingLoginDirs} from './pending-login.js'
import {type OAuthProvider, providerName} from './provider.js'
import {refreshLockPath, withRefreshLock} from './refresh-lock.js'
import type {StoredProfile} from './session.js'
import type {TokenGrant} from './tokens.js'

export {accountFor} from './account.js'

export type AuthorizationFlow = typeof runAuthorizationCodeFlow

export interface LoginOptions extends AuthorizationCodeFlowOptions {
  configDir: string
  env: NodeJS.ProcessEnv
  storage: StorageKind
  /**
   * The account's full profile, read with the new access token, for providers whose token response
   * describes the account only in part (Strava's athlete summary lacks the units preference). A
   * failure does not fail the login: the token response's account is kept, with a warning.
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
 * `weeknotes auth`: checks the store can be written (before asking for consent), runs the browser
 * flow, and only then replaces the saved login. The new record is written first, config.json (which
 * points at it) is replaced atomically next, and only then is a previous record elsewhere deleted, so
 * a failure at any step leaves the old login usable. The writes happen under the refresh lock, so a
 * `generate` renewing the old login at that moment cannot store its tokens over the new ones.
 */
export async function login(o: LoginOptions): Promise<LoginResult> {
  const env = o.env
  const warn = o.warn ?? (() => {})
  const store = o.storeNothing ? undefined : (o.store ?? storeFor(o.storage, {configDir: o.configDir, env, warn}))
  if (store) {
    await store.ensureWritable()
    await makePrivate([[o.configDir, 0o700]], warn)
  }

  const grant = await (o.runFlow ?? runAuthorizationCodeFlow)({...o, warn})
  checkActivityScopes(grant.scopes, o.provider, warn)
  if (!grant.refreshToken && !o.implicit) {
    throw new AuthError(`${providerName(o.provider)} issued no refresh token, so the login cannot be kept.`, 'rejected')
  }

  if (!store) {
    const athlete = grant.athlete ? athleteSummary(grant.athlete) : undefined
    const {scopes, expiresAt, refreshToken} = grant
    return {clientId: o.clientId, athlete, scopes, expiresAt, storage: 'environment', refreshToken}
  }

  const athlete = await describedAccount(o, grant, warn)
  const account = accountFor(o.provider, o.clientId, {storage: store.kind, configDir: o.configDir})
  const secrets: SessionSecrets = {
    clientSecret: o.clientSecret,
    refreshToken: grant.refreshToken ?? '',
    accessToken: grant.accessToken,
    expiresAt: grant.expiresAt,
    scopes: grant.scopes,
  }
  const session: SessionSettings = {
    storage: store.kind,
    account,
    athlete: athlete ? athleteSummary(athlete) : undefined,
    scopes: grant.scopes,
    expiresAt: grant.expiresAt,
  }
  const previous = await withRefreshLock({path: refreshLockPath(o.configDir)}, async () => {
    const config = await readConfig(o.configDir)
    await store.set(account, secrets)
    await writeConfig(o.configDir, {...config, clientId: o.clientId, session})
    await dropPendingLogins(pendingLoginDirs(o.configDir, env))
    return config
  })

  const old = previous.session
  if (old && (old.account !== account || old.storage !== store.kind)) {
    const oldStore = old.storage === store.kind ? store : storeFor(old.storage, {configDir: o.configDir, env})
    await oldStore.delete(old.account).catch((error: Error) => {
      warn(`The previous login could not be removed from ${oldStore.description}: ${error.message}`)
    })
  }

  return {
    clientId: o.clientId,
    athlete: session.athlete,
    scopes: grant.scopes,
    expiresAt: grant.expiresAt,
    storage: store.kind,
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
    warn(
      `Logged in, but the ${providerName(o.provider)} profile could not be read (${reason}); units default to metric.`,
    )
    return grant.athlete
  }
}

/** The non-secret part of Strava's athlete summary kept in config.json (for templates and units). */
function athleteSummary(athlete: Record<string, unknown>): Record<string, unknown> {
  const keep = [
    'id',
    'username',
    'firstname',
    'lastname',
    'city',
    'state',
    'country',
    'sex',
    'measurement_preference',
    'profile_medium',
    'profile',
  ]
  return Object.fromEntries(keep.filter((key) => athlete[key] !== undefined).map((key) => [key, athlete[key]]))
}

export function checkActivityScopes(scopes: string[], provider: OAuthProvider, warn: (message: string) => void): void {
  if (provider.id !== 'strava') return
  const {missing, missingRecommended} = checkGrantedScopes(scopes, {
    required: ['activity:read'],
    recommended: ['activity:read_all'],
    implied: provider.impliedScopes,
  })
  if (missing.length > 0) {
    throw new AuthError(
      'Strava did not grant access to your activities, so weeknotes cannot read them.',
      'insufficient_scope',
      {
        suggestions: [
          'Run `weeknotes auth` again and keep "View data about your activities" ticked on the consent page.',
        ],
      },
    )
  }

  if (missingRecommended.length > 0) {
    warn(
      'Strava did not grant access to private activities (activity:read_all), so activities visible only to you will be missing from the notes.',
    )
  }
}
