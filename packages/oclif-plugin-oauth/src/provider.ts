export type ClientAuthMethod = 'client_secret_post' | 'client_secret_basic' | 'none'

/** How a provider's own error body reads, for the cases the token client words specially. */
export interface FaultHint {
  fault?: 'unknown_client' | 'invalid_client' | 'invalid_code' | 'invalid_refresh_token'
  /** The body's description, when the server does not use RFC 6749's `error_description`. */
  description?: string
  /** Further detail shown after the description (field names, codes). */
  detail?: string
}

/**
 * What the plugin needs to know about an OAuth 2.0 authorization server. A host builds one in its preset
 * (`OAuthPreset.provider`); `oauthProvider` fills in the defaults of a standards-following server.
 */
export interface OAuthProvider {
  id: string
  /** Shown in messages ("<name> rejected ..."); defaults to `id`. */
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
  /** Scopes that include others (a `read_all` that covers `read`), for scope checks. */
  impliedScopes?: Record<string, string[]>
  /** Reads a token error body that is not RFC 6749's `{error, error_description}`. */
  translateFault?(body: Record<string, unknown>): FaultHint | undefined
  /** The account a token answer describes, for providers that send one with the tokens. */
  accountIn?(tokenAnswer: Record<string, unknown>): Record<string, unknown> | undefined
  /** Whether the host may offer the deprecated implicit grant (`--implicit`): only for servers that offer nothing else. */
  allowsImplicitGrant?: boolean
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
