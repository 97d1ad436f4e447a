// The tiny host answers the plugin's `oauth:preset` event with a preset for a standards-following OAuth 2
// server (in the tests, panva's oidc-provider at TINY_OAUTH_ISSUER).
import type {Hook} from '@oclif/core/interfaces'
import {oauthProvider, type OAuthPreset} from 'oclif-plugin-oauth'

/** The claims of the ID token the token answer carries: the account, for a server that sends no profile. */
function idTokenClaims(answer: Record<string, unknown>): Record<string, unknown> | undefined {
  if (typeof answer.id_token !== 'string') return undefined
  return JSON.parse(Buffer.from(answer.id_token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >
}

export const tinyPreset: OAuthPreset = {
  provider: (env) => {
    const issuer = env.TINY_OAUTH_ISSUER ?? 'http://127.0.0.1:9'
    return oauthProvider({
      id: 'oidc',
      displayName: 'OIDC',
      authorizationEndpoint: `${issuer}/auth`,
      tokenEndpoint: `${issuer}/token`,
      revocationEndpoint: `${issuer}/token/revocation`,
      issuer,
      // OpenID Connect grants offline_access (and so a refresh token) only with prompt=consent.
      extraAuthorizationParams: {prompt: 'consent'},
      tokenEndpointAuth: 'client_secret_basic',
      accountIn: idTokenClaims,
      // Only for the test of the deprecated implicit grant, against a server that offers it.
      allowsImplicitGrant: env.TINY_IMPLICIT === '1',
    })
  },
  cli: {bin: 'tiny', loginCommand: 'tiny auth'},
  env: {
    clientId: 'TINY_CLIENT_ID',
    clientSecret: 'TINY_CLIENT_SECRET',
    refreshToken: 'TINY_REFRESH_TOKEN',
    storeKey: 'TINY_STORE_KEY',
    storeKeyFile: 'TINY_STORE_KEY_FILE',
  },
  keyringService: 'tiny-host',
  defaultScope: 'openid offline_access',
  account: {
    keep: ['sub'],
    brief: (profile) => ({sub: profile.sub ?? null}),
    describe: (profile) => `as ${String(profile.sub ?? 'someone')}`,
  },
}

const hook: Hook<'oauth:preset'> = async function () {
  return tinyPreset
}

export default hook
