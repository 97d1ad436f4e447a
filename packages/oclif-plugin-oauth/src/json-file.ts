// The one way to read a JSON file (settings, credentials, a pending login, the host's small caches):
// read it, parse it, check its shape, and let the caller say what a damaged or unreadable file means.
import {readFileSync} from 'node:fs'
import {readFile} from 'node:fs/promises'

export interface JsonFileReading<T> {
  /** The parsed value as T; throws an Error whose message says what is wrong, which makes the file damaged. */
  check: (value: unknown) => T
  /** Not JSON, or not what `check` accepts: throw a sentence saying what to do next, or return a fallback. */
  damaged: (reason: string) => T | undefined
  /** There but not readable (permissions, I/O): throw, or return a fallback. */
  unreadable: (error: NodeJS.ErrnoException) => T | undefined
}

/** The file's value; undefined when there is no file (or when the caller's fallback says so). */
export async function readJsonFile<T>(path: string, o: JsonFileReading<T>): Promise<T | undefined> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    return missingOrUnreadable(error as NodeJS.ErrnoException, o)
  }

  return parseChecked(text, o)
}

/** readJsonFile for the few synchronous places (a decision made while a client is built). */
export function readJsonFileSync<T>(path: string, o: JsonFileReading<T>): T | undefined {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    return missingOrUnreadable(error as NodeJS.ErrnoException, o)
  }

  return parseChecked(text, o)
}

/** A `check` for files that hold one JSON object. */
export function asJsonObject(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not a JSON object')
  return value as Record<string, unknown>
}

function missingOrUnreadable<T>(error: NodeJS.ErrnoException, o: JsonFileReading<T>): T | undefined {
  return error.code === 'ENOENT' ? undefined : o.unreadable(error)
}

function parseChecked<T>(text: string, o: JsonFileReading<T>): T | undefined {
  let value: T
  try {
    value = o.check(JSON.parse(text))
  } catch (error) {
    return o.damaged((error as Error).message)
  }

  return value
}
