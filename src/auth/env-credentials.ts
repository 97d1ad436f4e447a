/**
 * CI mode: STRAVA_REFRESH_TOKEN (with STRAVA_CLIENT_ID and STRAVA_CLIENT_SECRET) in the environment,
 * nothing stored. Client id and secret may also come from a stored login on the same machine.
 */
export interface EnvCredentials {
  clientId?: string
  clientSecret?: string
  refreshToken?: string
}

/** The environment variable behind each credential, for messages that say which one to set. */
export const envVariableNames: Record<keyof EnvCredentials, string> = {
  clientId: 'STRAVA_CLIENT_ID',
  clientSecret: 'STRAVA_CLIENT_SECRET',
  refreshToken: 'STRAVA_REFRESH_TOKEN',
}

export function envCredentials(env: NodeJS.ProcessEnv): EnvCredentials {
  const value = (name: string) => env[name]?.trim() || undefined
  return {
    clientId: value(envVariableNames.clientId),
    clientSecret: value(envVariableNames.clientSecret),
    refreshToken: value(envVariableNames.refreshToken),
  }
}

/**
 * The variables CI mode still lacks beside the refresh token. The client id may come from the saved
 * settings, and the secret from the saved login when it is for the same client id.
 */
export function missingCiVariables(env: EnvCredentials, saved: {clientId?: string; hasLogin: boolean}): string[] {
  const clientId = env.clientId ?? saved.clientId
  const secretSaved = saved.hasLogin && clientId !== undefined && clientId === saved.clientId
  const missing: Array<keyof EnvCredentials> = []
  if (!clientId) missing.push('clientId')
  if (!env.clientSecret && !secretSaved) missing.push('clientSecret')
  return missing.map((key) => envVariableNames[key])
}
