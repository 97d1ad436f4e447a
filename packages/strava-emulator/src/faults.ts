// Injected faults (EmulatorFault): consumed in order by path prefix. Some replace the normal answer
// (status, inactive, rateLimited), the others act on the exchange around it (slow, truncated, reset).
import {STATUS_CODES} from 'node:http'
import {type EmulatorResponse, applicationInactive, json, rateLimitExceeded} from './http.js'
import type {EmulatorFault, EmulatorOptions} from './types.js'

/** The first fault matching the path, used up by one (`times` counts down, default 1). */
export function takeFault(faults: EmulatorFault[], path: string): EmulatorFault | undefined {
  const index = faults.findIndex((fault) => path.startsWith(fault.match ?? ''))
  if (index === -1) return undefined
  const fault = faults[index]
  const times = (fault.times ?? 1) - 1
  if (times <= 0) faults.splice(index, 1)
  else faults[index] = {...fault, times}
  return fault
}

/** Answers that replace the normal one; `slow` and `truncated` wrap it instead. */
export function faultResponse(
  fault: EmulatorFault,
  rateLimitBody: EmulatorOptions['rateLimitBody'],
): EmulatorResponse | undefined {
  switch (fault.kind) {
    case 'status': {
      if (typeof fault.body === 'string') return {status: fault.status, headers: {}, body: fault.body}
      return json(fault.status, fault.body ?? {message: STATUS_CODES[fault.status] ?? 'Error', errors: []})
    }

    case 'inactive':
      return applicationInactive()
    case 'rateLimited':
      return rateLimitExceeded(rateLimitBody)
    default:
      return undefined
  }
}

/** A cut-off body with a matching Content-Length: the HTTP exchange completes, the JSON does not parse. */
export const truncated = (response: EmulatorResponse): EmulatorResponse => ({
  ...response,
  body: response.body.slice(0, Math.ceil(response.body.length / 2)),
})
