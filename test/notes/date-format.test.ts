import assert from 'node:assert/strict'
import {createRequire} from 'node:module'
import {describe, it} from 'node:test'

import {formatDate} from '../../src/notes/helpers.js'

const {format} = createRequire(import.meta.url)('date-fns/format') as typeof import('date-fns/format')

// formatDate formats the default template's patterns itself, without loading date-fns: it must say
// exactly what date-fns says for them.
describe('formatDate without date-fns', () => {
  const patterns = ['yyyy-MM-dd', 'yyyy-MM', 'yyyy', 'd', 'dd', 'd MMMM', 'd MMMM yyyy', 'HH:mm', 'yyyy-MM-dd HH:mm']
  const instants = ['2024-01-01T00:00:00Z', '2024-03-04T07:05:00Z', '2024-12-31T23:59:00Z', '0999-07-09T12:00:00Z']

  it('matches date-fns for every plain pattern', () => {
    for (const instant of instants) {
      const utc = new Date(instant)
      // date-fns formats local fields; a date whose local fields are the instant's UTC fields compares like for like.
      const local = new Date(
        utc.getUTCFullYear(),
        utc.getUTCMonth(),
        utc.getUTCDate(),
        utc.getUTCHours(),
        utc.getUTCMinutes(),
      )
      local.setFullYear(utc.getUTCFullYear())
      for (const pattern of patterns) {
        assert.equal(formatDate(instant, pattern), format(local, pattern), `${instant} ${pattern}`)
      }
    }
  })

  it('still hands other patterns to date-fns', () => {
    assert.equal(formatDate('2024-03-04T07:05:00', 'EEE d MMM'), 'Mon 4 Mar')
    assert.equal(formatDate('2024-03-04', "yyyy 'week' I"), '2024 week 10')
  })
})
