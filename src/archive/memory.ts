// A long sync makes a page of garbage per request (the response text, its objects, their JSON for the
// archive) and V8 grows its heap rather than collect it soon: about 130 MiB of RSS after 20,000
// activities, of which less than half is alive. A full collection every few pages keeps it flat, and a
// young generation that does not grow keeps the peak down.
import {setFlagsFromString} from 'node:v8'
import {runInNewContext} from 'node:vm'

let collect: (() => void) | undefined

/** Runs a full garbage collection (V8's `gc`, exposed once for this process). */
export function collectGarbage(): void {
  if (!collect) {
    setFlagsFromString('--expose-gc')
    collect = runInNewContext('gc') as () => void
  }

  collect()
}

/**
 * Keeps V8's young generation at the size it has now for the rest of the run. Objects that live through a
 * few collections (a page's activities until they are stored, a backfill's list) make V8 double its
 * semi-spaces, up to 16 MiB each: a 5,000-activity backfill peaked at 103 MiB of RSS, 89-95 MiB without the
 * growth, in the same CPU time (the collections are more frequent and as short).
 */
export function keepYoungGenerationSmall(): void {
  setFlagsFromString('--semi-space-growth-factor=1')
}
