// Strava as the auth plugin sees it: endpoints, scopes and their policy, the athlete, the variables and the
// wording of weeknotes. The plugin (packages/oclif-plugin-oauth) names no provider; this file is the only
// place that tells it about Strava.
import {checkGrantedScopes, type AccountPolicy, type OAuthPreset, type ScopeCheck} from 'oclif-plugin-oauth/preset'
import {AuthError} from 'oclif-plugin-oauth/errors'
import type {FaultHint, OAuthProvider} from 'oclif-plugin-oauth/provider'

export const DEFAULT_STRAVA_OAUTH_URL = 'https://www.strava.com/oauth'

export interface StravaProviderOptions {
  /**
   * Log out through `${oauthUrl}/revoke` (default true). Strava's authentication docs offer it since
   * 1 June 2026 and retire `/deauthorize` on 1 June 2027; `false` keeps the deauthorization alone.
   */
  revocation?: boolean
}

export function stravaProvider(
  oauthUrl: string = DEFAULT_STRAVA_OAUTH_URL,
  options: StravaProviderOptions = {},
): OAuthProvider {
  const base = oauthUrl.replace(/\/+$/, '')
  return {
    id: 'strava',
    displayName: 'Strava',
    authorizationEndpoint: `${base}/authorize`,
    tokenEndpoint: `${base}/token`,
    deauthorizationEndpoint: `${base}/deauthorize`,
    // POST /oauth/revoke as Strava documents it: client credentials as HTTP Basic, `token` and
    // `token_type_hint`; revoking either token revokes the other. /deauthorize stays the fallback
    // for a server that answers 404 or 405 (the plugin's tokens.ts).
    ...(options.revocation === false
      ? {}
      : {
          revocationEndpoint: `${base}/revoke`,
          revocationEndpointAuth: 'client_secret_basic' as const,
          revocationRevokesGrant: true,
        }),
    manageAccessUrl: 'https://www.strava.com/settings/apps',
    // Strava's consent page and its `scope` redirect parameter use commas, not RFC 6749's spaces.
    scopeSeparator: ',',
    // Both activity scopes: an athlete who unticks "private activities" on the consent page still
    // grants activity:read, where asking for activity:read_all alone would leave no activity access.
    defaultScopes: ['read', 'activity:read', 'activity:read_all'],
    // Strava's OAuth documentation neither mentions nor supports PKCE (code_challenge is ignored),
    // and its token endpoint always requires the client secret. Sending a challenge would only
    // suggest a protection that is not there; `state` and the confidential client do the work.
    pkce: false,
    // Strava reads client_id and client_secret from the form body; it does not document HTTP Basic.
    tokenEndpointAuth: 'client_secret_post',
    // Strava whitelists both `localhost` and `127.0.0.1` as redirect hosts whatever the app's
    // "Authorization Callback Domain" says. The IP literal is RFC 8252 §8.3's advice: `localhost`
    // may resolve to ::1 (the receiver listens on 127.0.0.1 only) or be remapped in a hosts file.
    loopbackHost: '127.0.0.1',
    // `auto` skips the consent page when the athlete already granted these scopes to the app.
    extraAuthorizationParams: {approval_prompt: 'auto'},
    impliedScopes: {
      read_all: ['read'],
      'profile:read_all': ['read'],
      'activity:read_all': ['activity:read'],
    },
    translateFault: stravaFault,
    // The code exchange answers with the athlete's summary beside the tokens.
    accountIn: (answer) =>
      answer.athlete && typeof answer.athlete === 'object' ? (answer.athlete as Record<string, unknown>) : undefined,
  }
}

interface StravaFaultError {
  resource?: string
  field?: string
  code?: string
}

/** Strava's `{message, errors: [{resource, field, code}]}` bodies, as the token client words them. */
function stravaFault(body: Record<string, unknown>): FaultHint {
  const errors = Array.isArray(body.errors) ? (body.errors as StravaFaultError[]) : []
  const resources = errors.map((e) => `${e.resource ?? ''}/${e.field ?? ''}`)
  const hint: FaultHint = {
    description: typeof body.message === 'string' ? body.message : undefined,
    detail: errors.map((e) => [e.resource, e.field, e.code].filter(Boolean).join(' ')).join(', ') || undefined,
  }
  if (resources.some((r) => r.endsWith('/client_id'))) return {...hint, fault: 'unknown_client'}
  if (resources.some((r) => r === 'Application/' || r.endsWith('/client_secret')))
    return {...hint, fault: 'invalid_client'}
  if (resources.some((r) => r.startsWith('AuthorizationCode/'))) return {...hint, fault: 'invalid_code'}
  if (resources.some((r) => r.startsWith('RefreshToken/'))) return {...hint, fault: 'invalid_refresh_token'}
  return hint
}

/** weeknotes reads activities: without activity:read there is nothing to write about. */
export function checkActivityScopes(scopes: string[], {provider, cli, warn}: ScopeCheck): void {
  const {missing, missingRecommended} = checkGrantedScopes(scopes, {
    required: ['activity:read'],
    recommended: ['activity:read_all'],
    implied: provider.impliedScopes,
  })
  if (missing.length > 0) {
    throw new AuthError(
      `Strava did not grant access to your activities, so ${cli.bin} cannot read them.`,
      'insufficient_scope',
      {
        suggestions: [
          `Run \`${cli.loginCommand}\` again and keep "View data about your activities" ticked on the consent page.`,
        ],
      },
    )
  }

  if (missingRecommended.length > 0) {
    warn(
      'Strava did not grant access to private activities (activity:read_all), so activities visible only to you will be missing from the notes.',
    )
  }
}

const athlete: AccountPolicy = {
  // The non-secret part of the athlete summary kept in config.json, for templates and units.
  keep: [
    'id',
    'username',
    'firstname',
    'lastname',
    'city',
    'state',
    'country',
    'sex',
    'measurement_preference',
    'profile_medium',
    'profile',
  ],
  brief: (profile) => ({
    id: profile.id ?? null,
    firstname: profile.firstname ?? null,
    lastname: profile.lastname ?? null,
  }),
  describe: (profile) => `as ${profile.firstname ?? ''} ${profile.lastname ?? ''} (athlete ${profile.id ?? 'unknown'})`,
  read: detailedAthlete,
  unreadProfileNote: 'units default to metric',
}

/**
 * The token response names the athlete only in summary; GET /athlete adds the units preference that
 * `generate` defaults to. One API call, at login only.
 */
async function detailedAthlete(
  accessToken: string,
  o: {env: NodeJS.ProcessEnv; cacheDir: string},
): Promise<Record<string, unknown>> {
  const [{StravaClient}, {resolveApiBase}] = await Promise.all([import('./client.js'), import('./api-base.js')])
  const strava = new StravaClient({
    apiBase: resolveApiBase({env: o.env, cacheDir: o.cacheDir}),
    tokens: {
      accessToken: async () => accessToken,
      renewAfterRejection: async () => {
        throw new Error('Strava did not accept the new access token')
      },
    },
    maxWait: 0,
    retries: 1,
  })
  return (await strava.getAthlete()) as unknown as Record<string, unknown>
}

/** weeknotes' preset: Strava, its variables (the README's contract) and weeknotes' own names. */
export const stravaPreset: OAuthPreset = {
  provider: (env) => stravaProvider(env.STRAVA_OAUTH_URL || undefined),
  cli: {bin: 'weeknotes', loginCommand: 'weeknotes auth'},
  env: {
    clientId: 'STRAVA_CLIENT_ID',
    clientSecret: 'STRAVA_CLIENT_SECRET',
    refreshToken: 'STRAVA_REFRESH_TOKEN',
    storeKey: 'WEEKNOTES_STORE_KEY',
    storeKeyFile: 'WEEKNOTES_STORE_KEY_FILE',
    keyringService: 'WEEKNOTES_KEYRING_SERVICE',
  },
  keyringService: 'weeknotes',
  clientSettingsUrl: 'https://www.strava.com/settings/api',
  defaultScope: 'read,activity:read,activity:read_all',
  scopeExample: 'read,activity:read_all',
  account: athlete,
  checkScopes: checkActivityScopes,
  // The token endpoint and the API share one keep-alive pool.
  httpClient: async () => (await import('../http/keep-alive.js')).postForm,
}
