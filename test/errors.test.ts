// One error type (issue 11): every error the host's layers throw for a user to read is the plugin's
// ExitCodeError or a subclass, so the base command maps one type to oclif's exit codes.
import assert from 'node:assert/strict'
import {test} from 'node:test'

import {ExitCodeError} from 'oclif-plugin-oauth/errors'

import {ArchiveDamagedError, ArchiveFileError, ArchiveTooNewError} from '../src/archive/errors.js'
import {ExportFormatError, ExportPathError} from '../src/archive/export/errors.js'
import {NothingArchivedError} from '../src/archive/source.js'
import {SyncInterruptedError} from '../src/archive/sync.js'
import {BackfillInterruptedError} from '../src/notes/generate-weeks.js'
import {GenerateUsageError} from '../src/notes/note-files.js'
import {OutputExistsError, OutputPathError} from '../src/notes/output.js'
import {TemplateError} from '../src/notes/render.js'
import {parseWeek, WeekInputError} from '../src/notes/week.js'
import {RateLimitError, StravaAuthError, StravaRequestError, StravaUnavailableError} from '../src/strava/errors.js'

const week = parseWeek('2024-W10', new Date('2024-06-01T12:00:00Z'))
const rateLimit = new RateLimitError('Daily limit.', 'daily', new Date('2024-06-02T00:00:00Z'))

const errors: [ExitCodeError, number][] = [
  [new ArchiveDamagedError('/a.sqlite', 'not a database'), 6],
  [new ArchiveFileError('/a.sqlite', 'read-only'), 6],
  [new ArchiveTooNewError('/a.sqlite', 9, 3), 6],
  [new ExportFormatError('Not an export.'), 2],
  [new ExportPathError('/x.zip', 'ENOENT'), 2],
  [new NothingArchivedError('The archive holds no activities yet.'), 2],
  [new SyncInterruptedError(rateLimit, {mode: 'first', pages: 1, listed: 200, added: 200}), 4],
  [new BackfillInterruptedError(rateLimit, [], week, week), 4],
  [new GenerateUsageError('Bad --filename.'), 2],
  [new OutputExistsError('note.md'), 2],
  [new OutputPathError('/dev/null', '/dev/null is a device.'), 2],
  [new TemplateError('The template does not compile.'), 2],
  [new WeekInputError('"2024-W99" is not a week.'), 2],
  [new StravaAuthError('Log in again.'), 3],
  [rateLimit, 4],
  [new StravaUnavailableError('Strava is down.', 3), 5],
  [new StravaRequestError('Bad request.', 400), 2],
  [new StravaRequestError('A bug.', 404), 1],
]

test("every host error is the plugin's ExitCodeError, with its contract's exit code and its own name", () => {
  for (const [error, exitCode] of errors) {
    assert.ok(error instanceof ExitCodeError, error.name)
    assert.equal(error.exitCode, exitCode, error.name)
    assert.equal(error.name, error.constructor.name)
    assert.ok(error.message.length > 0)
  }
})

test('suggestions travel: given ones are kept, an interrupted run keeps its cause’s', () => {
  const cause = new StravaAuthError('Log in again.', ['Run `weeknotes auth`.'])
  assert.deepEqual(cause.suggestions, ['Run `weeknotes auth`.'])
  const stopped = new SyncInterruptedError(cause, {mode: 'first', pages: 0, listed: 0, added: 0})
  assert.deepEqual(stopped.suggestions, ['Run `weeknotes auth`.'])
  assert.equal(stopped.exitCode, 3)
  assert.match(new OutputExistsError('note.md').suggestions[0], /--force/)
})
