// The import runs in a worker thread with a small young generation. Reading thousands of activity files
// makes garbage fast (stream objects, zlib chunks, FIT messages), and on a machine with plenty of memory
// V8 then grows the main thread's heap to ~150 MiB though less than 20 MiB stays alive; a worker's
// resourceLimits keep it near what is alive (npm run bench: peak RSS for 5,000 activities). The old
// generation's cap is generous: it is there for a pathological file, not for normal work.
import {Worker} from 'node:worker_threads'

import {ExitCodeError} from 'oclif-plugin-oauth/errors'

import type {ImportResult} from './import.js'
import type {ExportProgress} from './reader.js'

export interface ImportRequest {
  path: string
  /** The archive to write; undefined for a dry run. */
  archivePath?: string
  timezone?: string
  /** Send progress messages (only when someone shows them). */
  progress?: boolean
}

/** An error as it crosses from the worker: what the main thread needs to say what went wrong and exit. */
export interface WorkerFailure {
  name: string
  message: string
  exitCode?: number
  suggestions?: string[]
  stack?: string
  /** A system error's code, path and call (ENOSPC writing the archive): the CLI says those in a sentence, exit 6. */
  code?: string
  path?: string
  syscall?: string
}

/** The worker's side: an error as a message can carry it (a structured clone would drop the extra fields). */
export function failureFrom(error: Error & Partial<WorkerFailure>): WorkerFailure {
  const {name, message, exitCode, suggestions, stack, code, path, syscall} = error
  return {name, message, exitCode, suggestions, stack, code, path, syscall}
}

export type WorkerMessage =
  | {type: 'progress'; progress: ExportProgress}
  | {type: 'done'; result: ImportResult}
  | {type: 'failed'; error: WorkerFailure}

const RESOURCE_LIMITS = {maxYoungGenerationSizeMb: 8, maxOldGenerationSizeMb: 512}

// Defined by the bundle's banner (scripts/bundle.js): a file beside dist/index.js; absent when run from the sources.
declare const __sourceUrl: ((place: string) => string) | undefined

/** The worker's module: dist/import-worker.js in the built CLI, the .ts beside this file from the sources (tests, tsx). */
const workerUrl =
  typeof __sourceUrl === 'function'
    ? new URL(__sourceUrl('import-worker.js'))
    : new URL('./import-worker.ts', import.meta.url)

/** An import error the worker threw with an exit code: same message, exit code and suggestions. */
class ImportFailure extends ExitCodeError {
  constructor(
    failure: WorkerFailure,
    readonly exitCode: number,
  ) {
    super(failure.message, {suggestions: failure.suggestions})
    this.name = failure.name
    this.stack = failure.stack
  }
}

/**
 * The worker's error on this side: one with an exit code stays one; a system error keeps its code and path
 * (so a full disk is told as such); anything else is a bug, passed on as such.
 */
export function failureOf(failure: WorkerFailure): Error {
  if (failure.exitCode !== undefined) return new ImportFailure(failure, failure.exitCode)
  const {code, path, syscall} = failure
  const error = Object.assign(new Error(failure.message), {code, path, syscall})
  error.name = failure.name
  error.stack = failure.stack
  return error
}

export function importInWorker(
  request: ImportRequest,
  onProgress?: (progress: ExportProgress) => void,
): Promise<ImportResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(workerUrl, {
      workerData: {...request, progress: onProgress !== undefined},
      resourceLimits: RESOURCE_LIMITS,
    })
    let settled = false
    worker.on('message', (message: WorkerMessage) => {
      if (message.type === 'progress') onProgress?.(message.progress)
      else {
        settled = true
        if (message.type === 'done') resolve(message.result)
        else reject(failureOf(message.error))
      }
    })
    worker.on('error', (error) => {
      settled = true
      reject(error)
    })
    worker.on('exit', (code) => {
      if (!settled) reject(new Error(`the import stopped unexpectedly (worker exit code ${code})`))
    })
  })
}
