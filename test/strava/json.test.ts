import assert from 'node:assert/strict'
import {test} from 'node:test'

import {parseStravaJson} from '../../src/strava/json.js'

test('keeps every digit of ids beyond 2^53 in id_str, on nested objects too', () => {
  const parsed = parseStravaJson(
    '[{"id": 12345678987654321987, "name": "Run", "athlete": {"id": 9007199254740993}, "map": {"id": "a12"}}, {"id": 7}]',
  ) as {id: number; id_str?: string; athlete: {id_str?: string}; map: {id_str?: string}}[]
  assert.equal(parsed[0].id_str, '12345678987654321987')
  assert.notEqual(String(parsed[0].id), '12345678987654321987', 'JSON numbers alone would lose the digits')
  assert.equal(parsed[0].athlete.id_str, '9007199254740993')
  assert.equal(parsed[0].map.id_str, undefined, 'string ids are exact already')
  assert.equal(parsed[1].id_str, '7')
})

test('throws on a cut-off body', () => {
  assert.throws(() => parseStravaJson('[{"id": 1, "name": "Ru'), SyntaxError)
})

test('gives short ids the same id_str without the reviver, on nested objects too', () => {
  const parsed = parseStravaJson(
    '[{"id": 10000000071, "athlete": {"id": 134815}, "map": {"id": "a12"}, "laps": [{"id": 3}]}, {"id": -1}]',
  ) as {id: number; id_str?: string; athlete: {id_str?: string}; map: {id_str?: string}; laps: {id_str?: string}[]}[]
  assert.equal(parsed[0].id_str, '10000000071')
  assert.equal(parsed[0].id, 10000000071)
  assert.equal(parsed[0].athlete.id_str, '134815')
  assert.equal(parsed[0].map.id_str, undefined)
  assert.equal(parsed[0].laps[0].id_str, '3')
  assert.equal(parsed[1].id_str, undefined, 'the reviver keeps digits only, so no id_str for a negative id')
})
