// The auth plugin's library calls with weeknotes' preset filled in: what the host's composition root and the
// tests use when they talk to the plugin outside its commands.
import {readConfig as readSettings, type SettingsFile} from 'oclif-plugin-oauth/config-file'
import {type CredentialStore, storeFor as pluginStoreFor, type StoreOptions} from 'oclif-plugin-oauth/credential-store'
import {login as pluginLogin, type LoginOptions as PluginLoginOptions, type LoginResult} from 'oclif-plugin-oauth/login'
import {
  logout as pluginLogout,
  type LogoutOptions as PluginLogoutOptions,
  type LogoutResult,
} from 'oclif-plugin-oauth/logout'
import type {StorageKind} from 'oclif-plugin-oauth/config-file'
import {
  openTokenSession as pluginOpenTokenSession,
  type OpenTokenSessionOptions as PluginSessionOptions,
  type TokenSession,
} from 'oclif-plugin-oauth/session'
import {
  type AuthStatus,
  readAuthStatus as pluginReadAuthStatus,
  readStoredRefreshToken as pluginReadRefreshToken,
} from 'oclif-plugin-oauth/status'

import {stravaPreset} from './auth-preset.js'

export {stravaProvider} from './auth-preset.js'

type WithoutPreset<T> = Omit<T, 'preset'>
export type LoginOptions = WithoutPreset<PluginLoginOptions>
export type OpenTokenSessionOptions = WithoutPreset<PluginSessionOptions>

export const login = (o: LoginOptions): Promise<LoginResult> => pluginLogin({preset: stravaPreset, ...o})

export const logout = (o: WithoutPreset<PluginLogoutOptions>): Promise<LogoutResult> =>
  pluginLogout({preset: stravaPreset, ...o})

export const openTokenSession = (o: OpenTokenSessionOptions): Promise<TokenSession> =>
  pluginOpenTokenSession({preset: stravaPreset, ...o})

export const readAuthStatus = (o: {configDir: string; env: NodeJS.ProcessEnv}): Promise<AuthStatus> =>
  pluginReadAuthStatus({preset: stravaPreset, ...o})

export const readStoredRefreshToken = (o: {
  configDir: string
  env: NodeJS.ProcessEnv
  warn?: (message: string) => void
}): Promise<string | undefined> => pluginReadRefreshToken({preset: stravaPreset, ...o})

export const storeFor = (kind: StorageKind, o: WithoutPreset<StoreOptions>): CredentialStore =>
  pluginStoreFor(kind, {preset: stravaPreset, ...o})

/** config.json; a damaged one names `weeknotes auth` in its message. */
export const readConfig = (configDir: string): Promise<SettingsFile> => readSettings(configDir, stravaPreset.cli)
