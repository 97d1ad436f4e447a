// A long sync makes a page of garbage per request (the response text, its objects, their JSON for the
// archive) and V8 grows its heap rather than collect it soon: about 130 MiB of RSS after 20,000
// activities, of which less than half is alive. A full collection every few pages keeps it flat.
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
