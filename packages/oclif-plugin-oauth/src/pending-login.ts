import {createHash} from 'node:crypto'
import {rm} from 'node:fs/promises'
import {basename, join} from 'node:path'

import {writeJsonAtomic} from './config-file.js'
import type {SessionSecrets} from './credential-store.js'
import {asJsonObject, readJsonFile} from './json-file.js'

/**
 * A renewal whose answer the credential store refused (keyring gone, disk full) would lose the login:
 * the provider has already replaced the refresh token. Its tokens wait in this file, mode 0600, until
 * the next run moves them into the store. Each file names the refresh token it replaced (by hash), so
 * it is adopted only while the store still holds that one; a new login or a logout makes it stale.
 */
const FILE_NAME = 'pending-login.json'

interface PendingLogin {
  account: string
  /** SHA-256 of the refresh token this renewal spent. */
  replaces: string
  secrets: SessionSecrets
}

/**
 * Where pending logins go, in order: the config directory, then (when set) a directory of its own under
 * $XDG_RUNTIME_DIR, the user's private tmpfs, which still takes a file when the disk is full.
 */
export function pendingLoginDirs(configDir: string, env: NodeJS.ProcessEnv): string[] {
  const runtime = env.XDG_RUNTIME_DIR?.trim()
  if (!runtime) return [configDir]
  const id = createHash('sha256').update(configDir).digest('hex').slice(0, 12)
  return [configDir, join(runtime, `${basename(configDir)}-${id}`)]
}

const fingerprint = (refreshToken: string) => createHash('sha256').update(refreshToken).digest('hex')

/** Keeps a renewal the store refused; the path it went to, or undefined when no directory took it. */
export async function keepPendingLogin(
  dirs: string[],
  account: string,
  secrets: SessionSecrets,
  replacedRefreshToken: string,
): Promise<string | undefined> {
  const pending: PendingLogin = {account, replaces: fingerprint(replacedRefreshToken), secrets}
  for (const dir of dirs) {
    const path = join(dir, FILE_NAME)
    try {
      await writeJsonAtomic(path, pending, 0o600)
      return path
    } catch {
      // The next directory may still take it.
    }
  }

  return undefined
}

/** The pending renewal of `stored` (the record it was renewed from); pending files that no longer fit are removed. */
export async function findPendingLogin(
  dirs: string[],
  account: string,
  stored: SessionSecrets | undefined,
): Promise<{path: string; secrets: SessionSecrets} | undefined> {
  for (const dir of dirs) {
    const path = join(dir, FILE_NAME)
    // A damaged or unreadable pending file cannot be adopted: the next directory may hold one that can.
    const pending = await readJsonFile(path, {
      check: (value) => asJsonObject(value) as Partial<PendingLogin>,
      damaged: () => undefined,
      unreadable: () => undefined,
    })
    if (!pending) continue

    const fits = pending.account === account && stored && pending.replaces === fingerprint(stored.refreshToken)
    if (fits && typeof pending.secrets?.refreshToken === 'string') return {path, secrets: pending.secrets}
    await rm(path, {force: true}).catch(() => {})
  }

  return undefined
}

/** A new login or a logout: no renewal of the previous login may come back. */
export async function dropPendingLogins(dirs: string[]): Promise<void> {
  await Promise.all(dirs.map((dir) => rm(join(dir, FILE_NAME), {force: true}).catch(() => {})))
}
