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
  /** RFC 7009 revocation (`token=...`). */
  revocationEndpoint?: string
  /** Strava's `POST /oauth/deauthorize` (`access_token=...`), which revokes the whole grant. */
  deauthorizationEndpoint?: string
  scopeSeparator: ',' | ' '
  defaultScopes: string[]
  pkce: boolean
  tokenEndpointAuth: 'client_secret_post' | 'client_secret_basic' | 'none'
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
   * Use `${oauthUrl}/revoke` (RFC 7009 style, Strava's announced replacement for deauthorize) for
   * logout. Off by default: `/deauthorize` is what Strava documents today.
   */
  revocation?: boolean
}

export function stravaProvider(
  oauthUrl: string = process.env.STRAVA_OAUTH_URL || DEFAULT_STRAVA_OAUTH_URL,
  options: StravaProviderOptions = {},
): OAuthProvider {
  const base = oauthUrl.replace(/\/+$/, '')
  return {
    id: 'strava',
    displayName: 'Strava',
    authorizationEndpoint: `${base}/authorize`,
    tokenEndpoint: `${base}/token`,
    deauthorizationEndpoint: `${base}/deauthorize`,
    ...(options.revocation ? {revocationEndpoint: `${base}/revoke`} : {}),
    // Strava's consent page and its `scope` redirect parameter use commas, not RFC 6749's spaces.
    scopeSeparator: ',',
    defaultScopes: ['read', 'activity:read_all'],
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
