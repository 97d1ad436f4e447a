// The subset of Strava API v3 shapes this tool reads (the full spec: https://developers.strava.com/docs/reference/).
// Field names stay as Strava spells them; the notes module maps them to the template context.

/** Strava's SportType enumeration; kept open-ended because Strava adds sports without notice. */
type SportType = string

export interface SummaryAthlete {
  id: number
  firstname?: string
  lastname?: string
  city?: string
  state?: string
  country?: string
  sex?: 'M' | 'F'
  /** Strava's own preference: "feet" means imperial, "meters" metric. */
  measurement_preference?: 'feet' | 'meters'
  profile?: string
  profile_medium?: string
  premium?: boolean
  summit?: boolean
  created_at?: string
  updated_at?: string
}

export interface SummaryActivity {
  /** Parsed as a number by JSON.parse; the Strava client keeps the exact digits in `id_str`. */
  id: number
  /** Exact decimal digits of `id` (ids can exceed 2^53); set by the Strava client, not by Strava. */
  id_str?: string
  name: string
  /** Deprecated by Strava in favour of sport_type, still present. */
  type?: string
  sport_type: SportType
  /** UTC start, e.g. "2024-03-04T15:00:00Z". */
  start_date: string
  /** Local wall-clock start written with a misleading "Z", e.g. "2024-03-04T07:00:00Z". */
  start_date_local: string
  /** e.g. "(GMT-08:00) America/Los_Angeles". */
  timezone?: string
  utc_offset?: number
  distance: number
  moving_time: number
  elapsed_time: number
  total_elevation_gain: number
  average_speed?: number
  max_speed?: number
  has_heartrate?: boolean
  average_heartrate?: number
  max_heartrate?: number
  private?: boolean
  /** "everyone" | "followers_only" | "only_me". */
  visibility?: string
  athlete?: {id: number; resource_state?: number}
  manual?: boolean
  trainer?: boolean
  commute?: boolean
  workout_type?: number | null
  external_id?: string
  upload_id?: number
  location_country?: string | null
  /** Achievements (PRs, segment awards...) and personal records earned in it; in the list as Strava sends it. */
  achievement_count?: number
  pr_count?: number
  /** The route at low resolution as a Google encoded polyline; empty or absent for indoor activities. */
  map?: {id?: string; summary_polyline?: string | null; polyline?: string | null}
}

/**
 * GET /activities/{id}: the summary plus what only the detailed representation has. The description may
 * be empty or null; `private_note` is outside the published spec and sent only to the owner, when set.
 */
export interface DetailedActivity extends SummaryActivity {
  description?: string | null
  /** `primary.urls` maps a size in pixels ("100", "600") to the photo's address. */
  photos?: {count?: number; primary?: {unique_id?: string; urls?: Record<string, string> | null} | null}
  private_note?: string | null
}

/** Strava's error body: {"message": "...", "errors": [{"resource", "field", "code"}]}. */
export interface Fault {
  message: string
  errors?: {resource?: string; field?: string; code?: string}[]
}
