/**
 * Strava activity ids exceed 2^53 in places, where a plain JSON.parse would round them, so each numeric
 * `id` also gets its exact digits as `id_str` on the object that holds it. A reviver sees the raw source
 * of every primitive (Node >= 21), but it is called for every value: ~0.2 s for a year of 5,000
 * activities. So it is only used when some id has 16 digits or more; shorter ids are exact as numbers.
 */
export function parseStravaJson(text: string): unknown {
  if (LONG_ID.test(text)) return JSON.parse(text, keepIdDigits)
  const value: unknown = JSON.parse(text)
  addIdStrings(value)
  return value
}

/** 9007199254740991 (2^53 - 1) has 16 digits: any id shorter than that is a safe integer. */
const LONG_ID = /"id"\s*:\s*\d{16}/

function keepIdDigits(this: Record<string, unknown>, key: string, value: unknown, context?: {source?: string}) {
  if (key === 'id' && typeof value === 'number' && context?.source && /^\d+$/.test(context.source)) {
    this.id_str = context.source
  }

  return value
}

function addIdStrings(node: unknown): void {
  if (typeof node !== 'object' || node === null) return
  if (Array.isArray(node)) {
    for (const item of node) addIdStrings(item)
    return
  }

  const record = node as Record<string, unknown>
  const id = record.id
  if (typeof id === 'number' && Number.isSafeInteger(id) && id >= 0) record.id_str = String(id)
  for (const key in record) {
    const value = record[key]
    if (typeof value === 'object' && value !== null) addIdStrings(value)
  }
}

const rawJson = (JSON as unknown as {rawJSON: (text: string) => unknown}).rawJSON

/**
 * The inverse of parseStravaJson: JSON text with every `id` written with its exact digits (from `id_str`,
 * which is left out again), so stored text reads back as Strava sent it, whatever the id's size.
 */
export function stringifyStravaJson(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key, item: unknown) {
    if (key === 'id_str') return undefined
    if (key === 'id' && typeof item === 'number' && typeof this.id_str === 'string') return rawJson(this.id_str)
    return item
  })
}
