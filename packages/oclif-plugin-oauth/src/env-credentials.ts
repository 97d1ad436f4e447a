import {readFile} from 'node:fs/promises'

import {AuthUsageError, SealedStoreError} from './errors.js'
import type {PresetEnvironment} from './preset.js'

/**
 * CI mode: a refresh token (with the client id and secret) in the environment, nothing stored. Client id
 * and secret may also come from a stored login on the same machine.
 */
export interface EnvCredentials {
  clientId?: string
  clientSecret?: string
  refreshToken?: string
}

export function envCredentials(env: NodeJS.ProcessEnv, names: PresetEnvironment): EnvCredentials {
  const value = (name: string) => env[name]?.trim() || undefined
  return {
    clientId: value(names.clientId),
    clientSecret: value(names.clientSecret),
    refreshToken: value(names.refreshToken),
  }
}

/**
 * The variables CI mode still lacks beside the refresh token. The client id may come from the saved
 * settings, and the secret from the saved login when it is for the same client id.
 */
export function missingCiVariables(
  env: EnvCredentials,
  saved: {clientId?: string; hasLogin: boolean},
  names: PresetEnvironment,
): string[] {
  const clientId = env.clientId ?? saved.clientId
  const secretSaved = saved.hasLogin && clientId !== undefined && clientId === saved.clientId
  const missing: Array<keyof EnvCredentials> = []
  if (!clientId) missing.push('clientId')
  if (!env.clientSecret && !secretSaved) missing.push('clientSecret')
  return missing.map((key) => names[key])
}

/** How messages name the variables that select the sealed credential store. */
export function storeKeyHint(names: PresetEnvironment): string {
  return `${names.storeKey} (or ${names.storeKeyFile}, a file holding it)`
}

/** Whether the environment asks for the sealed store; an empty value counts as unset (a CI secret that is not defined). */
export function storeKeyConfigured(env: NodeJS.ProcessEnv, names: PresetEnvironment): boolean {
  return Boolean(env[names.storeKey]?.trim() || env[names.storeKeyFile]?.trim())
}

/** The store key and where it came from (for messages; never the key itself). */
export interface StoreKey {
  text: string
  source: string
}

/** The key from the variable or from the file it names; undefined when neither is set. */
export async function readStoreKey(env: NodeJS.ProcessEnv, names: PresetEnvironment): Promise<StoreKey | undefined> {
  const direct = env[names.storeKey]?.trim()
  const file = env[names.storeKeyFile]?.trim()
  if (direct && file) throw new AuthUsageError(`Set ${names.storeKey} or ${names.storeKeyFile}, not both.`)
  if (direct) return {text: direct, source: names.storeKey}
  if (!file) return undefined
  const source = `the key file ${file} (${names.storeKeyFile})`
  let text: string
  try {
    text = (await readFile(file, 'utf8')).trim()
  } catch (error) {
    throw new SealedStoreError(`${capitalized(source)} cannot be read (${(error as NodeJS.ErrnoException).code}).`)
  }

  if (!text) throw new SealedStoreError(`${capitalized(source)} is empty.`)
  return {text, source}
}

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}
