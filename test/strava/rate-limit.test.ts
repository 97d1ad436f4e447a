import assert from 'node:assert/strict'
import {test} from 'node:test'

import {
  dailyLimitReached,
  describeUsage,
  nextQuarterHour,
  nextUtcMidnight,
  parseRateLimits,
} from '../../src/strava/rate-limit.js'

test('reads both header pairs whatever their case', () => {
  const headers = new Headers({
    'X-RATELIMIT-LIMIT': '200,2000',
    'x-ratelimit-usage': '12, 40',
    'X-ReadRateLimit-Limit': '100,1000',
    'X-ReadRateLimit-Usage': '12,1000',
  })
  const state = parseRateLimits(headers)
  assert.deepEqual(state.overall, {short: {limit: 200, usage: 12}, daily: {limit: 2000, usage: 40}})
  assert.deepEqual(state.read, {short: {limit: 100, usage: 12}, daily: {limit: 1000, usage: 1000}})
  assert.equal(dailyLimitReached(state), true)
  assert.equal(describeUsage(state), 'rate limit 15min 12/200, daily 40/2000; read 15min 12/100, daily 1000/1000')
})

test('missing or malformed headers leave the state empty and no daily stop', () => {
  const state = parseRateLimits(new Headers({'x-ratelimit-limit': 'lots', 'x-ratelimit-usage': '1,2'}))
  assert.deepEqual(state, {overall: undefined, read: undefined})
  assert.equal(dailyLimitReached(state), false)
})

test('quarter hours and midnight in UTC', () => {
  assert.equal(nextQuarterHour(Date.parse('2024-03-11T14:37:12Z')).toISOString(), '2024-03-11T14:45:00.000Z')
  assert.equal(nextQuarterHour(Date.parse('2024-03-11T14:45:00Z')).toISOString(), '2024-03-11T15:00:00.000Z')
  assert.equal(nextQuarterHour(Date.parse('2024-12-31T23:59:59Z')).toISOString(), '2025-01-01T00:00:00.000Z')
  assert.equal(nextUtcMidnight(Date.parse('2024-02-29T23:10:00Z')).toISOString(), '2024-03-01T00:00:00.000Z')
})
