// Authorization codes, access tokens and refresh tokens, as Strava's OAuth documentation describes them:
// opaque 40-hex-digit strings, codes single-use and short-lived, access tokens for 6 hours by default.
import {randomBytes} from 'node:crypto'

/** Strava's scopes (developers.strava.com/docs/authentication). */
export const knownScopes = [
  'read',
  'read_all',
  'profile:read_all',
  'profile:write',
  'activity:read',
  'activity:read_all',
  'activity:write',
]

/** Strava lets an authorization code be exchanged within 10 minutes. */
const codeLifetimeMs = 10 * 60 * 1000
/** Strava's authentication docs: a refresh returns the current access token unless it expires within an hour. */
const renewWithinMs = 60 * 60 * 1000

/** One athlete's consent to one client; every token of a login belongs to one grant. */
export interface Grant {
  clientId: string
  scopes: string[]
}

export interface TokenSet {
  accessToken: string
  refreshToken: string
  /** Epoch seconds. */
  expiresAt: number
  expiresIn: number
}

const opaqueToken = () => randomBytes(20).toString('hex')

export class TokenStore {
  private readonly codes = new Map<string, Grant & {expiresAtMs: number}>()
  private readonly accessTokens = new Map<string, {grant: Grant; expiresAtMs: number}>()
  private readonly refreshTokens = new Map<string, Grant>()
  /** The newest access token of each grant, which a refresh hands back while it has more than an hour left. */
  private readonly latest = new Map<Grant, string>()

  constructor(
    private readonly now: () => number,
    public lifetimeSeconds: number,
    public rotate: boolean,
    /** On: Strava's reuse of an access token with more than an hour left; off: every refresh mints one. */
    public reuseLiveAccessTokens = true,
  ) {}

  createCode(grant: Grant): string {
    const code = opaqueToken()
    this.codes.set(code, {...grant, expiresAtMs: this.now() + codeLifetimeMs})
    return code
  }

  /** A code works once, for the client it was issued to, within its lifetime. */
  redeemCode(code: string, clientId: string): (TokenSet & {grant: Grant}) | undefined {
    const entry = this.codes.get(code)
    if (!entry || entry.clientId !== clientId) return undefined
    this.codes.delete(code)
    if (this.now() >= entry.expiresAtMs) return undefined
    const grant = {clientId: entry.clientId, scopes: entry.scopes}
    return {grant, ...this.issue(grant)}
  }

  issue(grant: Grant, refreshToken = opaqueToken()): TokenSet {
    const accessToken = opaqueToken()
    const expiresAtMs = this.now() + this.lifetimeSeconds * 1000
    this.accessTokens.set(accessToken, {grant, expiresAtMs})
    this.refreshTokens.set(refreshToken, grant)
    this.latest.set(grant, accessToken)
    return {accessToken, refreshToken, expiresAt: Math.floor(expiresAtMs / 1000), expiresIn: this.lifetimeSeconds}
  }

  /**
   * Strava's authentication docs: while the current access token has more than an hour left, a refresh
   * returns it with its expiry (and the same refresh token); within the last hour a new one is issued.
   * With rotation on, a new access token comes with a new refresh token and the old one is invalid at
   * once; earlier access tokens stay valid until they expire.
   */
  refresh(refreshToken: string, clientId: string): (TokenSet & {grant: Grant}) | undefined {
    const grant = this.refreshTokens.get(refreshToken)
    if (!grant || grant.clientId !== clientId) return undefined
    const current = this.latest.get(grant)
    const entry = current === undefined ? undefined : this.accessTokens.get(current)
    if (this.reuseLiveAccessTokens && current && entry && entry.expiresAtMs - this.now() > renewWithinMs) {
      const expiresIn = Math.floor((entry.expiresAtMs - this.now()) / 1000)
      return {grant, accessToken: current, refreshToken, expiresAt: Math.floor(entry.expiresAtMs / 1000), expiresIn}
    }

    if (!this.rotate) return {grant, ...this.issue(grant, refreshToken)}
    this.refreshTokens.delete(refreshToken)
    return {grant, ...this.issue(grant)}
  }

  /** Whether the athlete has a live grant for this client covering every one of the scopes (approval_prompt=auto). */
  hasGrant(clientId: string, scopes: string[]): boolean {
    return [...this.refreshTokens.values()].some(
      (grant) => grant.clientId === clientId && scopes.every((scope) => grant.scopes.includes(scope)),
    )
  }

  /** The grant behind a valid (known, unexpired) access token. */
  authenticate(accessToken: string): Grant | undefined {
    const entry = this.accessTokens.get(accessToken)
    return entry && this.now() < entry.expiresAtMs ? entry.grant : undefined
  }

  expireAll(): void {
    const now = this.now()
    for (const entry of this.accessTokens.values()) entry.expiresAtMs = Math.min(entry.expiresAtMs, now)
  }

  /** Deauthorization ends every grant the athlete gave this client: all its tokens and codes. */
  revokeClient(clientId: string): void {
    for (const store of [this.codes, this.refreshTokens] as Map<string, Grant>[]) {
      for (const [key, grant] of store) if (grant.clientId === clientId) store.delete(key)
    }

    for (const [key, entry] of this.accessTokens) if (entry.grant.clientId === clientId) this.accessTokens.delete(key)
  }

  /**
   * Strava's /oauth/revoke: revoking either the access or the refresh token revokes the pair, so the
   * whole grant (every token of that login) ends. Returns whether the token was known.
   */
  revokeToken(token: string): boolean {
    const grant = this.accessTokens.get(token)?.grant ?? this.refreshTokens.get(token)
    if (!grant) return false
    for (const [key, value] of this.refreshTokens) if (value === grant) this.refreshTokens.delete(key)
    for (const [key, entry] of this.accessTokens) if (entry.grant === grant) this.accessTokens.delete(key)
    return true
  }
}
