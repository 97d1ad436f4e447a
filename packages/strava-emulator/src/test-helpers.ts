// Small helpers shared by the emulator's tests: a settable clock and the HTTP calls a client makes.
import type {StravaEmulator} from './index.js'

export function manualClock(startIso: string) {
  let now = Date.parse(startIso)
  return {
    now: () => now,
    advance(ms: number) {
      now += ms
    },
    set(iso: string) {
      now = Date.parse(iso)
    },
  }
}

export const redirectUri = 'http://127.0.0.1:43210/callback'

export function authorizeUrl(emulator: StravaEmulator, params: Record<string, string> = {}): string {
  const query = new URLSearchParams({
    client_id: emulator.client.id,
    response_type: 'code',
    redirect_uri: redirectUri,
    scope: 'read,activity:read_all',
    state: 'state-123',
    approval_prompt: 'auto',
    ...params,
  })
  return `${emulator.oauthUrl}/authorize?${query}`
}

export function postForm(url: string, form: Record<string, string>, headers: Record<string, string> = {}) {
  return fetch(url, {method: 'POST', body: new URLSearchParams(form), headers, redirect: 'manual'})
}

/** The query of a redirect's Location header. */
export function redirectQuery(response: Response): URLSearchParams {
  const location = response.headers.get('location')
  if (!location) throw new Error(`expected a redirect, got ${response.status}`)
  return new URL(location).searchParams
}

/** The code a consent with every requested scope ticked yields (the emulator started with autoApprove). */
export async function authorizationCode(emulator: StravaEmulator, scope = 'read,activity:read_all'): Promise<string> {
  const response = await fetch(authorizeUrl(emulator, {scope}), {redirect: 'manual'})
  const code = redirectQuery(response).get('code')
  if (!code) throw new Error('no code in the redirect')
  return code
}

export function exchangeCode(emulator: StravaEmulator, code: string, secret = emulator.client.secret) {
  return postForm(`${emulator.oauthUrl}/token`, {
    client_id: emulator.client.id,
    client_secret: secret,
    code,
    grant_type: 'authorization_code',
  })
}

export function refresh(emulator: StravaEmulator, refreshToken: string) {
  return postForm(`${emulator.oauthUrl}/token`, {
    client_id: emulator.client.id,
    client_secret: emulator.client.secret,
    refresh_token: refreshToken,
    grant_type: 'refresh_token',
  })
}

export function getApi(emulator: StravaEmulator, path: string, accessToken?: string) {
  return fetch(`${emulator.apiUrl}${path}`, {headers: accessToken ? {authorization: `Bearer ${accessToken}`} : {}})
}

export const fault = (message: string, resource: string, field: string, code: string) => ({
  message,
  errors: [{resource, field, code}],
})
