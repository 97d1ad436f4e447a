/**
 * Strava activity ids exceed 2^53 in places, where a plain JSON.parse would round them. The reviver
 * sees the raw source of every primitive (Node >= 21), so each numeric `id` also gets its exact
 * digits as `id_str` on the object that holds it.
 */
export function parseStravaJson(text: string): unknown {
  return JSON.parse(text, function (this: Record<string, unknown>, key, value, context?: {source?: string}) {
    if (key === 'id' && typeof value === 'number' && context?.source && /^\d+$/.test(context.source)) {
      this.id_str = context.source
    }

    return value
  })
}
