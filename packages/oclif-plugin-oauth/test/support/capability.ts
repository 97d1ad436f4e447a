/**
 * A missing capability (no Chromium, no Secret Service) skips the tests that need it on a developer's
 * machine, but CI sets the matching WEEKNOTES_REQUIRE_* variable so that a silently skipped suite
 * cannot pass for a working one.
 */
export function skipReasonOrFail(reason: string, requireVariable: string): string {
  if (process.env[requireVariable] === '1') {
    throw new Error(`${reason} (failing instead of skipping because ${requireVariable}=1)`)
  }

  return reason
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
