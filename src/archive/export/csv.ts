// CSV records as raw arrays (csv-parse): quotes, commas, emoji and LF/CRLF inside quoted fields are
// handled there. Columns are never mapped by csv-parse, since several header names occur twice.
import type {Readable} from 'node:stream'

import {type Parser, parse} from 'csv-parse'

/** Rows of a CSV stream, header included, one array of strings each; `info.bytes` tells how far it has read. */
export function csvRows(stream: Readable): Parser {
  const parser = parse({
    bom: true,
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
  })
  stream.on('error', (error) => parser.destroy(error))
  return stream.pipe(parser)
}
