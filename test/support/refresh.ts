import type {StravaEmulator} from 'strava-emulator'

/** Whether the emulator (as Strava) still accepts a refresh token: false once it has been rotated away. */
export async function refreshTokenAccepted(emulator: StravaEmulator, refreshToken: string): Promise<boolean> {
  const response = await fetch(`${emulator.oauthUrl}/token`, {
    method: 'POST',
    body: new URLSearchParams({
      client_id: emulator.client.id,
      client_secret: emulator.client.secret,
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
    }),
  })
  await response.arrayBuffer()
  return response.ok
}
