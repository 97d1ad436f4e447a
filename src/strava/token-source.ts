/**
 * What the Strava client needs from whoever holds the credentials. The auth plugin's token session
 * satisfies it structurally, so strava/ depends on this interface and never on the plugin's internals.
 */
export interface AccessTokenSource {
  /** A bearer token that stays valid for at least a few minutes. */
  accessToken(): Promise<string>
  /**
   * The API answered 401 to `rejected`: renew once and return the new token, or throw an error whose
   * `exitCode` is 3 when renewal is impossible (refresh token revoked, app deauthorized).
   */
  renewAfterRejection(rejected: string): Promise<string>
}
