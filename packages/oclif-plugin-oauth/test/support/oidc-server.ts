import assert from 'node:assert/strict'
import {generateKeyPairSync, randomBytes} from 'node:crypto'
import {createServer} from 'node:http'
import type {AddressInfo} from 'node:net'

import type {ClientMetadata} from 'oidc-provider'
import type {Browser} from 'playwright-core'

export interface OidcServer {
  /** http://127.0.0.1:PORT, also the issuer. */
  issuer: string
  authorizationEndpoint: string
  tokenEndpoint: string
  revocationEndpoint: string
  /** Every token endpoint answer: grant type and the OAuth error code when it failed. */
  tokenRequests: {grantType?: string; error?: string}[]
  close(): Promise<void>
}

export interface OidcServerOptions {
  clients: ClientMetadata[]
  /** Scopes the server knows besides openid and offline_access. */
  scopes?: string[]
  /** Access token lifetime in seconds; default 600. */
  accessTokenTtl?: number
}

/**
 * panva's oidc-provider (a certified OpenID Provider) on 127.0.0.1:PORT as an OAuth 2 server that owes
 * nothing to our emulator: its own login and consent pages (devInteractions: any login and password),
 * PKCE S256 required of public clients, and every refresh rotating the refresh token.
 */
export async function startOidcServer(options: OidcServerOptions): Promise<OidcServer> {
  const {default: Provider} = await import('oidc-provider')
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

  const signingKey = generateKeyPairSync('rsa', {modulusLength: 2048}).privateKey.export({format: 'jwk'})
  const provider = new Provider(issuer, {
    clients: options.clients,
    jwks: {keys: [{...signingKey, kid: 'test', use: 'sig', alg: 'RS256'}]},
    cookies: {keys: [randomBytes(32).toString('hex')]},
    scopes: ['openid', 'offline_access', ...(options.scopes ?? [])],
    features: {devInteractions: {enabled: true}, revocation: {enabled: true}},
    pkce: {required: (_context: unknown, client: {clientAuthMethod: string}) => client.clientAuthMethod === 'none'},
    // Refresh tokens are issued for offline_access (kept by oidc-provider when the request has no
    // prompt, or prompt=consent); rotate on every use so the test can see the old one rejected.
    rotateRefreshToken: true,
    ttl: {
      AccessToken: options.accessTokenTtl ?? 600,
      AuthorizationCode: 60,
      IdToken: 600,
      RefreshToken: 3600,
      Interaction: 600,
      Session: 600,
      Grant: 3600,
    },
    findAccount: async (_context: unknown, sub: string) => ({accountId: sub, claims: async () => ({sub})}),
  })

  const tokenRequests: OidcServer['tokenRequests'] = []
  provider.on('grant.success', (...args: unknown[]) => {
    const context = args[0] as {oidc: {params: {grant_type?: string}}}
    tokenRequests.push({grantType: context.oidc.params.grant_type})
  })
  provider.on('grant.error', (...args: unknown[]) => {
    const [context, error] = args as [{oidc?: {params?: {grant_type?: string}}}, {error?: string}]
    tokenRequests.push({grantType: context.oidc?.params?.grant_type, error: error.error})
  })

  server.on('request', provider.callback())
  return {
    issuer,
    authorizationEndpoint: `${issuer}/auth`,
    tokenEndpoint: `${issuer}/token`,
    revocationEndpoint: `${issuer}/token/revocation`,
    tokenRequests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()))
        server.closeAllConnections()
      }),
  }
}

/** oidc-provider's development login page (any login and password) and then its consent page. */
export async function signInAndConsent(browser: Browser, consentUrl: string, redirectUri: URL): Promise<URL> {
  const context = await browser.newContext()
  try {
    const page = await context.newPage()
    page.setDefaultTimeout(15_000)
    await page.goto(consentUrl)
    await page.fill('input[name="login"]', 'athlete-1')
    await page.fill('input[name="password"]', 'any password')
    await page.click('button[type="submit"]')
    await page.waitForSelector('input[name="prompt"][value="consent"]', {state: 'attached'})
    await page.click('button[type="submit"]')
    await page.waitForURL((url) => url.origin === redirectUri.origin && url.pathname === redirectUri.pathname, {
      waitUntil: 'domcontentloaded',
    })
    assert.match(await page.content(), /return to the terminal/i)
    return new URL(page.url())
  } finally {
    await context.close()
  }
}
