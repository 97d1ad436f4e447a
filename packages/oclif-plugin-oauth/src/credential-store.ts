import {existsSync} from 'node:fs'
import {readFile, rm} from 'node:fs/promises'
import {dirname, join} from 'node:path'

import {makePrivate, type StorageKind, writeAtomic, writeJsonAtomic} from './config-file.js'
import {readStoreKey, type StoreKey, storeKeyHint} from './env-credentials.js'
import {AuthUsageError, ExitCodeError, SealedStoreError} from './errors.js'
import {asJsonObject, readJsonFile} from './json-file.js'
import type {CliNames, OAuthPreset, PresetEnvironment} from './preset.js'
import {providerName} from './provider.js'
import {
  isPassphrase,
  MIN_PASSPHRASE_LENGTH,
  newSealingKey,
  seal,
  SEALED_FORMAT_VERSION,
  type SealingKey,
  unseal,
  UnsealError,
} from './sealed-file.js'

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

/** How the stores name the login, the CLI and its variables in messages; without it they speak generically. */
export interface StoreWording {
  providerName: string
  cli: CliNames
  env: PresetEnvironment
}

export function storeWording(preset: OAuthPreset, env: NodeJS.ProcessEnv): StoreWording {
  return {providerName: providerName(preset.provider(env)), cli: preset.cli, env: preset.env}
}

/** The ways to keep a login when there is no keyring. */
function noKeyringChoices(w: StoreWording): string[] {
  const {cli, env} = w
  return [
    `Run ${cli.bin} inside a desktop session with a Secret Service (for example gnome-keyring, unlocked).`,
    `Or opt in to a plain file (mode 0600) in the config directory: \`${cli.loginCommand} --insecure-storage\`.`,
    `Or keep them encrypted in a file: set ${env.storeKey} to a key from \`${cli.loginCommand} key\`.`,
    `Or use CI mode with nothing stored: set ${env.clientId}, ${env.clientSecret} and ${env.refreshToken}.`,
  ]
}

export class KeyringUnavailableError extends ExitCodeError {
  constructor(reason: string, wording?: StoreWording) {
    super(`No usable system keyring to keep the ${loginOf(wording)} in (${reason}).`, {
      exitCode: 3,
      suggestions: wording ? noKeyringChoices(wording) : undefined,
    })
  }
}

/** The credentials file cannot be read or is damaged. */
export class CredentialFileError extends ExitCodeError {}

const loginOf = (wording?: StoreWording) => (wording ? `${wording.providerName} login` : 'login')

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
  private readonly wording?: StoreWording

  constructor(o: {
    service: string
    env: NodeJS.ProcessEnv
    timeoutMs?: number
    loadModule?: () => Promise<KeyringModule>
    wording?: StoreWording
  }) {
    this.env = o.env
    this.service = o.service
    this.wording = o.wording
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
      throw new KeyringUnavailableError(
        `the keyring module could not be loaded: ${(error as Error).message}`,
        this.wording,
      )
    }

    const controller = new AbortController()
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort()
        reject(
          new KeyringUnavailableError(
            `it did not answer within ${Math.round(this.timeoutMs / 1000)} s; a locked keyring may be waiting to be unlocked`,
            this.wording,
          ),
        )
      }, this.timeoutMs)
    })
    try {
      const entry = new keyring.AsyncEntry(this.service, account)
      return await Promise.race([action(entry, controller.signal), timeout])
    } catch (error) {
      if (error instanceof KeyringUnavailableError) throw error
      throw new KeyringUnavailableError(this.describeFailure((error as Error).message.replace(/\.$/, '')), this.wording)
    } finally {
      clearTimeout(timer)
    }
  }
}

/** Records kept in one file of the config directory, read whole and replaced whole (atomically, mode 0600). */
abstract class RecordsFileStore implements CredentialStore {
  abstract readonly kind: StorageKind
  readonly path: string
  readonly description: string

  constructor(path: string, description: string) {
    this.path = path
    this.description = description
  }

  /** All records; an absent file has none. */
  protected abstract readRecords(): Promise<Record<string, unknown>>
  protected abstract writeRecords(records: Record<string, unknown>): Promise<void>
  protected beforeUse(): void {}

  async get(account: string): Promise<SessionSecrets | undefined> {
    this.beforeUse()
    return toSecrets((await this.readRecords())[account])
  }

  async set(account: string, secrets: SessionSecrets): Promise<void> {
    this.beforeUse()
    const all = await this.readRecords()
    all[account] = secrets
    await this.writeRecords(all)
  }

  async delete(account: string): Promise<boolean> {
    const all = await this.readRecords()
    if (!(account in all)) return false
    delete all[account]
    if (Object.keys(all).length === 0) await rm(this.path, {force: true})
    else await this.writeRecords(all)
    return true
  }

  async ensureWritable(): Promise<void> {
    this.beforeUse()
    await this.readRecords()
    // Written and removed the way `set` writes: the directory must take a new file (read-only, full).
    const probe = `${this.path}.write-probe`
    await writeJsonAtomic(probe, {}, 0o600)
    await rm(probe, {force: true})
  }
}

/**
 * `--insecure-storage`: the records in `<configDir>/credentials.json`, mode 0600, replaced atomically.
 * Every use warns, because the secrets sit in clear text on disk.
 */
export class FileStore extends RecordsFileStore {
  readonly kind = 'file' as const
  private readonly warn: (message: string) => void
  private readonly wording?: StoreWording
  private warned = false
  private permissionsChecked = false

  constructor(o: {configDir: string; warn?: (message: string) => void; wording?: StoreWording}) {
    const path = join(o.configDir, 'credentials.json')
    super(path, path)
    this.warn = o.warn ?? (() => {})
    this.wording = o.wording
  }

  protected beforeUse(): void {
    if (this.warned) return
    this.warned = true
    const whose = this.wording ? `${this.wording.providerName} credentials are` : 'Credentials are'
    this.warn(`${whose} stored unencrypted in ${this.path} (--insecure-storage).`)
  }

  protected async writeRecords(records: Record<string, unknown>): Promise<void> {
    await writeJsonAtomic(this.path, records, 0o600)
  }

  /** The file and its directory may predate the CLI (made by hand, copied, restored). */
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

  protected async readRecords(): Promise<Record<string, unknown>> {
    await this.tightenPermissions()
    const records = await readJsonFile(this.path, {
      check: asJsonObject,
      damaged: () => {
        const login = this.wording
          ? `run \`${this.wording.cli.loginCommand} --insecure-storage\` again`
          : 'log in again'
        throw new CredentialFileError(`The credentials file ${this.path} is damaged.`, {
          suggestions: [`Delete ${this.path} and ${login}.`],
        })
      },
      unreadable: (error) => {
        throw new CredentialFileError(`The credentials file ${this.path} could not be read: ${error.message}.`)
      },
    })
    return records ?? {}
  }
}

function sealedStorePath(configDir: string): string {
  return join(configDir, 'credentials.sealed')
}

/**
 * The records in `<configDir>/credentials.sealed`, encrypted and authenticated (AES-256-GCM, see
 * sealed-file.ts) with a key from the environment. A file that cannot be opened is never written:
 * every failure leaves it byte for byte as it was.
 */
export class SealedStore extends RecordsFileStore {
  readonly kind = 'sealed' as const
  private readonly readKey: () => Promise<StoreKey | undefined>
  private readonly wording: StoreWording
  /** The key that opened the file (or sealed a new one): rewrites keep its salt and skip scrypt. */
  private sealingKey: SealingKey | undefined

  constructor(o: {configDir: string; readKey: () => Promise<StoreKey | undefined>; wording: StoreWording}) {
    const path = sealedStorePath(o.configDir)
    super(path, `the sealed file ${path}`)
    this.readKey = o.readKey
    this.wording = o.wording
  }

  protected async readRecords(): Promise<Record<string, unknown>> {
    const key = await this.requireKey()
    let bytes: Buffer
    try {
      bytes = await readFile(this.path)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {}
      throw new CredentialFileError(`The sealed file ${this.path} could not be read: ${(error as Error).message}.`)
    }

    try {
      const {document, key: sealingKey} = await unseal(bytes, key.text)
      this.sealingKey = sealingKey
      return asJsonObject(document)
    } catch (error) {
      throw this.describe(error, key)
    }
  }

  protected async writeRecords(records: Record<string, unknown>): Promise<void> {
    await writeAtomic(this.path, seal(records, await this.keyForWriting()), 0o600)
  }

  /** Before a login asks for consent: the file opens with the key, or a new one can be sealed with it. */
  async ensureWritable(): Promise<void> {
    await super.ensureWritable()
    await this.keyForWriting()
  }

  private async keyForWriting(): Promise<SealingKey> {
    if (this.sealingKey) return this.sealingKey
    const key = await this.requireKey()
    if (isPassphrase(key.text) && key.text.length < MIN_PASSPHRASE_LENGTH) {
      throw new AuthUsageError(
        `The store key in ${key.source} is too short for a passphrase: use at least ${MIN_PASSPHRASE_LENGTH} characters, or a key from \`${this.wording.cli.loginCommand} key\`.`,
      )
    }

    this.sealingKey = await newSealingKey(key.text)
    return this.sealingKey
  }

  private async requireKey(): Promise<StoreKey> {
    const key = await this.readKey()
    if (key) return key
    throw new SealedStoreError(
      `The login in ${this.path} is sealed: set ${storeKeyHint(this.wording.env)} to the key it was sealed with.`,
    )
  }

  private describe(error: unknown, key: StoreKey): Error {
    if (!(error instanceof UnsealError)) return error as Error
    const {bin, loginCommand} = this.wording.cli
    if (error.reason === 'newer') {
      return new SealedStoreError(
        `${this.path} was written by a newer ${bin} (format newer than ${SEALED_FORMAT_VERSION}); update ${bin} to read it.`,
      )
    }
    if (error.reason === 'damaged') {
      return new SealedStoreError(
        `${this.path} is damaged (not a sealed credential file); delete it and log in again with \`${loginCommand}\`.`,
      )
    }
    return new SealedStoreError(
      `The key in ${key.source} does not open ${this.path} (a wrong key, or the file was changed); use the key it was sealed with, or delete the file and log in again with \`${loginCommand}\`.`,
    )
  }
}

export interface StoreOptions {
  configDir: string
  preset: OAuthPreset
  env: NodeJS.ProcessEnv
  warn?: (message: string) => void
}

/**
 * The store a login of `kind` lives in, worded and named by the preset. The sealed store reads its key from
 * the environment when first used, so that commands which never touch secrets need no key.
 */
export function storeFor(kind: StorageKind, o: StoreOptions): CredentialStore {
  const {env, preset} = o
  const wording = storeWording(preset, env)
  if (kind === 'file') return new FileStore({configDir: o.configDir, warn: o.warn, wording})
  if (kind === 'sealed') {
    return new SealedStore({configDir: o.configDir, readKey: () => readStoreKey(env, preset.env), wording})
  }
  const override = preset.env.keyringService ? env[preset.env.keyringService] : undefined
  return new KeyringStore({service: override ?? preset.keyringService, env, wording})
}
