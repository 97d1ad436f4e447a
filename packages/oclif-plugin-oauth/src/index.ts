// What a host uses: the preset it hands over, the base command its own commands extend, the error type every
// layer throws, the token session its API client takes tokens from, and the settings file it may read. The
// commands themselves are found by oclif (package.json oclif.commands) or imported by path
// (`oclif-plugin-oauth/commands/auth/...`) into a host's explicit command map.
export {OAuthCommand, PRESET_EVENT} from './base-command.js'
export {checkGrantedScopes} from './authorization-code-flow.js'
export {readConfig, type SessionSettings, type SettingsFile, type StorageKind} from './config-file.js'
export {type CredentialStore, type SessionSecrets, storeFor} from './credential-store.js'
export {AuthError, ExitCodeError, printable, redactSecrets, withoutCredentials} from './errors.js'
export {login, type LoginOptions, type LoginResult} from './login.js'
export {logout, type LogoutOptions, type LogoutResult} from './logout.js'
export type {AccountPolicy, CliNames, OAuthPreset, PresetEnvironment, ScopeCheck} from './preset.js'
export {type FaultHint, type OAuthProvider, oauthProvider} from './provider.js'
export {openTokenSession, type OpenTokenSessionOptions, type StoredProfile, TokenSession} from './session.js'
export {type AuthStatus, readAuthStatus, readStoredRefreshToken} from './status.js'
export type {HttpClient} from './tokens.js'
