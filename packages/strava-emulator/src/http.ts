// Response values and Strava's fault bodies. Handlers return an EmulatorResponse instead of writing
// to the socket, so that injected faults (truncated, slow) can wrap any normal answer.
import type {IncomingMessage} from 'node:http'

export interface EmulatorResponse {
  status: number
  headers: Record<string, string>
  body: string
}

export function json(status: number, value: unknown, headers: Record<string, string> = {}): EmulatorResponse {
  return jsonText(status, JSON.stringify(value), headers)
}

export function jsonText(status: number, text: string, headers: Record<string, string> = {}): EmulatorResponse {
  return {status, headers: {'content-type': 'application/json; charset=utf-8', ...headers}, body: text}
}

export function html(status: number, text: string): EmulatorResponse {
  return {
    status,
    // The consent page loads nothing from elsewhere; the policy makes any slip visible in a browser.
    // form-action also governs the redirect after the form is submitted, so the loopback receivers
    // the consent redirects to must be allowed or Chromium silently stays on the consent page.
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy':
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self' http://127.0.0.1:* http://localhost:*",
    },
    body: text,
  }
}

export function redirect(location: string): EmulatorResponse {
  return {status: 302, headers: {location}, body: ''}
}

/** Strava's error body: {"message", "errors": [{"resource", "field", "code"}]}. */
export function fault(
  status: number,
  message: string,
  resource: string,
  field: string,
  code: string,
): EmulatorResponse {
  return json(status, {message, errors: [{resource, field, code}]})
}

export const badRequest = (resource: string, field: string, code = 'invalid') =>
  fault(400, 'Bad Request', resource, field, code)
export const authorizationError = (resource: string, field: string, code = 'invalid') =>
  fault(401, 'Authorization Error', resource, field, code)
/** What Strava answers for an unknown path. */
export const recordNotFound = () => fault(404, 'Record Not Found', 'resource', 'path', 'invalid')
/**
 * Since June 2026 a Standard Tier app whose owner has no subscription is "Inactive" and every API call
 * answers this body (seen in stravalib/stravalib#730 and dreeveapp/dreeve#2562).
 */
export const applicationInactive = () => fault(403, 'Forbidden', 'Application', 'Status', 'Inactive')
/**
 * Strava's 429 body comes in two shapes in the wild: the usual fault list, and `errors` as a plain
 * string (both recorded in client libraries' test cassettes); clients must cope with either.
 */
export const rateLimitExceeded = (shape: 'list' | 'string' = 'list') =>
  shape === 'string'
    ? json(429, {message: 'Rate Limit Exceeded', errors: 'Rate Limit Exceeded'})
    : fault(429, 'Rate Limit Exceeded', 'Application', 'rate limit', 'exceeded')

const maxBodyBytes = 1024 * 1024

export async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of request) {
    size += (chunk as Buffer).length
    if (size > maxBodyBytes) throw new Error('request body too large')
    chunks.push(chunk as Buffer)
  }

  return Buffer.concat(chunks).toString('utf8')
}

/** Strava reads OAuth parameters from the query, a form body or a JSON body alike. */
export function parseParams(
  query: URLSearchParams,
  contentType: string | undefined,
  body: string,
): Map<string, string> {
  const params = new Map(query)
  if (body === '') return params
  if (contentType?.includes('application/json')) {
    try {
      const parsed = JSON.parse(body) as unknown
      if (parsed && typeof parsed === 'object') {
        for (const [key, value] of Object.entries(parsed)) if (value != null) params.set(key, String(value))
      }
    } catch {
      // A malformed JSON body counts as no parameters; the handler then reports what is missing.
    }
  } else {
    for (const [key, value] of new URLSearchParams(body)) params.set(key, value)
  }

  return params
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}
