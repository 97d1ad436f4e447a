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

  constructor(
    private readonly now: () => number,
    public lifetimeSeconds: number,
    public rotate: boolean,
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
    return {accessToken, refreshToken, expiresAt: Math.floor(expiresAtMs / 1000), expiresIn: this.lifetimeSeconds}
  }

  /**
   * A refresh always mints a new access token here (Strava hands back the current one while it has
   * more than an hour left; tests want a visible change). With rotation on, the old refresh token is
   * invalid at once; earlier access tokens stay valid until they expire, as on Strava.
   */
  refresh(refreshToken: string, clientId: string): TokenSet | undefined {
    const grant = this.refreshTokens.get(refreshToken)
    if (!grant || grant.clientId !== clientId) return undefined
    if (!this.rotate) return this.issue(grant, refreshToken)
    this.refreshTokens.delete(refreshToken)
    return this.issue(grant)
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
   * RFC 7009: revoking an access token ends that token; revoking a refresh token ends its grant,
   * access tokens included. Returns whether the token was known.
   */
  revokeToken(token: string): boolean {
    if (this.accessTokens.delete(token)) return true
    const grant = this.refreshTokens.get(token)
    if (!grant) return false
    for (const [key, value] of this.refreshTokens) if (value === grant) this.refreshTokens.delete(key)
    for (const [key, entry] of this.accessTokens) if (entry.grant === grant) this.accessTokens.delete(key)
    return true
  }
}
