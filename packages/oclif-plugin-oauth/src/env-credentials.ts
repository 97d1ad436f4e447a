import {readFile} from 'node:fs/promises'

import {AuthUsageError, SealedStoreError} from './errors.js'

/**
 * CI mode: STRAVA_REFRESH_TOKEN (with STRAVA_CLIENT_ID and STRAVA_CLIENT_SECRET) in the environment,
 * nothing stored. Client id and secret may also come from a stored login on the same machine.
 */
export interface EnvCredentials {
  clientId?: string
  clientSecret?: string
  refreshToken?: string
}

/** The environment variable behind each credential, for messages that say which one to set. */
export const envVariableNames: Record<keyof EnvCredentials, string> = {
  clientId: 'STRAVA_CLIENT_ID',
  clientSecret: 'STRAVA_CLIENT_SECRET',
  refreshToken: 'STRAVA_REFRESH_TOKEN',
}

export function envCredentials(env: NodeJS.ProcessEnv): EnvCredentials {
  const value = (name: string) => env[name]?.trim() || undefined
  return {
    clientId: value(envVariableNames.clientId),
    clientSecret: value(envVariableNames.clientSecret),
    refreshToken: value(envVariableNames.refreshToken),
  }
}

/**
 * The variables CI mode still lacks beside the refresh token. The client id may come from the saved
 * settings, and the secret from the saved login when it is for the same client id.
 */
export function missingCiVariables(env: EnvCredentials, saved: {clientId?: string; hasLogin: boolean}): string[] {
  const clientId = env.clientId ?? saved.clientId
  const secretSaved = saved.hasLogin && clientId !== undefined && clientId === saved.clientId
  const missing: Array<keyof EnvCredentials> = []
  if (!clientId) missing.push('clientId')
  if (!env.clientSecret && !secretSaved) missing.push('clientSecret')
  return missing.map((key) => envVariableNames[key])
}

/** The variables that select the sealed credential store, and how messages name them. */
export const storeKeyVariable = 'WEEKNOTES_STORE_KEY'
export const storeKeyFileVariable = 'WEEKNOTES_STORE_KEY_FILE'
export const storeKeyHint = `${storeKeyVariable} (or ${storeKeyFileVariable}, a file holding it)`

/** Whether the environment asks for the sealed store; an empty value counts as unset (a CI secret that is not defined). */
export function storeKeyConfigured(env: NodeJS.ProcessEnv): boolean {
  return Boolean(env[storeKeyVariable]?.trim() || env[storeKeyFileVariable]?.trim())
}

/** The store key and where it came from (for messages; never the key itself). */
export interface StoreKey {
  text: string
  source: string
}

/** The key from the variable or from the file it names; undefined when neither is set. */
export async function readStoreKey(env: NodeJS.ProcessEnv): Promise<StoreKey | undefined> {
  const direct = env[storeKeyVariable]?.trim()
  const file = env[storeKeyFileVariable]?.trim()
  if (direct && file) throw new AuthUsageError(`Set ${storeKeyVariable} or ${storeKeyFileVariable}, not both.`)
  if (direct) return {text: direct, source: storeKeyVariable}
  if (!file) return undefined
  const source = `the key file ${file} (${storeKeyFileVariable})`
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
