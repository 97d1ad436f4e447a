// An import error crosses from the worker thread as a message (src/archive/export/import-in-worker.ts): what
// reaches the CLI must still say what went wrong and with which exit code, as it would without a worker.
import assert from 'node:assert/strict'
import {test} from 'node:test'

import {ExitCodeError} from 'oclif-plugin-oauth/errors'

import {failureFrom, failureOf} from '../../../src/archive/export/import-in-worker.js'
import {describeLocalFailure} from '../../../src/local-io.js'

/** The way a worker's message travels: a structured clone. */
const acrossThreads = (error: Error) => failureOf(structuredClone(failureFrom(error)))

test('a full disk in the import worker is still a full disk: exit 6 and a sentence', () => {
  const full = Object.assign(new Error('ENOSPC: no space left on device, write'), {
    code: 'ENOSPC',
    path: '/data/weeknotes/archive.sqlite',
    syscall: 'write',
  })
  assert.deepEqual(describeLocalFailure(acrossThreads(full)), {
    exit: 6,
    message:
      'There is no space left on the disk to write /data/weeknotes/archive.sqlite. Free some space and run again.',
  })
})

test('an error with an exit code keeps it, its message and what to do; a bug stays a bug', () => {
  const refused = Object.assign(new Error('export.zip is not a Strava export.'), {
    exitCode: 2,
    suggestions: ['Name the ZIP file Strava sent.'],
  })
  const received = acrossThreads(refused)
  assert.ok(received instanceof ExitCodeError)
  assert.deepEqual(
    [received.exitCode, received.message, received.suggestions],
    [2, refused.message, refused.suggestions],
  )

  const bug = acrossThreads(new TypeError('x is undefined'))
  assert.ok(!(bug instanceof ExitCodeError))
  assert.equal(bug.name, 'TypeError')
  assert.equal(describeLocalFailure(bug), undefined)
})
