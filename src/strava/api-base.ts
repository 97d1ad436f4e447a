// Which Strava API base URL to call: the one place that decides it.
//
// Strava's V3 API changelog (entry of 1 June 2026, quoted in stravalib/stravalib#737): "The API base URL
// is changing from https://www.strava.com/api/v3 to https://api-v3.strava.com. The new base URL will be
// available starting January 4, 2027." Strava's developer-program announcement (community hub, quoted
// in dblock/strava-ruby-client#101) writes the new host as https://www.api-v3.strava.com/ and retires the
// old one on 1 June 2027. Both forms are tried, the changelog's first: it is Strava's official record,
// and a `*.strava.com` certificate covers api-v3.strava.com but not www.api-v3.strava.com. Neither source
// shows a path under the new host; both give the bare host as the base URL, so the API's paths follow it
// directly (https://api-v3.strava.com/athlete). Uncertain until the host answers: when Strava documents
// otherwise, NEXT_API_URLS is the only thing to change, and STRAVA_API_URL overrides all of this.
import {mkdirSync} from 'node:fs'
import {join} from 'node:path'

import {asJsonObject, readJsonFileSync} from 'oclif-plugin-oauth/json-file'
import writeFileAtomic from 'write-file-atomic'

export const LEGACY_API_URL = 'https://www.strava.com/api/v3'
export const NEXT_API_URLS = ['https://api-v3.strava.com', 'https://www.api-v3.strava.com']
/** From this moment the new host is preferred ("available starting January 4, 2027"). */
const NEXT_API_LIVE = Date.UTC(2027, 0, 4)
/** From this moment the old host is no longer tried (Strava: retired on June 1, 2027). */
const LEGACY_API_RETIRED = Date.UTC(2027, 5, 1)
/** A fallback that answered is remembered this long; then the preferred host is tried again. */
const FALLBACK_MEMORY_MS = 24 * 60 * 60 * 1000
export const MEMORY_FILE = 'api-base.json'

export interface ApiHosts {
  legacy: string
  next: string[]
}

const stravaHosts: ApiHosts = {legacy: LEGACY_API_URL, next: NEXT_API_URLS}

/**
 * The base URLs to try, preferred first: before 4 January 2027 the old host (the new one as a fallback,
 * should Strava move early); until 1 June 2027 the new host with the old as a fallback; from then on the
 * new host alone, since the old one may still resolve (www.strava.com keeps the OAuth endpoints) but no
 * longer serves the API.
 */
export function candidateApiUrls(now: number, hosts: ApiHosts = stravaHosts): string[] {
  if (now < NEXT_API_LIVE) return [hosts.legacy, ...hosts.next]
  if (now < LEGACY_API_RETIRED) return [...hosts.next, hosts.legacy]
  return [...hosts.next]
}

/**
 * Connection-level failures of one host: no name (ENOTFOUND, EAI_AGAIN), nobody listening, no route,
 * or a TLS certificate for another name. Anything that got an HTTP answer is not one of these.
 */
const CONNECTION_FAILURES = new Set([
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_NONAME',
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
])

function isConnectionFailure(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code
  return code !== undefined && CONNECTION_FAILURES.has(code)
}

/** What the Strava client needs: the base in use, and whether to move on after a failed connection. */
export interface ApiBaseSource {
  readonly url: string
  /** After a connection failure: switches to the next untried base and says true, or says false when none is left. */
  failover(error: unknown): boolean
  /** After any HTTP answer: this base works (remembered for the next run when it is a fallback). */
  answered(): void
}

interface Memory {
  url: string
  /** Epoch milliseconds. */
  at: number
}

export interface ResolveApiBaseOptions {
  /** The environment the composition root read (STRAVA_API_URL). */
  env: NodeJS.ProcessEnv
  /** Where the memory file lives (oclif's cache directory); without it nothing is remembered. */
  cacheDir?: string
  /** Clock in epoch milliseconds. */
  now?: () => number
  hosts?: ApiHosts
}

/** A fixed base: STRAVA_API_URL, or a URL a test passes. */
export function fixedApiBase(url: string): ApiBaseSource {
  return {url: url.replace(/\/+$/, ''), failover: () => false, answered() {}}
}

/**
 * The base for this run: STRAVA_API_URL when set; otherwise the candidates for today's date, starting
 * from the one remembered in the cache directory when it is still one of them (a fallback only for a day).
 */
export function resolveApiBase(o: ResolveApiBaseOptions): ApiBaseSource {
  const override = o.env.STRAVA_API_URL
  if (override) return fixedApiBase(override)
  const now = o.now ?? Date.now
  const candidates = candidateApiUrls(now(), o.hosts)
  const path = o.cacheDir === undefined ? undefined : join(o.cacheDir, MEMORY_FILE)
  const memory = path === undefined ? undefined : readMemory(path)
  const remembered =
    memory && (memory.url === candidates[0] || now() - memory.at < FALLBACK_MEMORY_MS)
      ? candidates.indexOf(memory.url)
      : -1
  let stored = memory?.url ?? candidates[0]
  return new FailoverApiBase(candidates, Math.max(0, remembered), (url) => {
    if (path === undefined || url === stored) return
    stored = url
    writeMemory(path, {url, at: now()})
  })
}

class FailoverApiBase implements ApiBaseSource {
  private index: number
  private readonly tried = new Set<number>()

  constructor(
    private readonly candidates: string[],
    private readonly start: number,
    private readonly remember: (url: string) => void,
  ) {
    this.index = start
  }

  get url(): string {
    return this.candidates[this.index]
  }

  failover(error: unknown): boolean {
    if (!isConnectionFailure(error)) return false
    this.tried.add(this.index)
    const next = this.candidates.findIndex((_, index) => !this.tried.has(index))
    if (next !== -1) {
      this.index = next
      return true
    }

    // Every base failed to connect: start over from the first one, and let the caller back off.
    this.tried.clear()
    this.index = this.start
    return false
  }

  answered(): void {
    this.tried.clear()
    this.remember(this.url)
  }
}

/** A damaged or unreadable memory is no memory: the candidates are tried in their order. */
function readMemory(path: string): Memory | undefined {
  return readJsonFileSync(path, {
    check: (value) => {
      const {url, at} = asJsonObject(value)
      if (typeof url !== 'string' || typeof at !== 'number') throw new Error('no url and time')
      return {url, at}
    },
    damaged: () => undefined,
    unreadable: () => undefined,
  })
}

/** Best effort: a cache directory that cannot be written costs the probe again next time, nothing more. */
function writeMemory(path: string, memory: Memory): void {
  try {
    mkdirSync(join(path, '..'), {recursive: true, mode: 0o700})
    // No fsync: a memory lost in a crash costs one probe.
    writeFileAtomic.sync(path, JSON.stringify(memory) + '\n', {mode: 0o600, fsync: false})
  } catch {
    // Not worth failing a run over.
  }
}
