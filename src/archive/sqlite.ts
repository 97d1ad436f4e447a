// node:sqlite, loaded without its ExperimentalWarning: Node 22.13 to 23 print one when the module loads
// (24.x does not), and a cron job's mail or a user's terminal is no place for it. Only that warning is
// dropped, only while the module loads; every other warning goes through as usual.
import {createRequire} from 'node:module'

type SqliteModule = typeof import('node:sqlite')

const require = createRequire(import.meta.url)
let loaded: SqliteModule | undefined

export function loadSqlite(): SqliteModule {
  if (loaded) return loaded
  const emitWarning = process.emitWarning
  process.emitWarning = function (this: unknown, warning: string | Error, ...rest: unknown[]) {
    const text = typeof warning === 'string' ? warning : warning.message
    const type = typeof rest[0] === 'string' ? rest[0] : (rest[0] as {type?: string} | undefined)?.type
    const name = typeof warning === 'string' ? type : warning.name
    if (name === 'ExperimentalWarning' && /sqlite/i.test(text)) return
    return (emitWarning as (...args: unknown[]) => void).call(process, warning, ...rest)
  } as typeof process.emitWarning
  try {
    loaded = require('node:sqlite') as SqliteModule
  } finally {
    process.emitWarning = emitWarning
  }

  return loaded
}
