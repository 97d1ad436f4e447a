// The auth plugin's public surface. It imports nothing from strava/, notes/ or commands/, so it could
// move into its own package unchanged.
export {type SessionSettings, type StorageKind, type WeeknotesConfig, readConfig} from './config-file.js'
export {
  type CredentialStore,
  FileStore,
  KeyringStore,
  KeyringUnavailableError,
  type SessionSecrets,
} from './credential-store.js'
export {AuthError, redactSecrets} from './errors.js'
export {accountFor, checkActivityScopes, login, type LoginOptions, type LoginResult} from './login.js'
export {logout, type LogoutOptions, type LogoutResult} from './logout.js'
export {type OAuthProvider, stravaProvider} from './provider.js'
export {withRefreshLock, RefreshLockTimeoutError} from './refresh-lock.js'
export {
  EXPIRY_MARGIN_SECONDS,
  openTokenSession,
  type OpenTokenSessionOptions,
  type StoredProfile,
  TokenSession,
} from './session.js'
export {type AuthStatus, readAuthStatus} from './status.js'
