// oclif flags the plugin shares with its host CLI, so that each kind of value is parsed one way.
import * as Flags from '@oclif/core/flags'

import {ExitCodeError} from './errors.js'

/**
 * A flag value that does not parse (exit 2). oclif rewrites a parse error's message into
 * "Parsing --flag \n\t<message>\nSee more help with --help"; the one sentence already names the flag
 * and what to give, so that rewrite is ignored and the user reads just the sentence.
 */
export class FlagValueError extends ExitCodeError {
  readonly exitCode: number = 2

  constructor(sentence: string) {
    super(sentence)
    Object.defineProperty(this, 'message', {get: () => sentence, set: () => {}, enumerable: false})
  }
}

const SECONDS_PER_UNIT = {s: 1, m: 60, h: 3600} as const

/** `300`, `90s`, `1.5m`, `1h` (a bare number is seconds) in milliseconds; undefined for anything else. */
export function parseDurationMs(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([smh])?\s*$/i.exec(text)
  if (!match) return undefined
  const unit = (match[2] ?? 's').toLowerCase() as keyof typeof SECONDS_PER_UNIT
  return Math.round(Number(match[1]) * SECONDS_PER_UNIT[unit] * 1000)
}

/**
 * A duration flag's value: in milliseconds, and as the user wrote it. oclif's help and manifest print a
 * default through toString/JSON, so a default reads `5m` as written rather than 300000.
 */
export class Duration {
  constructor(
    readonly text: string,
    readonly ms: number,
  ) {}

  toString(): string {
    return this.text
  }

  toJSON(): string {
    return this.text
  }
}

export interface DurationFlagOptions {
  summary?: string
  description?: string
  /** The default as a user writes it (`5m`). */
  default: string
  /** Whether 0 is a duration (a wait of none); otherwise it is rejected as not a duration. */
  allowZero?: boolean
  /** The longest accepted, and the sentence for a longer one. */
  max?: {ms: number; tooLong: (text: string) => string}
  /** The sentence for text that is not a duration: what was given and which forms to use. */
  invalid: (text: string) => string
}

/**
 * A duration flag (`--timeout 5m`, `--max-wait 90s`). Every duration flag accepts the same forms; each
 * keeps its own range and wording. Invalid input stops the parse with exit 2 and that one sentence.
 */
export function durationFlag(o: DurationFlagOptions) {
  const toDuration = (text: string): Duration => {
    const ms = parseDurationMs(text)
    if (ms === undefined || (ms === 0 && !o.allowZero)) throw new FlagValueError(o.invalid(text))
    if (o.max && ms > o.max.ms) throw new FlagValueError(o.max.tooLong(text))
    return new Duration(text, ms)
  }

  return Flags.custom<Duration>({
    summary: o.summary,
    description: o.description,
    default: toDuration(o.default),
    parse: async (text) => toDuration(text),
  })()
}
