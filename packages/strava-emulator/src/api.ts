// GET /api/v3/athlete and GET /api/v3/athlete/activities, following the published spec and the
// behaviour Strava documents for them (bearer auth, scopes, paging, before/after filters).
import type {StoredActivity} from './activities.js'
import {type EmulatorResponse, authorizationError, badRequest, fault, json, jsonText, recordNotFound} from './http.js'
import type {Grant} from './tokens.js'

export interface ApiContext {
  athlete: Record<string, unknown>
  activities: StoredActivity[]
  /** Every second page holds half of per_page without being the last (see pageBounds). */
  shortPages?: boolean
}

/** Epoch seconds; anything above 1e11 (year 5138) is a caller passing milliseconds. */
const millisecondThreshold = 1e11
/** Strava's per_page default and cap ("custom page sizes up to 200"); larger values are clamped. */
const defaultPerPage = 30
const maxPerPage = 200

export function apiRoute(context: ApiContext, path: string, query: URLSearchParams, grant: Grant | undefined) {
  if (path === '/athlete' || path === '/athlete/activities') {
    // Strava answers an unknown, expired or revoked token like this on every endpoint.
    if (!grant) return authorizationError('Athlete', 'access_token')
    return path === '/athlete' ? json(200, context.athlete) : listActivities(context, query, grant)
  }

  const activityId = /^\/activities\/(\d+)$/.exec(path)?.[1]
  if (activityId !== undefined) {
    if (!grant) return authorizationError('Athlete', 'access_token')
    return getActivity(context, BigInt(activityId), grant)
  }

  return recordNotFound()
}

/**
 * GET /activities/{id}: "Requires activity:read for Everyone and Followers activities. Requires
 * activity:read_all for Only Me activities." (spec). An activity the token may not see is as unknown.
 */
function getActivity(context: ApiContext, id: bigint, grant: Grant): EmulatorResponse {
  const readAll = grant.scopes.includes('activity:read_all')
  if (!readAll && !grant.scopes.includes('activity:read')) {
    return authorizationError('AccessToken', 'activity:read_permission', 'missing')
  }

  const activity = context.activities.find((candidate) => candidate.id === id)
  if (!activity || (activity.onlyMe && !readAll)) return fault(404, 'Record Not Found', 'Activity', 'id', 'invalid')
  return jsonText(200, activity.detailJson)
}

function integerParam(query: URLSearchParams, name: string): number | undefined | 'invalid' {
  const raw = query.get(name)
  if (raw === null || raw === '') return undefined
  return /^-?\d+$/.test(raw) ? Number(raw) : 'invalid'
}

function listActivities(context: ApiContext, query: URLSearchParams, grant: Grant): EmulatorResponse {
  // "Requires activity:read. Only Me activities will be filtered out unless requested by a token with
  // activity:read_all." (spec); the missing-scope body is the one Strava sends.
  const readAll = grant.scopes.includes('activity:read_all')
  if (!readAll && !grant.scopes.includes('activity:read')) {
    return authorizationError('AccessToken', 'activity:read_permission', 'missing')
  }

  const before = integerParam(query, 'before')
  const after = integerParam(query, 'after')
  if (before === 'invalid') return badRequest('Application', 'before')
  if (after === 'invalid') return badRequest('Application', 'after')
  // Strava rejects `after` in milliseconds as lying in the future (node-strava/node-strava-v3#103);
  // the emulator rejects `before` in milliseconds too, so a client mixing units fails loudly.
  if (after !== undefined && after > millisecondThreshold) return badRequest('Application', 'after', 'future')
  if (before !== undefined && before > millisecondThreshold) return badRequest('Application', 'before')
  const page = Math.max(1, Number(integerParam(query, 'page')) || 1)
  const requestedPerPage = Number(integerParam(query, 'per_page')) || defaultPerPage
  const perPage = Math.min(maxPerPage, requestedPerPage > 0 ? requestedPerPage : defaultPerPage)

  const selected = context.activities.filter(
    (activity) =>
      (readAll || !activity.onlyMe) &&
      (after === undefined || activity.start > after) &&
      (before === undefined || activity.start < before),
  )
  // Newest first; with `after` Strava lists oldest first, counting forward from that time.
  const ascending = after !== undefined
  selected.sort((a, b) => {
    const order = a.start - b.start || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
    return ascending ? order : -order
  })
  const [start, end] = pageBounds(page, perPage, context.shortPages ?? false)
  const pageItems = selected.slice(start, end)
  return jsonText(200, `[${pageItems.map((activity) => activity.json).join(',')}]`)
}

/**
 * The slice a page covers. Strava's docs warn that a page may hold fewer than per_page items without
 * being the last; with `short` every even page holds half of per_page (rounded up), and the pages
 * after it continue where it stopped, so nothing is skipped: only a client that takes a short page
 * for the end misses activities.
 */
function pageBounds(page: number, perPage: number, short: boolean): [number, number] {
  if (!short) return [(page - 1) * perPage, page * perPage]
  const half = Math.ceil(perPage / 2)
  const evenPagesBefore = Math.floor((page - 1) / 2)
  const start = (page - 1) * perPage - evenPagesBefore * (perPage - half)
  return [start, start + (page % 2 === 0 ? half : perPage)]
}
