import {ExitCodeError} from './errors.js'

/** Stopped by a signal: 128 + the signal's number, as shells report it (130 for Ctrl-C, 143 for SIGTERM). */
export class InterruptedError extends ExitCodeError {
  readonly exitCode: number
  constructor(message: string, signal: 'SIGINT' | 'SIGTERM') {
    super(message)
    this.exitCode = exitCodeOf(signal)
  }
}

const exitCodeOf = (signal: 'SIGINT' | 'SIGTERM') => (signal === 'SIGTERM' ? 143 : 130)

export interface SignalDeferralOptions {
  warn: (message: string) => void
  /** What to do when a second signal stopped the run before the renewed login was saved. */
  recovery: string
  /** Leaves the process at a second signal; tests pass one that records the code. */
  exit?: (code: number) => void
}

/**
 * Runs a login renewal with Ctrl-C and SIGTERM held back until it settles: a rotating refresh token
 * spent at the server and its successor not yet saved would lose the login. The first signal is
 * noted and announced; once the renewal is done, an InterruptedError (exit 130/143) ends the run. A
 * second signal stops the process at once, with a warning of what that costs.
 */
export async function withSignalsDeferred<T>(o: SignalDeferralOptions, action: () => Promise<T>): Promise<T> {
  let received: 'SIGINT' | 'SIGTERM' | undefined
  const onSignal = (signal: 'SIGINT' | 'SIGTERM') => {
    if (received) {
      o.warn(`Stopped before the renewed login was saved, so the saved login may no longer work. ${o.recovery}`)
      ;(o.exit ?? process.exit)(exitCodeOf(signal))
      return
    }

    received = signal
    o.warn(
      'Interrupted while renewing the login: stopping as soon as the new tokens are saved. Press Ctrl-C again to stop at once (the saved login may then be lost).',
    )
  }

  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  let result: T
  try {
    result = await action()
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }

  if (received) throw new InterruptedError('Interrupted; the renewed login was saved first.', received)
  return result
}
