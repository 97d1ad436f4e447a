// A made-up provider and host for the plugin's unit tests: a confidential client that posts its secret in the
// form, comma-separated scopes and an account in the token answer, used by a CLI called `notes`.
import {oauthProvider, type OAuthProvider} from '../../src/provider.js'
import type {SessionSecrets} from '../../src/credential-store.js'
import type {OAuthPreset} from '../../src/preset.js'

export function exampleProvider(oauthUrl: string): OAuthProvider {
  const base = oauthUrl.replace(/\/+$/, '')
  return oauthProvider({
    id: 'example',
    displayName: 'Example',
    authorizationEndpoint: `${base}/authorize`,
    tokenEndpoint: `${base}/token`,
    revocationEndpoint: `${base}/revoke`,
    scopeSeparator: ',',
    pkce: false,
    tokenEndpointAuth: 'client_secret_post',
    extraAuthorizationParams: {prompt: 'consent'},
    impliedScopes: {'notes:write': ['notes:read']},
    accountIn: (answer) =>
      typeof answer.account === 'object' ? (answer.account as Record<string, unknown>) : undefined,
  })
}

export const examplePreset: OAuthPreset = {
  provider: (env) => exampleProvider(env.NOTES_OAUTH_URL || 'https://auth.example.com/oauth'),
  cli: {bin: 'notes', loginCommand: 'notes login'},
  env: {
    clientId: 'NOTES_CLIENT_ID',
    clientSecret: 'NOTES_CLIENT_SECRET',
    refreshToken: 'NOTES_REFRESH_TOKEN',
    storeKey: 'NOTES_STORE_KEY',
    storeKeyFile: 'NOTES_STORE_KEY_FILE',
    keyringService: 'NOTES_KEYRING_SERVICE',
  },
  keyringService: 'notes',
  defaultScope: 'notes:read',
  account: {
    keep: ['id', 'name'],
    brief: (profile) => ({id: profile.id ?? null, name: profile.name ?? null}),
    describe: (profile) => `as ${String(profile.name ?? 'someone')}`,
  },
}

/** One login's secrets, as the stores keep them. */
export const exampleSecrets: SessionSecrets = {
  clientSecret: 'client-secret-value-0123456789',
  refreshToken: 'refresh-token-value-0123456789',
  accessToken: 'access-token-value-0123456789',
  expiresAt: 1_700_000_000,
  scopes: ['read', 'activity:read_all'],
}
