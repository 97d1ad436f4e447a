import type {OAuthProvider} from './provider.js'
import type {HttpClient} from './tokens.js'

/** The environment variables a host reads credentials and settings from (their names are the host's contract). */
export interface PresetEnvironment {
  /** The app's client id and secret: used instead of the stored ones when set. */
  clientId: string
  clientSecret: string
  /** CI mode: refresh from this token, nothing stored. */
  refreshToken: string
  /** Select the sealed credential store: the key itself, or a file holding it. */
  storeKey: string
  storeKeyFile: string
  /** Overrides `keyringService` (tests keep their records apart with it). */
  keyringService?: string
}

/** The CLI as its users type it; the plugin's commands take both from oclif's config (bin and command ids). */
export interface CliNames {
  /** The executable, as messages name it ("another <bin> process"). */
  bin: string
  /** The login command, for "run `<loginCommand>` again". */
  loginCommand: string
}

/** What a host keeps of the account a login belongs to, and how it describes it. */
export interface AccountPolicy {
  /** Fields of the account profile kept in config.json (not secret): for templates, settings, status. */
  keep: string[]
  /** The part of the profile `auth status --json` prints. */
  brief(profile: Record<string, unknown>): Record<string, unknown>
  /** "as Ada Lovelace (user 1)" after "Logged in to <provider>", or undefined to say no more. */
  describe(profile: Record<string, unknown>): string
  /**
   * Reads the full profile with a new access token at login, for providers whose token answer describes the
   * account only in part. A failure does not fail the login (see `unreadProfileNote`).
   */
  read?(accessToken: string, o: {env: NodeJS.ProcessEnv; cacheDir: string}): Promise<Record<string, unknown>>
  /** Added to the warning when `read` failed: what the host falls back to. */
  unreadProfileNote?: string
}

/** What a scope policy is told besides the granted scopes. */
export interface ScopeCheck {
  provider: OAuthProvider
  cli: CliNames
  warn: (message: string) => void
}

/**
 * Compares granted scopes with what the caller needs: the building block of a `checkScopes` policy, kept here
 * rather than beside the login flow so that a preset loads no more than its policy needs. `implied` lists
 * scopes that include others (pass `provider.impliedScopes`: a `read_all` scope that covers `read`).
 */
export function checkGrantedScopes(
  granted: string[],
  wanted: {required: string[]; recommended: string[]; implied?: Record<string, string[]>},
): {missing: string[]; missingRecommended: string[]} {
  const have = new Set(granted.flatMap((scope) => [scope, ...(wanted.implied?.[scope] ?? [])]))
  return {
    missing: wanted.required.filter((scope) => !have.has(scope)),
    missingRecommended: wanted.recommended.filter((scope) => !have.has(scope)),
  }
}

/**
 * Everything provider- or host-specific the plugin needs: the host CLI hands it over (see README, "How a host supplies its preset").
 * The plugin itself names no provider and no CLI.
 */
export interface OAuthPreset {
  /** The authorization server as the environment selects it (a variable may point the CLI at another host). */
  provider(env: NodeJS.ProcessEnv): OAuthProvider
  /** Defaults for use outside oclif (library calls, tests); the plugin's commands derive them from oclif's config. */
  cli: CliNames
  env: PresetEnvironment
  /** The keyring service the login's record is kept under. */
  keyringService: string
  /** Where users find the client id and secret of their app, named when none is given. */
  clientSettingsUrl?: string
  /** The login command's default --scope (scopes separated by commas or spaces). */
  defaultScope: string
  /** A --scope value named when an empty one is given. */
  scopeExample?: string
  account: AccountPolicy
  /** The HTTP client for the token and revocation endpoints (a host's shared connection pool); default fetch. */
  httpClient?(): Promise<HttpClient>
  /**
   * The host's scope policy, run on every new grant: throw an AuthError (reason 'insufficient_scope') when
   * the grant cannot serve the CLI, warn when it serves it only in part. Absent: any grant is accepted.
   */
  checkScopes?(granted: string[], o: ScopeCheck): void
}

/** The preset with the CLI's names as oclif knows them: `bin`, and the login command's id with the topic separator. */
export function withCliNames(
  preset: OAuthPreset,
  config: {bin: string; topicSeparator?: string},
  loginCommandId = 'auth',
): OAuthPreset {
  const id = loginCommandId.replaceAll(':', config.topicSeparator ?? ':')
  return {...preset, cli: {bin: config.bin, loginCommand: `${config.bin} ${id}`}}
}
