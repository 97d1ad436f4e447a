import {createHash, randomBytes, timingSafeEqual} from 'node:crypto'

/** `bytes` random bytes, base64url without padding: the form RFC 7636 and RFC 9700 ask for. */
export function randomBase64Url(bytes = 32): string {
  return randomBytes(bytes).toString('base64url')
}

/** A fresh `state` for one authorization attempt (256 bits, so it cannot be guessed or replayed). */
export function createState(): string {
  return randomBase64Url(32)
}

/**
 * Compares a received `state` with the expected one in constant time. Both sides are hashed first,
 * so neither the content nor the length of the expected value leaks through timing.
 */
export function statesMatch(expected: string, received: string | null | undefined): boolean {
  if (typeof received !== 'string' || received === '') return false
  const digest = (value: string) => createHash('sha256').update(value).digest()
  return timingSafeEqual(digest(expected), digest(received)) && expected.length === received.length
}
