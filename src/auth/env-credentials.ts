/**
 * CI mode: STRAVA_REFRESH_TOKEN (with STRAVA_CLIENT_ID and STRAVA_CLIENT_SECRET) in the environment,
 * nothing stored. Client id and secret may also come from a stored login on the same machine.
 */
export interface EnvCredentials {
  clientId?: string
  clientSecret?: string
  refreshToken?: string
}

export function envCredentials(env: NodeJS.ProcessEnv): EnvCredentials {
  const value = (name: string) => env[name]?.trim() || undefined
  return {
    clientId: value('STRAVA_CLIENT_ID'),
    clientSecret: value('STRAVA_CLIENT_SECRET'),
    refreshToken: value('STRAVA_REFRESH_TOKEN'),
  }
}
