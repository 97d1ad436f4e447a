import assert from 'node:assert/strict'
import {test} from 'node:test'

import {createPkcePair, pkceChallenge} from '../src/pkce.js'

test('S256 challenge matches RFC 7636 Appendix B', () => {
  assert.equal(
    pkceChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk'),
    'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
  )
})

test('a fresh pair has a 43-character verifier from 32 bytes and its S256 challenge', () => {
  const pair = createPkcePair()
  assert.match(pair.verifier, /^[A-Za-z0-9_-]{43}$/)
  assert.equal(Buffer.from(pair.verifier, 'base64url').length, 32)
  assert.equal(pair.challenge, pkceChallenge(pair.verifier))
  assert.equal(pair.method, 'S256')
  assert.notEqual(createPkcePair().verifier, pair.verifier)
})
