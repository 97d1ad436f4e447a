import {createHash} from 'node:crypto'

import {randomBase64Url} from './random.js'

export interface PkcePair {
  verifier: string
  challenge: string
  method: 'S256'
}

/** RFC 7636 §4.2: the S256 challenge is base64url(SHA-256(ASCII(verifier))) without padding. */
export function pkceChallenge(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url')
}

/** A verifier from 32 random bytes (43 characters, as RFC 7636 §4.1 recommends) and its S256 challenge. */
export function createPkcePair(): PkcePair {
  const verifier = randomBase64Url(32)
  return {verifier, challenge: pkceChallenge(verifier), method: 'S256'}
}
