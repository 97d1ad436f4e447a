import {resolve} from 'node:path'

import {readConfig, type SessionSettings, type StorageKind, writeConfig} from './config-file.js'
import type {CredentialStore} from './credential-store.js'
import type {OAuthProvider} from './provider.js'
import {refreshLock, type RefreshLockOptions, withRefreshLock} from './refresh-lock.js'

/**
 * The account name of a login's record in the credential store. The keyring is one per user, so its
 * record names the config directory too: each place (the laptop's own login, a repository's own config
 * directory) holds its own grant, and rotating one cannot break another. A file store lives in the
 * config directory already, and keeps a name that stays valid when the directory is checked out elsewhere.
 */
export function accountFor(
  provider: OAuthProvider,
  clientId: string,
  where: {storage: StorageKind; configDir: string},
): string {
  const account = `${provider.id}:${clientId}`
  return where.storage === 'keyring' ? `${account}:${resolve(where.configDir)}` : account
}

/**
 * Keyring records made before they were per config directory are named `provider:clientId`, shared by
 * every config directory with that app. The first session opened here moves the record to this
 * directory's own name (under the refresh lock, new record first, config.json next, old record last)
 * and returns the account name to use.
 */
export async function adoptSharedKeyringRecord(o: {
  configDir: string
  provider: OAuthProvider
  clientId: string | undefined
  settings: SessionSettings
  store: CredentialStore
  lock?: RefreshLockOptions
}): Promise<string> {
  const {settings} = o
  if (settings.storage !== 'keyring' || !o.clientId || settings.account !== `${o.provider.id}:${o.clientId}`) {
    return settings.account
  }

  const account = accountFor(o.provider, o.clientId, {storage: 'keyring', configDir: o.configDir})
  return withRefreshLock(o.lock ?? refreshLock(o.configDir), async () => {
    const config = await readConfig(o.configDir)
    if (!config.session || config.session.account !== settings.account) return config.session?.account ?? account
    const secrets = await o.store.get(settings.account)
    if (!secrets) return settings.account
    await o.store.set(account, secrets)
    await writeConfig(o.configDir, {...config, session: {...config.session, account}})
    await o.store.delete(settings.account).catch(() => false)
    return account
  })
}
