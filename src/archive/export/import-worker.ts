// The import's worker thread (see import-in-worker.ts): opens the archive, imports, and reports progress,
// the result or the failure to the thread that started it.
import {parentPort, workerData} from 'node:worker_threads'

import {ActivityArchive} from '../archive.js'
import {importStravaExport} from './import.js'
import {failureFrom, type ImportRequest, type WorkerMessage} from './import-in-worker.js'

const request = workerData as ImportRequest
const post = (message: WorkerMessage) => parentPort!.postMessage(message)

async function run(): Promise<void> {
  const archive = request.archivePath === undefined ? undefined : ActivityArchive.open(request.archivePath)
  try {
    const result = await importStravaExport(request.path, archive, {
      timezone: request.timezone,
      dryRun: archive === undefined,
      onProgress: request.progress ? (progress) => post({type: 'progress', progress}) : undefined,
    })
    post({type: 'done', result})
  } finally {
    archive?.close()
  }
}

run().catch((error: Error) => post({type: 'failed', error: failureFrom(error)}))
