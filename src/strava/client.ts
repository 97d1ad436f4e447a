// Only the text sanitisers of the auth plugin, shared so that every server-provided text is cleaned the same way.
import {printable, redactSecrets, withoutCredentials} from 'oclif-plugin-oauth/errors'
import {classifyNetworkError, retryDelayMs, type RetryPolicy} from 'oclif-plugin-oauth/retry'
import {ActivityPages} from './activity-check.js'
import {type ApiBaseSource, fixedApiBase, LEGACY_API_URL} from './api-base.js'
import {RateLimitError, StravaAuthError, StravaRequestError, StravaUnavailableError} from './errors.js'
import {sendsTogether} from '../http/keep-alive.js'
import {httpGet, ResponseTooLargeError, type HttpAnswer} from './http-get.js'
import {parseStravaJson} from './json.js'
import {
  dailyLimitReached,
  describeUsage,
  nextQuarterHour,
  nextUtcMidnight,
  parseRateLimits,
  RESET_MARGIN_MS,
} from './rate-limit.js'
import type {AccessTokenSource} from './token-source.js'
import type {DetailedActivity, Fault, SummaryActivity, SummaryAthlete} from './types.js'

const DEFAULT_API_URL = LEGACY_API_URL
/** Strava's largest page; fewer pages spend less of the rate limit. */
const PAGE_SIZE = 200
/**
 * Largest answer read. A page of 200 activities from the emulator measured 198 KB (its summary polylines
 * are empty); Strava's summary polylines add up to ~8 KB each for long rides, so about 1.8 MB a page.
 * 16 MiB leaves a margin of 9x, while an endless body stops long before it fills memory.
 */
export const MAX_BODY_BYTES = 16 * 1024 * 1024

export interface StravaClientOptions {
  /** Default: Strava's documented host. Ignored when `apiBase` is given (the composition root passes one that honours STRAVA_API_URL). */
  apiUrl?: string
  /** The base URL with failover between Strava's old and new hosts (see api-base.ts); the composition root passes it. */
  apiBase?: ApiBaseSource
  tokens: AccessTokenSource
  /** Clock in epoch milliseconds. */
  now?: () => number
  sleep?: (ms: number) => Promise<void>
  /** One line per request for --verbose; never contains a token. */
  log?: (line: string) => void
  /** Seconds this client may spend in total waiting for the 15-minute rate limit window to reset. Default 900. */
  maxWait?: number
  /** Called before each such wait with the moment the wait ends. */
  onWait?: (until: Date) => void
  /** Per-request timeout in milliseconds. Default 30 s. */
  timeoutMs?: number
  /** Retries after a server error, network error or broken body. Default 3 (so 4 attempts). */
  retries?: number
  /** Source of backoff jitter in [0, 1). */
  random?: () => number
  /** What the client waits for (a page, a retry), for a status line on a terminal. */
  onProgress?: (message: string) => void
  /** A warning for the user, such as activities left out because Strava sent them malformed. */
  warn?: (message: string) => void
  /** Whether two requests can travel together (HTTP/2); default: asks the run's connection pool. */
  sendsTogether?: (url: URL) => Promise<boolean>
}

export interface ListActivitiesOptions {
  /** Epoch seconds, exclusive bounds on the activity's UTC start as Strava applies them. */
  after: number
  before: number
  /**
   * After each page: its number, the activities so far, and the page's new well-formed activities (ascending
   * by start, as `after` is given, when the server keeps Strava's order).
   */
  onPage?: (page: number, total: number, activities: SummaryActivity[]) => void
}

type Query = Record<string, string | number>

/** One page of an activity listing: its number (from 1) and its activities, ascending by start. */
export interface ActivityPage {
  page: number
  activities: SummaryActivity[]
}

/** After a server error, a network error or a broken body: three retries, after about 1 s, 2 s and 4 s. */
const API_RETRY_POLICY: RetryPolicy = {retries: 3, firstDelayMs: 1000, factor: 2, jitter: 0.25}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

function faultOf(body: string): Fault | undefined {
  try {
    const parsed = JSON.parse(body) as Partial<Fault>
    // `errors` is a list of {resource, field, code}, or in some of Strava's 429s a plain string.
    return typeof parsed === 'object' && parsed !== null
      ? {message: String(parsed.message ?? ''), errors: Array.isArray(parsed.errors) ? parsed.errors : undefined}
      : undefined
  } catch {
    return undefined
  }
}

function hasFaultError(fault: Fault | undefined, test: (e: NonNullable<Fault['errors']>[number]) => boolean) {
  return fault?.errors?.some(test) ?? false
}

function describeNetworkError(error: unknown): string {
  if (classifyNetworkError(error) === 'timeout') return 'timed out'
  return (error as NodeJS.ErrnoException).code ?? (error instanceof Error ? error.message : String(error))
}

/** One GET in progress: the token it sends, whether that was renewed after a 401, failures so far. */
interface RequestState {
  path: string
  pathWithQuery: string
  token: string
  renewed: boolean
  failures: number
}

export class StravaClient {
  private readonly apiBase: ApiBaseSource
  private readonly tokens: AccessTokenSource
  private readonly now: () => number
  private readonly sleep: (ms: number) => Promise<void>
  private readonly log?: (line: string) => void
  private readonly onWait?: (until: Date) => void
  private readonly timeoutMs: number
  private readonly retries: number
  private readonly random: () => number
  private readonly onProgress?: (message: string) => void
  private readonly warn?: (message: string) => void
  /** Whether two requests to the API travel together (HTTP/2), so that sending them at once saves round trips. */
  readonly sendsTogether: () => Promise<boolean>
  /** Milliseconds of rate-limit waiting still allowed. */
  private waitBudgetMs: number
  /** The rate-limit wait under way, shared by every request: none starts while it runs, and a 429 meanwhile joins it. */
  private rateLimitWait: Promise<void> | undefined
  /** Rate-limit waits done: a 429 to a request sent before the latest one ended belongs to the window already waited out. */
  private waitsDone = 0

  constructor(options: StravaClientOptions) {
    this.apiBase = options.apiBase ?? fixedApiBase(options.apiUrl ?? DEFAULT_API_URL)
    const protocol = URL.parse(this.apiBase.url)?.protocol
    if (protocol !== 'https:' && protocol !== 'http:') {
      const what = protocol ? `uses ${printable(protocol)}, not https:` : 'is not a URL'
      throw new StravaRequestError(
        `The Strava API address "${withoutCredentials(this.apiBase.url)}" ${what}; check STRAVA_API_URL.`,
        400,
      )
    }

    this.tokens = options.tokens
    this.now = options.now ?? Date.now
    this.sleep = options.sleep ?? realSleep
    this.log = options.log
    this.onWait = options.onWait
    this.timeoutMs = options.timeoutMs ?? 30_000
    this.retries = options.retries ?? API_RETRY_POLICY.retries
    this.random = options.random ?? Math.random
    this.onProgress = options.onProgress
    this.warn = options.warn
    const together = options.sendsTogether ?? ((url) => sendsTogether(url, AbortSignal.timeout(this.timeoutMs)))
    this.sendsTogether = () => together(new URL(this.apiBase.url))
    this.waitBudgetMs = (options.maxWait ?? 900) * 1000
  }

  async getAthlete(): Promise<SummaryAthlete> {
    return (await this.get('/athlete', {})) as SummaryAthlete
  }

  /** One activity's detailed representation (description, photos): one read request. `id` is its decimal digits. */
  async getActivity(id: string): Promise<DetailedActivity> {
    if (!/^\d+$/.test(id)) throw new StravaRequestError(`"${id}" is not a Strava activity id.`, 400)
    return (await this.get(`/activities/${id}`, {})) as DetailedActivity
  }

  /**
   * Every activity that started between `after` and `before`, paging until Strava returns an empty
   * page: its docs warn that a short page does not prove the end (hidden activities are left out of
   * a page after counting). A rate-limit wait in between resumes at the page it stopped on.
   */
  async listActivities(options: ListActivitiesOptions): Promise<SummaryActivity[]> {
    const activities: SummaryActivity[] = []
    for await (const {page, activities: batch} of this.activityPages(options)) {
      activities.push(...batch)
      options.onPage?.(page, activities.length, batch)
    }

    return activities
  }

  /**
   * The same listing one page at a time, nothing kept: a sync stores each page before asking for the
   * next, so memory stays flat over any history. Without `before`, everything after `after`. Each page
   * yields its new, well-formed activities (see activity-check.ts).
   */
  async *activityPages(options: {after: number; before?: number}): AsyncGenerator<ActivityPage> {
    // Without `before`, the checks take the window to end two days from now (clocks and zones differ).
    const pages = new ActivityPages(
      {after: options.after, before: options.before ?? Math.floor(this.now() / 1000) + 2 * 86_400},
      PAGE_SIZE,
    )
    const asked = new Map<number, Promise<unknown>>()
    const ask = (page: number) => {
      // In this order: --verbose shows the query as sent, after and before first.
      const query: Query =
        options.before === undefined
          ? {after: options.after, page, per_page: PAGE_SIZE}
          : {after: options.after, before: options.before, page, per_page: PAGE_SIZE}
      const answer = this.get('/athlete/activities', query)
      // Awaited in its turn; until then a failure must not count as unhandled.
      answer.catch(() => {})
      asked.set(page, answer)
    }
    const withinCap = (page: number) => {
      try {
        pages.beforePage(page)
        return true
      } catch {
        return false
      }
    }
    // Over HTTP/2, two pages at a time while pages come full (1 with 2, then 3 with 4...): a week of fewer
    // than 200 activities takes one round trip for its two pages instead of two.
    let together: boolean | undefined
    try {
      for (let page = 1, lastFull = true; ; page++) {
        pages.beforePage(page)
        this.onProgress?.(`Fetching page ${page} of activities from Strava`)
        if (!asked.has(page)) ask(page)
        together ??= await this.sendsTogether()
        if (together && page % 2 === 1 && lastFull && withinCap(page + 1)) ask(page + 1)
        const batch = await asked.get(page)
        asked.delete(page)
        if (!Array.isArray(batch)) {
          throw new StravaUnavailableError(
            'Strava answered the activity list with something that is not a list; try again later.',
            1,
          )
        }

        if (batch.length === 0) {
          // A page asked for beside an empty one is not needed, but it is let finish: no request outlives the listing.
          await Promise.allSettled(asked.values())
          return
        }

        lastFull = batch.length >= PAGE_SIZE
        yield {page, activities: pages.accept(page, batch)}
      }
    } finally {
      const warning = pages.warning()
      if (warning) this.warn?.(warning)
    }
  }

  private async get(path: string, query: Query): Promise<unknown> {
    const search = new URLSearchParams(
      Object.entries(query).map(([k, v]): [string, string] => [k, String(v)]),
    ).toString()
    const pathWithQuery = search ? `${path}?${search}` : path
    const request: RequestState = {
      path,
      pathWithQuery,
      token: await this.tokens.accessToken(),
      renewed: false,
      failures: 0,
    }

    for (;;) {
      await this.rateLimitWait
      const waitsBefore = this.waitsDone
      const response = await this.send(request)
      // A network failure worth another try: on the other API host, or after a back-off.
      if (!response) continue
      this.apiBase.answered()
      const limits = parseRateLimits(response.headers)
      const usage = describeUsage(limits)
      this.log?.(`GET ${pathWithQuery} ${response.status}${usage ? ` (${usage})` : ''}`)

      if (response.ok) {
        try {
          return parseStravaJson(response.body)
        } catch {
          request.failures = await this.backOff(request.failures, 'an incomplete or invalid JSON answer')
          continue
        }
      }

      if (response.status >= 500) {
        const problem = printable(`${response.status} ${response.statusText}`.trim(), 80)
        request.failures = await this.backOff(request.failures, problem)
        continue
      }

      const fault = faultOf(response.body)
      if (response.status === 401) {
        await this.renewAfterRejection(request, fault)
        continue
      }

      if (response.status === 429) {
        await this.waitOutRateLimit(limits, waitsBefore)
        // The wait may have outlived the token; the source renews it ahead of expiry.
        request.token = await this.tokens.accessToken()
        continue
      }

      throw this.refused(request, response, fault)
    }
  }

  /** One GET; undefined after a network failure worth another try (the other API host, or after a back-off). */
  private async send(request: RequestState): Promise<HttpAnswer | undefined> {
    try {
      return await httpGet(
        this.apiBase.url + request.pathWithQuery,
        {Authorization: `Bearer ${request.token}`, Accept: 'application/json'},
        AbortSignal.timeout(this.timeoutMs),
        MAX_BODY_BYTES,
      )
    } catch (error) {
      const problem = describeNetworkError(error)
      this.log?.(`GET ${request.pathWithQuery} failed: ${problem}`)
      const failed = new URL(this.apiBase.url).host
      // Strava's old or new API host does not connect: the other one, at once (see api-base.ts).
      if (this.apiBase.failover(error)) {
        this.log?.(`${failed} did not connect; trying ${new URL(this.apiBase.url).host}`)
        return undefined
      }

      if (error instanceof ResponseTooLargeError) {
        throw new StravaUnavailableError(
          `Strava's answer to GET ${request.path} was larger than ${MAX_BODY_BYTES / 1024 / 1024} MiB, far more than any real answer, so it was not read. Try again later; if STRAVA_API_URL is set, check that it points to Strava's API.`,
          request.failures + 1,
        )
      }

      const failure = classifyNetworkError(error)
      if (failure === 'tls') {
        throw new StravaUnavailableError(
          `The secure connection to ${failed} failed (${problem}). Check the machine's clock and any proxy, and STRAVA_API_URL if set.`,
          request.failures + 1,
        )
      }

      if (failure !== 'timeout' && failure !== 'transient') throw error
      request.failures = await this.backOff(request.failures, problem)
      return undefined
    }
  }

  /** A 401: a missing scope is the user's to fix; otherwise the token is renewed once, then the login is given up. */
  private async renewAfterRejection(request: RequestState, fault: Fault | undefined): Promise<void> {
    if (hasFaultError(fault, (e) => (e.field ?? '').endsWith('_permission'))) {
      throw new StravaAuthError(
        "The saved Strava login does not allow reading activities (scope activity:read is missing). Run `weeknotes auth` again and allow access to your activities on Strava's consent page.",
      )
    }

    if (request.renewed) throw new StravaAuthError('Strava rejected the saved login; run `weeknotes auth` again.')
    request.renewed = true
    request.token = await this.tokens.renewAfterRejection(request.token)
  }

  /** Any other refusal, as the error to stop with. */
  private refused(request: RequestState, response: HttpAnswer, fault: Fault | undefined): Error {
    // A server or proxy may echo the request: its words are shown without the token and without control characters.
    const detail = printable(redactSecrets(fault?.message || response.statusText, [request.token]))
    if (response.status === 403) return this.forbidden(fault, detail)
    return new StravaRequestError(
      `Strava refused GET ${request.path} (${response.status}${detail ? ` ${detail}` : ''}).`,
      response.status,
      [
        `Check STRAVA_API_URL if you set it (in use: ${withoutCredentials(this.apiBase.url)}); otherwise please report this as a weeknotes bug.`,
      ],
    )
  }

  /** Sleeps 1 s, 2 s, 4 s... (plus up to 25% jitter) after each failure; past the retries, gives up. */
  private async backOff(failures: number, problem: string): Promise<number> {
    const attempts = failures + 1
    const waitMs = retryDelayMs({...API_RETRY_POLICY, retries: this.retries}, attempts, this.random)
    if (waitMs === undefined) {
      throw new StravaUnavailableError(
        `Strava did not answer after ${attempts} attempts (last: ${problem}); try again later.`,
        attempts,
      )
    }

    this.onProgress?.(`Strava did not answer (${problem}); retrying in ${Math.ceil(waitMs / 1000)} s`)
    await this.sleep(waitMs)
    return attempts
  }

  private forbidden(fault: Fault | undefined, detail: string): Error {
    const inactive =
      hasFaultError(fault, (e) => e.resource === 'Application' && (e.code ?? '').toLowerCase() === 'inactive') ||
      /application inactive/i.test(fault?.message ?? '')
    if (inactive) {
      return new StravaAuthError(
        'Strava reports the API application behind this login as inactive. Since 30 June 2026 a Standard Tier Strava API app needs its owner to hold an active Strava subscription: the app owner should subscribe, reactivate the app at https://www.strava.com/settings/api, then run weeknotes again.',
      )
    }

    return new StravaAuthError(
      `Strava refused access (403${detail ? ` ${detail}` : ''}). Check the app's settings at https://www.strava.com/settings/api, then run \`weeknotes auth\` again.`,
    )
  }

  /**
   * A 429 to a request sent after `waitsBefore` waits: requests in flight together (pages, details) wait out
   * one limit once, and spend the --max-wait budget once. One sent before the latest wait ended asks again.
   */
  private waitOutRateLimit(limits: ReturnType<typeof parseRateLimits>, waitsBefore: number): Promise<void> {
    if (this.rateLimitWait) return this.rateLimitWait
    if (this.waitsDone > waitsBefore) return Promise.resolve()
    const wait = this.waitForRateLimit(limits).then(() => {
      this.waitsDone++
    })
    this.rateLimitWait = wait
    const clear = () => {
      if (this.rateLimitWait === wait) this.rateLimitWait = undefined
    }
    wait.then(clear, clear)
    return wait
  }

  /**
   * A 429: the daily window only resets at midnight UTC, so that is a stop; the 15-minute window
   * resets at the next quarter hour, worth waiting for while the --max-wait budget allows.
   */
  private async waitForRateLimit(limits: ReturnType<typeof parseRateLimits>): Promise<void> {
    const now = this.now()
    if (dailyLimitReached(limits)) {
      const retryAt = nextUtcMidnight(now)
      throw new RateLimitError(
        `Strava's daily rate limit is used up; try again after ${formatUtc(retryAt)}.`,
        'daily',
        retryAt,
      )
    }

    const reset = nextQuarterHour(now).getTime()
    const until = new Date(reset + RESET_MARGIN_MS)
    const waitMs = until.getTime() - now
    // The budget is measured to the reset itself: the margin must not turn down a wait that --max-wait 15m allows.
    if (reset - now > this.waitBudgetMs) {
      throw new RateLimitError(
        `Strava's 15-minute rate limit is used up and resets after the allowed wait (--max-wait); try again after ${formatUtc(until)}.`,
        'short',
        until,
      )
    }

    this.waitBudgetMs = Math.max(0, this.waitBudgetMs - waitMs)
    this.onWait?.(until)
    await this.sleep(waitMs)
  }
}

/** "2024-03-11 14:45 UTC": an unambiguous moment for people in any zone. */
function formatUtc(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`
}
