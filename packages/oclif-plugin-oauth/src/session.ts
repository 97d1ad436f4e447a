import {rm} from 'node:fs/promises'

import {adoptSharedKeyringRecord} from './account.js'
import {readConfig, type SessionSettings, type SettingsFile, type StorageKind, writeConfig} from './config-file.js'
import {type CredentialStore, type SessionSecrets, storeFor} from './credential-store.js'
import {type EnvCredentials, envCredentials} from './env-credentials.js'
import {AuthError, ExitCodeError} from './errors.js'
import {findPendingLogin, keepPendingLogin, pendingLoginDirs} from './pending-login.js'
import type {CliNames, OAuthPreset} from './preset.js'
import {type OAuthProvider, providerName} from './provider.js'
import {refreshLock, type RefreshLockOptions, withRefreshLock} from './refresh-lock.js'
import {withSignalsDeferred} from './signal-guard.js'
import {type HttpClient, refreshGrant as defaultRefreshGrant, type TokenGrant} from './tokens.js'

/** Renew the access token when it expires within this margin. */
const EXPIRY_MARGIN_SECONDS = 5 * 60

export interface StoredProfile {
  clientId?: string
  athlete?: Record<string, unknown>
  scopes: string[]
  /** Access token expiry, epoch seconds. */
  expiresAt?: number
  storage: StorageKind | 'environment'
}

export type RefreshGrant = typeof defaultRefreshGrant

/** Where a session's tokens live between runs: a credential store record, or nowhere (CI mode). */
export interface TokenPersistence {
  load(): Promise<SessionSecrets>
  /** Stores a renewal of `previous`; throws only when the new tokens could not be kept anywhere. */
  save(secrets: SessionSecrets, previous: SessionSecrets): Promise<void>
  /** Lock serializing refreshes across processes; none when nothing is stored. */
  lock?: RefreshLockOptions
  /** Fails when `save` could not write, checked before a rotating refresh token is spent. */
  ensureWritable?(): Promise<void>
}

/**
 * The store cannot take a renewal, found before the refresh token was spent: the saved login is intact.
 * Keeps the exit code of the cause (keyring unavailable: 3), else the code for local I/O failures.
 */
export class LoginNotRenewedError extends ExitCodeError {
  constructor(message: string, cause: unknown) {
    const {exitCode = 6, suggestions} = cause as {exitCode?: number; suggestions?: string[]}
    super(message, {cause, exitCode, suggestions})
  }
}

export interface TokenSessionOptions {
  profile: StoredProfile
  provider: OAuthProvider
  clientId: string
  clientSecret?: string
  /** The tokens as read when the session was opened. */
  secrets: SessionSecrets
  persistence: TokenPersistence
  now?: () => number
  refreshGrant?: RefreshGrant
  http?: HttpClient
  /** Names the CLI's login command in messages. */
  cli: CliNames
  /** What to tell the user when the refresh token (or the client behind it) is refused. */
  loginAgainMessage?: (reason: 'invalid_refresh_token' | 'invalid_client') => string
  /** Called with the new refresh token when the provider rotated it (CI mode reports it cannot keep it). */
  onRotation?: (newRefreshToken: string) => void
  /** Warnings for the user (an interrupted renewal); default stderr. */
  warn?: (message: string) => void
}

/**
 * Hands out access tokens that stay valid for a few minutes (for an API client's bearer header),
 * renewing them with the refresh token when needed. Renewals are serialized per process
 * (one shared promise) and across processes (a lock file; the store is re-read once the lock is held,
 * so a token another process already renewed is used instead of spending the rotating refresh token
 * twice). A rotated refresh token is stored before the new access token is handed out.
 */
export class TokenSession {
  readonly profile: StoredProfile
  private current: SessionSecrets
  private inFlight: Promise<string> | undefined
  private readonly o: TokenSessionOptions
  private readonly now: () => number

  constructor(options: TokenSessionOptions) {
    this.o = options
    this.profile = options.profile
    this.current = options.secrets
    this.now = options.now ?? Date.now
  }

  async accessToken(): Promise<string> {
    if (this.inFlight) return this.inFlight
    if (this.isFresh(this.current)) return this.current.accessToken!
    return this.renew(this.current.accessToken)
  }

  /** The API answered 401 to `rejected`: renew once (or reuse a token renewed meanwhile). */
  async renewAfterRejection(rejected: string): Promise<string> {
    if (this.inFlight) return this.inFlight
    if (this.current.accessToken && this.current.accessToken !== rejected && this.isFresh(this.current)) {
      return this.current.accessToken
    }

    return this.renew(rejected)
  }

  private isFresh(secrets: SessionSecrets): boolean {
    return (
      secrets.accessToken !== undefined &&
      secrets.expiresAt !== undefined &&
      secrets.expiresAt - this.now() / 1000 > EXPIRY_MARGIN_SECONDS
    )
  }

  private renew(stale: string | undefined): Promise<string> {
    this.inFlight ??= this.renewOnce(stale).finally(() => {
      this.inFlight = undefined
    })
    return this.inFlight
  }

  private async renewOnce(stale: string | undefined): Promise<string> {
    const {lock} = this.o.persistence
    if (!lock) return this.refreshFrom(this.current)
    return withRefreshLock(lock, async () => {
      // Another process may have renewed while this one waited for the lock.
      const stored = await this.o.persistence.load()
      if (stored.accessToken !== stale && this.isFresh(stored)) {
        this.current = stored
        return stored.accessToken!
      }

      return this.refreshFrom(stored)
    })
  }

  private async refreshFrom(base: SessionSecrets): Promise<string> {
    const {persistence} = this.o
    await persistence.ensureWritable?.()
    // A stored login: from here until the answer is saved, Ctrl-C would lose it (the server rotates the
    // refresh token on receipt). CI mode keeps nothing, so there is nothing to wait for.
    if (!persistence.lock) return this.spendAndSave(base)
    return withSignalsDeferred(
      {
        warn: this.o.warn ?? ((message) => process.stderr.write(`Warning: ${message}\n`)),
        recovery: `If the next run cannot log in, run \`${this.o.cli.loginCommand}\` again.`,
      },
      () => this.spendAndSave(base),
    )
  }

  private async spendAndSave(base: SessionSecrets): Promise<string> {
    let grant: TokenGrant
    try {
      grant = await (this.o.refreshGrant ?? defaultRefreshGrant)({
        provider: this.o.provider,
        clientId: this.o.clientId,
        clientSecret: this.o.clientSecret,
        refreshToken: base.refreshToken,
        scopes: base.scopes,
        http: this.o.http,
        now: this.now,
      })
    } catch (error) {
      if (
        error instanceof AuthError &&
        (error.reason === 'invalid_refresh_token' || error.reason === 'invalid_client')
      ) {
        const again = `${providerName(this.o.provider)} no longer accepts the saved login; run \`${this.o.cli.loginCommand}\` again.`
        throw new AuthError(this.o.loginAgainMessage?.(error.reason) ?? again, error.reason, {cause: error})
      }

      throw error
    }

    const next: SessionSecrets = {
      ...base,
      accessToken: grant.accessToken,
      refreshToken: grant.refreshToken ?? base.refreshToken,
      expiresAt: grant.expiresAt,
      scopes: grant.scopes.length > 0 ? grant.scopes : base.scopes,
    }
    // Stored before use: once the new access token is used, the provider may forget the old refresh token.
    await this.o.persistence.save(next, base)
    if (grant.refreshToken && grant.refreshToken !== base.refreshToken) this.o.onRotation?.(grant.refreshToken)
    this.current = next
    this.profile.expiresAt = next.expiresAt
    return next.accessToken!
  }
}

export interface OpenTokenSessionOptions {
  configDir: string
  preset: OAuthPreset
  env: NodeJS.ProcessEnv
  warn?: (message: string) => void
  now?: () => number
  /** Default: the preset's provider for `env`. */
  provider?: OAuthProvider
  refreshGrant?: RefreshGrant
  http?: HttpClient
  /** Overrides the store chosen from config.json (tests). */
  store?: CredentialStore
  /** Where a renewal the store refused is kept for the next run; default pendingLoginDirs(). */
  pendingLoginDirs?: string[]
}

/** What both kinds of session are opened with, resolved once. */
interface SessionContext {
  o: OpenTokenSessionOptions
  env: NodeJS.ProcessEnv
  warn: (message: string) => void
  provider: OAuthProvider
  preset: OAuthPreset
  config: SettingsFile
  fromEnv: EnvCredentials
  storeOf(session: SessionSettings): CredentialStore
}

/**
 * The session an API client takes its tokens from: CI mode when the preset's refresh token variable is set,
 * else the login saved by the login command, else AuthError (exit 3).
 */
export async function openTokenSession(o: OpenTokenSessionOptions): Promise<TokenSession> {
  const env = o.env
  const warn = o.warn ?? ((message: string) => process.stderr.write(`Warning: ${message}\n`))
  const {preset} = o
  const c: SessionContext = {
    o,
    env,
    warn,
    preset,
    provider: o.provider ?? preset.provider(env),
    config: await readConfig(o.configDir, preset.cli),
    fromEnv: envCredentials(env, preset.env),
    storeOf: (session) => o.store ?? storeFor(session.storage, {configDir: o.configDir, env, warn, preset}),
  }
  return c.fromEnv.refreshToken ? openCiSession(c, c.fromEnv.refreshToken) : openStoredSession(c)
}

/** CI mode: the refresh token from the environment, nothing stored; a rotated token is reported, not kept. */
async function openCiSession(c: SessionContext, refreshToken: string): Promise<TokenSession> {
  const {config, fromEnv, preset, provider} = c
  const {cli, env: names} = preset
  const settings = config.session
  const clientId = fromEnv.clientId ?? config.clientId
  let clientSecret = fromEnv.clientSecret
  if (!clientSecret && settings && clientId === config.clientId) {
    clientSecret = (await c.storeOf(settings).get(settings.account))?.clientSecret
  }

  if (!clientId || !clientSecret) {
    throw new AuthError(
      `CI mode needs ${names.clientId} and ${names.clientSecret} beside ${names.refreshToken}.`,
      'rejected',
    )
  }

  let warned = false
  let secrets: SessionSecrets = {refreshToken, scopes: []}
  const name = providerName(provider)
  return new TokenSession({
    profile: {clientId, scopes: [], storage: 'environment'},
    provider,
    clientId,
    clientSecret,
    secrets,
    persistence: {
      load: async () => secrets,
      save: async (next) => {
        secrets = next
      },
    },
    now: c.o.now,
    refreshGrant: c.o.refreshGrant,
    http: c.o.http,
    cli,
    // A refused client (a wrong secret) is not the refresh token's fault: a new token would not help.
    loginAgainMessage: (reason) =>
      reason === 'invalid_client'
        ? `${name} does not accept ${names.clientId} with ${names.clientSecret}; check both against your app's settings${preset.clientSettingsUrl ? ` (${preset.clientSettingsUrl})` : ''}.`
        : `${name} no longer accepts ${names.refreshToken}; get a new one with \`${cli.loginCommand} --print-refresh-token\` and update the CI secret.`,
    onRotation: () => {
      if (warned) return
      warned = true
      c.warn(ciRotationWarning(name, preset))
    },
  })
}

// A provider that rotates refresh tokens stops accepting the old one once it issued a new one. The token
// itself is not printed: output often ends up in public CI logs.
function ciRotationWarning(name: string, {cli, env}: OAuthPreset): string {
  return (
    `${name} issued a new refresh token, which ${cli.bin} cannot keep in CI mode (${env.refreshToken} comes from the environment), ` +
    `and ${name} stops accepting the old one once a new one is issued. Update the CI secret ${env.refreshToken} with a new one from ` +
    `\`${cli.loginCommand} --print-refresh-token\`, or move to the sealed store (${env.storeKey}), which keeps rotated tokens.`
  )
}

function notLoggedInError({cli, env}: OAuthPreset): AuthError {
  return new AuthError(`Not logged in. Run \`${cli.loginCommand}\` first.`, 'rejected', {
    suggestions: [`Or, for CI, set ${env.clientId}, ${env.clientSecret} and ${env.refreshToken} in the environment.`],
  })
}

/** The login saved in a credential store (a record named in config.json). */
async function openStoredSession(c: SessionContext): Promise<TokenSession> {
  const {config, o, preset, provider} = c
  const settings = config.session
  if (!settings) throw notLoggedInError(preset)
  const clientId = c.fromEnv.clientId ?? config.clientId
  if (!clientId) throw notLoggedInError(preset)
  const store = c.storeOf(settings)
  const lock = refreshLock(o.configDir, {bin: preset.cli.bin, providerName: providerName(provider)})
  const persistence = storedLogin({
    store,
    account: await adoptSharedKeyringRecord({
      configDir: o.configDir,
      provider,
      clientId: config.clientId,
      settings,
      store,
      lock,
    }),
    configDir: o.configDir,
    lock,
    pendingDirs: o.pendingLoginDirs ?? pendingLoginDirs(o.configDir, c.env),
    warn: c.warn,
    cli: preset.cli,
    providerName: providerName(provider),
  })
  const secrets = await persistence.open()
  const {athlete, scopes, storage} = settings
  return new TokenSession({
    profile: {clientId, athlete, scopes, expiresAt: secrets.expiresAt, storage},
    provider,
    clientId,
    clientSecret: c.fromEnv.clientSecret ?? secrets.clientSecret,
    secrets,
    persistence,
    now: o.now,
    refreshGrant: o.refreshGrant,
    http: o.http,
    cli: preset.cli,
    warn: c.warn,
  })
}

interface StoredLoginOptions {
  store: CredentialStore
  account: string
  configDir: string
  lock: RefreshLockOptions
  pendingDirs: string[]
  warn: (message: string) => void
  cli: CliNames
  providerName: string
}

/**
 * A login kept in a credential store. A renewal the store refuses is kept aside as a pending login
 * (pending-login.ts) and moved into the store by the next run that opens it.
 */
function storedLogin(o: StoredLoginOptions): TokenPersistence & {open(): Promise<SessionSecrets>} {
  const {store, account, lock} = o
  // A record gone since the session opened was logged out: refreshing would bring it back.
  const readStored = async () => {
    const stored = await store.get(account)
    if (stored) return stored
    throw new AuthError(
      `The saved ${o.providerName} login is missing from ${store.description}. Run \`${o.cli.loginCommand}\` again.`,
      'rejected',
    )
  }

  const load = async () => {
    const stored = await readStored()
    const pending = await findPendingLogin(o.pendingDirs, account, stored)
    if (!pending) return stored
    // Stays pending (and in use) while the store still refuses it.
    await store.set(account, pending.secrets).then(
      () => rm(pending.path, {force: true}),
      () => {},
    )
    return pending.secrets
  }

  return {
    lock,
    load,
    open: async () => {
      const stored = await readStored()
      if (!(await findPendingLogin(o.pendingDirs, account, stored))) return stored
      // Adopting a pending login writes the store, so it happens under the lock, like a renewal.
      return withRefreshLock(lock, load)
    },
    ensureWritable: async () => {
      try {
        await store.ensureWritable()
      } catch (error) {
        throw new LoginNotRenewedError(
          `The saved login needs renewing, but ${store.description} cannot be written (${(error as Error).message.replace(/\.$/, '')}); it was left as it is. Fix that and run again.`,
          error,
        )
      }
    },
    save: async (next, previous) => {
      try {
        await store.set(account, next)
      } catch (error) {
        await keepAside(o, next, previous, error as Error)
      }

      // The expiry in config.json only feeds `auth status`; the store above is the truth.
      await recordExpiry(o.configDir, account, next.expiresAt).catch(() => {})
    },
  }
}

async function keepAside(
  o: StoredLoginOptions,
  next: SessionSecrets,
  previous: SessionSecrets,
  error: Error,
): Promise<void> {
  const kept = await keepPendingLogin(o.pendingDirs, o.account, next, previous.refreshToken)
  const failure = `The renewed login could not be saved to ${o.store.description} (${error.message.replace(/\.$/, '')})`
  if (!kept) {
    throw new LoginNotRenewedError(
      `${failure}, nor kept aside in ${o.pendingDirs.join(' or ')}. If the next run cannot log in, run \`${o.cli.loginCommand}\` again.`,
      error,
    )
  }

  o.warn(
    `${failure}. It is kept in ${kept}, readable only by you, and the next run moves it into the store; do not delete that file.`,
  )
}

async function recordExpiry(configDir: string, account: string, expiresAt: number | undefined): Promise<void> {
  const config = await readConfig(configDir)
  if (config.session?.account !== account) return
  await writeConfig(configDir, {...config, session: {...config.session, expiresAt}})
}
