export type ClientAuthMethod = 'client_secret_post' | 'client_secret_basic' | 'none'

/**
 * What the auth core needs to know about an OAuth 2.0 authorization server. Strava is the preset;
 * `oauthProvider` describes any other server (the end-to-end tests use panva's oidc-provider).
 */
export interface OAuthProvider {
  id: string
  /** Shown in messages ("Strava rejected ..."); defaults to `id`. */
  displayName?: string
  authorizationEndpoint: string
  tokenEndpoint: string
  /** RFC 7009 revocation (`token=...&token_type_hint=...`): what logout uses when set. */
  revocationEndpoint?: string
  /** Client authentication at the revocation endpoint; default `tokenEndpointAuth`. */
  revocationEndpointAuth?: ClientAuthMethod
  /**
   * Revoking one token of a grant revokes the others too (access and refresh token as a pair), so
   * one request is enough; otherwise the refresh token and then the access token are revoked.
   */
  revocationRevokesGrant?: boolean
  /**
   * A legacy deauthorization endpoint taking the access token (as a Bearer header) and ending the whole
   * grant. Used when there is no `revocationEndpoint`, or when that one answers 404 or 405 (not deployed).
   */
  deauthorizationEndpoint?: string
  /** Where a user can revoke the app's access by hand; named when revocation fails. */
  manageAccessUrl?: string
  scopeSeparator: ',' | ' '
  defaultScopes: string[]
  pkce: boolean
  tokenEndpointAuth: ClientAuthMethod
  /** Host written in redirect_uri; the loopback receiver always binds 127.0.0.1 whatever this says. */
  loopbackHost: '127.0.0.1' | 'localhost'
  extraAuthorizationParams?: Record<string, string>
  /** RFC 9207 issuer identifier; when set, a redirect's `iss` must equal it. */
  issuer?: string
  /** Scopes that include others (Strava's `activity:read_all` covers `activity:read`), for scope checks. */
  impliedScopes?: Record<string, string[]>
}

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
    // for a server that answers 404 or 405 (see tokens.ts).
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
  }
}

/** A provider for a standards-following server: space-separated scopes and PKCE unless told otherwise. */
export function oauthProvider(
  options: Pick<OAuthProvider, 'authorizationEndpoint' | 'tokenEndpoint'> & Partial<OAuthProvider>,
): OAuthProvider {
  return {
    id: 'oauth',
    scopeSeparator: ' ',
    defaultScopes: [],
    pkce: true,
    tokenEndpointAuth: 'client_secret_basic',
    loopbackHost: '127.0.0.1',
    ...options,
  }
}

export function providerName(provider: OAuthProvider): string {
  return provider.displayName ?? provider.id
}
