// Errors of the Strava client. Each carries the exit code from the README's contract, so the command
// only has to print the sentence: 3 login or app problem, 4 rate limit, 5 Strava unreachable.
import {ExitCodeError} from 'oclif-plugin-oauth/errors'

export abstract class StravaError extends ExitCodeError {
  constructor(message: string, suggestions?: string[]) {
    super(message, {suggestions})
  }
}

/** Strava does not accept the login or the app behind it: only the user can fix it (exit 3). */
export class StravaAuthError extends StravaError {
  readonly exitCode = 3
}

/** A rate limit that waiting within --max-wait does not get past (exit 4). */
export class RateLimitError extends StravaError {
  readonly exitCode = 4

  constructor(
    message: string,
    readonly window: 'short' | 'daily',
    readonly retryAt: Date,
  ) {
    super(message)
  }
}

/** Server errors, network errors and broken bodies that outlived the retries (exit 5). */
export class StravaUnavailableError extends StravaError {
  readonly exitCode = 5

  constructor(
    message: string,
    readonly attempts: number,
  ) {
    super(message)
  }
}

/** Any other answer Strava refuses with: 1 when it is a bug here, 2 when the request was the user's (400). */
export class StravaRequestError extends StravaError {
  readonly exitCode: number

  constructor(
    message: string,
    readonly status: number,
    suggestions?: string[],
  ) {
    super(message, suggestions)
    this.exitCode = status === 400 ? 2 : 1
  }
}
