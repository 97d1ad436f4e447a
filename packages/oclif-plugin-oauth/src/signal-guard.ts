import {constants} from 'node:os'

import {ExitCodeError} from './errors.js'

/** Ctrl-C, a kill from cron, CI or systemd, and a closed terminal (an SSH session that dropped). */
const DEFERRED = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const
type DeferredSignal = (typeof DEFERRED)[number]

/** Stopped by a signal: 128 + the signal's number, as shells report it (130 for Ctrl-C, 143 for SIGTERM). */
export class InterruptedError extends ExitCodeError {
  readonly exitCode: number
  constructor(message: string, signal: DeferredSignal) {
    super(message)
    this.exitCode = exitCodeOf(signal)
  }
}

const exitCodeOf = (signal: DeferredSignal) => 128 + constants.signals[signal]

export interface SignalDeferralOptions {
  warn: (message: string) => void
  /** What to do when a second signal stopped the run before the renewed login was saved. */
  recovery: string
}

/**
 * Runs a login renewal with Ctrl-C, SIGTERM and SIGHUP held back until it settles: a rotating refresh
 * token spent at the server and its successor not yet saved would lose the login. The first signal
 * is noted and announced; once the renewal is done, an InterruptedError (exit 130, 143 or 129) ends
 * the run. A second signal stops the process at once, with a warning of what that costs.
 */
export async function withSignalsDeferred<T>(o: SignalDeferralOptions, action: () => Promise<T>): Promise<T> {
  let received: DeferredSignal | undefined
  const onSignal = (signal: DeferredSignal) => {
    if (received) {
      o.warn(`Stopped before the renewed login was saved, so the saved login may no longer work. ${o.recovery}`)
      process.exit(exitCodeOf(signal))
    }

    received = signal
    o.warn(
      'Interrupted while renewing the login: stopping as soon as the new tokens are saved. Press Ctrl-C again to stop at once (the saved login may then be lost).',
    )
  }

  for (const signal of DEFERRED) process.on(signal, onSignal)
  let result: T
  try {
    result = await action()
  } finally {
    for (const signal of DEFERRED) process.off(signal, onSignal)
  }

  if (received) throw new InterruptedError('Interrupted; the renewed login was saved first.', received)
  return result
}
