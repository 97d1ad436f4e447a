import {chmod, mkdir, stat} from 'node:fs/promises'
import {dirname, join} from 'node:path'

import writeFileAtomic from 'write-file-atomic'

import {ExitCodeError} from './errors.js'
import {asJsonObject, readJsonFile} from './json-file.js'
import type {CliNames} from './preset.js'

export type StorageKind = 'keyring' | 'file' | 'sealed'

/** The logged-in session as far as it is not secret: what `auth status` shows without touching the keyring. */
export interface SessionSettings {
  storage: StorageKind
  /** Name of the credential record in the store (keyring account or key in credentials.json). */
  account: string
  /**
   * The account's profile, the fields the preset keeps (`account.keep`). The key keeps the name the first
   * host's config files use.
   */
  athlete?: Record<string, unknown>
  scopes: string[]
  /** Access token expiry, epoch seconds. */
  expiresAt?: number
}

/** `<configDir>/config.json`: non-secret settings only. */
export interface SettingsFile {
  clientId?: string
  session?: SessionSettings
}

function configPath(configDir: string): string {
  return join(configDir, 'config.json')
}

/**
 * The settings file is damaged (exit 3: the login it describes is lost, log in again) or cannot be read
 * (exit 6, the code for local I/O failures: permissions or the disk must be fixed first).
 */
export class ConfigFileError extends ExitCodeError {
  constructor(path: string, reason: string, kind: 'damaged' | 'unreadable', cli?: CliNames) {
    const login = cli ? `run \`${cli.loginCommand}\` again` : 'log in again'
    super(`The settings file ${path} could not be read: ${reason}.`, {
      exitCode: kind === 'damaged' ? 3 : 6,
      suggestions: [
        kind === 'damaged'
          ? `Fix or delete ${path}, then ${login}.`
          : `Check the permissions of ${path} and the disk it is on, then run again.`,
      ],
    })
  }
}

/** config.json, or no settings when there is none; `cli` names the login command in the damaged file's message. */
export async function readConfig(configDir: string, cli?: CliNames): Promise<SettingsFile> {
  const path = configPath(configDir)
  const config = await readJsonFile(path, {
    check: (value) => withScopeList(asJsonObject(value) as SettingsFile),
    damaged: (reason) => {
      throw new ConfigFileError(path, reason, 'damaged', cli)
    },
    unreadable: (error) => {
      throw new ConfigFileError(path, error.message, 'unreadable', cli)
    },
  })
  return config ?? {}
}

/** A hand-edited config may hold the scopes as a server writes them, one string with commas or spaces. */
function withScopeList(config: SettingsFile): SettingsFile {
  const scopes: unknown = config.session?.scopes
  if (config.session && typeof scopes === 'string') config.session.scopes = scopes.split(/[\s,]+/).filter(Boolean)
  return config
}

export async function writeConfig(configDir: string, config: SettingsFile): Promise<void> {
  await writeJsonAtomic(configPath(configDir), config, 0o600)
}

/** `writeAtomic` with the value as indented JSON. */
export async function writeJsonAtomic(path: string, value: unknown, mode: number): Promise<void> {
  await writeAtomic(path, JSON.stringify(value, null, 2) + '\n', mode)
}

/**
 * Replaces `path` in one step (write-file-atomic: a temporary file beside it, flushed, renamed over it,
 * removed again on failure or a signal), so a reader (another process) sees the old or the new content,
 * never half a file. `mode` is set whatever the umask (0600 for secrets).
 */
export async function writeAtomic(path: string, data: string | Uint8Array, mode: number): Promise<void> {
  await mkdir(dirname(path), {recursive: true, mode: 0o700})
  const bytes = typeof data === 'string' ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength)
  await writeFileAtomic(path, bytes, {mode})
}

/**
 * Tightens existing paths that other users can reach to `mode` (0700 for a directory, 0600 for a
 * file), saying so; one that cannot be changed is reported instead. Missing paths are skipped, and
 * Windows, where modes do not govern access, is left alone.
 */
export async function makePrivate(
  targets: Array<[path: string, mode: number]>,
  warn: (message: string) => void,
): Promise<void> {
  if (process.platform === 'win32') return
  for (const [path, mode] of targets) {
    const stats = await stat(path).catch(() => undefined)
    if (!stats || (stats.mode & 0o077) === 0) continue
    const was = (stats.mode & 0o777).toString(8)
    try {
      await chmod(path, mode)
      const exposed = stats.isFile() ? ' If others use this machine, log in again to replace the secrets in it.' : ''
      warn(`${path} was open to other users (mode ${was}); it is now ${mode.toString(8)}.${exposed}`)
    } catch (error) {
      warn(`${path} is open to other users (mode ${was}) and could not be changed: ${(error as Error).message}`)
    }
  }
}
