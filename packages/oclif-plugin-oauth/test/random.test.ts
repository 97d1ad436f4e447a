import assert from 'node:assert/strict'
import {test} from 'node:test'

import {createState, randomBase64Url, statesMatch} from '../src/random.js'

test('a state is 32 random bytes in base64url (43 characters, no padding)', () => {
  const state = createState()
  assert.match(state, /^[A-Za-z0-9_-]{43}$/)
  assert.equal(Buffer.from(state, 'base64url').length, 32)
})

test('states differ per attempt', () => {
  const states = new Set(Array.from({length: 1000}, () => createState()))
  assert.equal(states.size, 1000)
})

test('randomBase64Url honours the byte count', () => {
  assert.equal(Buffer.from(randomBase64Url(16), 'base64url').length, 16)
})

test('statesMatch accepts only the identical value', () => {
  const state = createState()
  assert.equal(statesMatch(state, state), true)
  assert.equal(statesMatch(state, `${state}x`), false)
  assert.equal(statesMatch(state, state.slice(0, -1)), false)
  assert.equal(statesMatch(state, createState()), false)
  assert.equal(statesMatch(state, ''), false)
  assert.equal(statesMatch(state, null), false)
  assert.equal(statesMatch(state, undefined), false)
})
