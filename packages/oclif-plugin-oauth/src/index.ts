// What a host uses: the preset it hands over, the base command its own commands extend, the error type every
// layer throws, the token session its API client takes tokens from, the settings file it may read, and the
// pieces it shares with the plugin so that each thing is done one way (duration flags, JSON files, retries).
// The commands themselves are found by oclif (package.json oclif.commands) or imported by path
// (`oclif-plugin-oauth/commands/auth/...`) into a host's explicit command map. A host that counts its start-up
// milliseconds imports subpaths (`oclif-plugin-oauth/session`): this index loads every module.
export {OAuthCommand, PRESET_EVENT} from './base-command.js'
export {checkGrantedScopes} from './preset.js'
export {readConfig, type SessionSettings, type SettingsFile, type StorageKind} from './config-file.js'
export {type CredentialStore, type SessionSecrets, storeFor} from './credential-store.js'
export {AuthError, ExitCodeError, printable, redactSecrets, withoutCredentials} from './errors.js'
export {Duration, durationFlag, type DurationFlagOptions, FlagValueError} from './flags.js'
export {asJsonObject, type JsonFileReading, readJsonFile, readJsonFileSync} from './json-file.js'
export {login, type LoginOptions, type LoginResult} from './login.js'
export {logout, type LogoutOptions, type LogoutResult} from './logout.js'
export {
  type AccountPolicy,
  type CliNames,
  type OAuthPreset,
  type PresetEnvironment,
  type ScopeCheck,
  withCliNames,
} from './preset.js'
export {type FaultHint, type OAuthProvider, oauthProvider} from './provider.js'
export {classifyNetworkError, type NetworkFailure, retryDelayMs, type RetryPolicy, withRetries} from './retry.js'
export {openTokenSession, type OpenTokenSessionOptions, type StoredProfile, TokenSession} from './session.js'
export {type AuthStatus, readAuthStatus, readStoredRefreshToken} from './status.js'
export type {HttpClient} from './tokens.js'
