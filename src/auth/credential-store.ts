import {existsSync} from 'node:fs'
import {readFile, rm} from 'node:fs/promises'
import {dirname, join} from 'node:path'

import {makePrivate, type StorageKind, writeJsonAtomic} from './config-file.js'
import {ExitCodeError} from './errors.js'

/**
 * Everything secret about one login, kept as ONE record so that replacing or refreshing a session is a
 * single write: a reader never sees a new refresh token beside an old client secret.
 */
export interface SessionSecrets {
  clientSecret?: string
  refreshToken: string
  accessToken?: string
  /** Access token expiry, epoch seconds. */
  expiresAt?: number
  scopes: string[]
}

/** A place for secret records, addressed by account name. */
export interface CredentialStore {
  readonly kind: StorageKind
  /** Human description for messages ("the system keyring", a file path). */
  readonly description: string
  get(account: string): Promise<SessionSecrets | undefined>
  set(account: string, secrets: SessionSecrets): Promise<void>
  /** Resolves true when a record was removed, false when there was none. */
  delete(account: string): Promise<boolean>
  /** Fails with a clear error when the store cannot be written, before a login asks for consent. */
  ensureWritable(): Promise<void>
}

export const noKeyringChoices = [
  'Run weeknotes inside a desktop session with a Secret Service (for example gnome-keyring, unlocked).',
  'Or opt in to a plain file (mode 0600) in the config directory: `weeknotes auth --insecure-storage`.',
  'Or use CI mode with nothing stored: set STRAVA_CLIENT_ID, STRAVA_CLIENT_SECRET and STRAVA_REFRESH_TOKEN.',
]

export class KeyringUnavailableError extends ExitCodeError {
  declare suggestions: string[]
  readonly exitCode = 3
  constructor(reason: string) {
    super(`No usable system keyring to keep the Strava login in (${reason}).`, {suggestions: noKeyringChoices})
  }
}

export class CredentialFileError extends ExitCodeError {
  readonly exitCode = 1
}

/** A stored record, or undefined when it is missing or not one of ours. */
function toSecrets(value: unknown): SessionSecrets | undefined {
  const record = value as Partial<SessionSecrets> | null | undefined
  if (typeof record?.refreshToken !== 'string') return undefined
  return {...record, refreshToken: record.refreshToken, scopes: Array.isArray(record.scopes) ? record.scopes : []}
}

function parseSecrets(text: string | null): SessionSecrets | undefined {
  try {
    return text ? toSecrets(JSON.parse(text)) : undefined
  } catch {
    return undefined
  }
}

type KeyringModule = typeof import('@napi-rs/keyring')

/**
 * The OS keyring through @napi-rs/keyring. Every call uses the binding's asynchronous entry (it runs on
 * libuv's thread pool) with an abort signal and a timer, so a Secret Service that never answers (a
 * locked collection waiting for an unlock prompt nobody sees) becomes KeyringUnavailableError after
 * `timeoutMs` instead of a hang. Failures to reach the service at all (no D-Bus session, no daemon,
 * prompt dismissed) become the same error.
 */
export class KeyringStore implements CredentialStore {
  readonly kind = 'keyring' as const
  readonly description: string
  readonly service: string
  private readonly env: NodeJS.ProcessEnv
  private readonly timeoutMs: number
  private readonly loadModule: () => Promise<KeyringModule>

  constructor(
    o: {service?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number; loadModule?: () => Promise<KeyringModule>} = {},
  ) {
    this.env = o.env ?? process.env
    this.service = o.service ?? this.env.WEEKNOTES_KEYRING_SERVICE ?? 'weeknotes'
    this.timeoutMs = o.timeoutMs ?? 5000
    this.loadModule = o.loadModule ?? (() => import('@napi-rs/keyring'))
    this.description = `the system keyring (service "${this.service}")`
  }

  async get(account: string): Promise<SessionSecrets | undefined> {
    return parseSecrets(await this.call(account, (entry, signal) => entry.getPassword(signal)))
  }

  async set(account: string, secrets: SessionSecrets): Promise<void> {
    await this.call(account, (entry, signal) => entry.setPassword(JSON.stringify(secrets), signal))
  }

  async delete(account: string): Promise<boolean> {
    return this.call(account, (entry, signal) => entry.deleteCredential(signal))
  }

  async ensureWritable(): Promise<void> {
    const probe = `write-probe-${process.pid}`
    await this.call(probe, (entry, signal) => entry.setPassword('probe', signal))
    await this.call(probe, (entry, signal) => entry.deleteCredential(signal))
  }

  /**
   * The Secret Service is reached over the D-Bus session bus; without one, the binding only says
   * "AccessDenied". Name the real cause where it is known.
   */
  private describeFailure(message: string): string {
    if (process.platform === 'darwin' || process.platform === 'win32') return message
    if (!this.env.DBUS_SESSION_BUS_ADDRESS?.trim()) {
      return 'no D-Bus session: DBUS_SESSION_BUS_ADDRESS is not set, as under cron, SSH or in a container'
    }
    const socket = /^unix:path=([^,;]+)/.exec(this.env.DBUS_SESSION_BUS_ADDRESS)?.[1]
    if (socket && !existsSync(socket)) {
      return `no D-Bus session: nothing at ${socket}, the address DBUS_SESSION_BUS_ADDRESS gives`
    }
    return message
  }

  private async call<T>(
    account: string,
    action: (entry: InstanceType<KeyringModule['AsyncEntry']>, signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    let keyring: KeyringModule
    try {
      keyring = await this.loadModule()
    } catch (error) {
      throw new KeyringUnavailableError(`the keyring module could not be loaded: ${(error as Error).message}`)
    }

    const controller = new AbortController()
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort()
        reject(
          new KeyringUnavailableError(
            `it did not answer within ${Math.round(this.timeoutMs / 1000)} s; a locked keyring may be waiting to be unlocked`,
          ),
        )
      }, this.timeoutMs)
    })
    try {
      const entry = new keyring.AsyncEntry(this.service, account)
      return await Promise.race([action(entry, controller.signal), timeout])
    } catch (error) {
      if (error instanceof KeyringUnavailableError) throw error
      throw new KeyringUnavailableError(this.describeFailure((error as Error).message.replace(/\.$/, '')))
    } finally {
      clearTimeout(timer)
    }
  }
}

/**
 * `--insecure-storage`: the records in `<configDir>/credentials.json`, mode 0600, replaced atomically.
 * Every use warns, because the secrets sit in clear text on disk.
 */
export class FileStore implements CredentialStore {
  readonly kind = 'file' as const
  readonly path: string
  readonly description: string
  private readonly warn: (message: string) => void
  private warned = false
  private permissionsChecked = false

  constructor(o: {configDir: string; warn?: (message: string) => void}) {
    this.path = join(o.configDir, 'credentials.json')
    this.description = this.path
    this.warn = o.warn ?? (() => {})
  }

  async get(account: string): Promise<SessionSecrets | undefined> {
    this.warnOnce()
    return toSecrets((await this.readAll())[account])
  }

  async set(account: string, secrets: SessionSecrets): Promise<void> {
    this.warnOnce()
    const all = await this.readAll()
    all[account] = secrets
    await writeJsonAtomic(this.path, all, 0o600)
  }

  async delete(account: string): Promise<boolean> {
    const all = await this.readAll()
    if (!(account in all)) return false
    delete all[account]
    if (Object.keys(all).length === 0) await rm(this.path, {force: true})
    else await writeJsonAtomic(this.path, all, 0o600)
    return true
  }

  async ensureWritable(): Promise<void> {
    this.warnOnce()
    await this.readAll()
    // Written and removed the way `set` writes: the directory must take a new file (read-only, full).
    const probe = `${this.path}.write-probe`
    await writeJsonAtomic(probe, {}, 0o600)
    await rm(probe, {force: true})
  }

  /** The file and its directory may predate weeknotes (made by hand, copied, restored). */
  private async tightenPermissions(): Promise<void> {
    if (this.permissionsChecked) return
    this.permissionsChecked = true
    await makePrivate(
      [
        [dirname(this.path), 0o700],
        [this.path, 0o600],
      ],
      this.warn,
    )
  }

  private warnOnce(): void {
    if (this.warned) return
    this.warned = true
    this.warn(`Strava credentials are stored unencrypted in ${this.path} (--insecure-storage).`)
  }

  private async readAll(): Promise<Record<string, unknown>> {
    await this.tightenPermissions()
    let text: string
    try {
      text = await readFile(this.path, 'utf8')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {}
      throw new CredentialFileError(`The credentials file ${this.path} could not be read: ${(error as Error).message}.`)
    }

    try {
      const parsed = JSON.parse(text) as unknown
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not a JSON object')
      return parsed as Record<string, unknown>
    } catch {
      throw new CredentialFileError(`The credentials file ${this.path} is damaged.`, {
        suggestions: [`Delete ${this.path} and run \`weeknotes auth --insecure-storage\` again.`],
      })
    }
  }
}

export function storeFor(
  kind: StorageKind,
  o: {configDir: string; env?: NodeJS.ProcessEnv; warn?: (message: string) => void},
): CredentialStore {
  return kind === 'file' ? new FileStore(o) : new KeyringStore({env: o.env})
}
