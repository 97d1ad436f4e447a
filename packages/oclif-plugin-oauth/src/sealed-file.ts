import {createCipheriv, createDecipheriv, randomBytes, scrypt, type ScryptOptions} from 'node:crypto'

/**
 * The sealed credential file's bytes (format version 1; the README documents it):
 *
 *   0..3    magic "WNSL"
 *   4       format version (1)
 *   5       key kind: 1 = a 32-byte key used as is, 2 = a passphrase through scrypt (N=2^15, r=8, p=1)
 *   6..21   scrypt salt (random per file; present but unused with kind 1)
 *   22..33  AES-256-GCM nonce (random per write)
 *   34..49  GCM authentication tag
 *   50..    ciphertext of the UTF-8 JSON document
 *
 * Bytes 0..33 are the GCM additional data, so a changed header fails authentication like a changed
 * ciphertext does.
 */
export const SEALED_FORMAT_VERSION = 1
const MAGIC = Buffer.from('WNSL', 'ascii')
const KIND_RAW = 1
const KIND_PASSPHRASE = 2
const SALT_BYTES = 16
const NONCE_BYTES = 12
const TAG_BYTES = 16
const HEADER_BYTES = MAGIC.length + 2 + SALT_BYTES + NONCE_BYTES
// 32 MiB of memory and about 0.1 s per derivation: costly to guess at, cheap once per run.
const SCRYPT_OPTIONS: ScryptOptions = {N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024}
export const MIN_PASSPHRASE_LENGTH = 12

/** Why a sealed file could not be opened; the store turns it into a sentence naming the file and the key. */
export class UnsealError extends Error {
  constructor(readonly reason: 'damaged' | 'newer' | 'wrong-key') {
    super(reason)
  }
}

/** A derived AES-256 key with what is needed to write a file it opens again. */
export interface SealingKey {
  kind: number
  salt: Buffer
  key: Buffer
}

/** A fresh random key for the store, printed once by the CLI: 32 bytes in base64url (43 characters). */
export function newStoreKey(): string {
  return randomBytes(32).toString('base64url')
}

/** 32 bytes written as 64 hex digits or as (url-safe) base64; anything else is a passphrase. */
function rawKeyOf(text: string): Buffer | undefined {
  if (/^[0-9a-f]{64}$/i.test(text)) return Buffer.from(text, 'hex')
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(text)) return Buffer.from(text, 'base64')
  return undefined
}

export function isPassphrase(text: string): boolean {
  return rawKeyOf(text) === undefined
}

function deriveScrypt(text: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(text.normalize('NFC'), salt, 32, SCRYPT_OPTIONS, (error, key) => (error ? reject(error) : resolve(key))),
  )
}

/** The key for a new file: the key text's own kind, a fresh salt. */
export async function newSealingKey(text: string): Promise<SealingKey> {
  const salt = randomBytes(SALT_BYTES)
  const raw = rawKeyOf(text)
  if (raw) return {kind: KIND_RAW, salt, key: raw}
  return {kind: KIND_PASSPHRASE, salt, key: await deriveScrypt(text, salt)}
}

/** Encrypts the whole document in memory: the caller writes the result in one atomic step. */
export function seal(document: unknown, key: SealingKey): Buffer {
  const header = Buffer.concat([
    MAGIC,
    Buffer.from([SEALED_FORMAT_VERSION, key.kind]),
    key.salt,
    randomBytes(NONCE_BYTES),
  ])
  const cipher = createCipheriv('aes-256-gcm', key.key, header.subarray(HEADER_BYTES - NONCE_BYTES))
  cipher.setAAD(header)
  const ciphertext = Buffer.concat([cipher.update(JSON.stringify(document), 'utf8'), cipher.final()])
  return Buffer.concat([header, cipher.getAuthTag(), ciphertext])
}

/** Opens a sealed file with the key text, or throws UnsealError saying why not. */
export async function unseal(bytes: Buffer, text: string): Promise<{document: unknown; key: SealingKey}> {
  if (bytes.length < HEADER_BYTES + TAG_BYTES || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new UnsealError('damaged')
  }

  const version = bytes[MAGIC.length]
  if (version > SEALED_FORMAT_VERSION) throw new UnsealError('newer')
  const kind = bytes[MAGIC.length + 1]
  if (version !== SEALED_FORMAT_VERSION || (kind !== KIND_RAW && kind !== KIND_PASSPHRASE)) {
    throw new UnsealError('damaged')
  }

  const salt = Buffer.from(bytes.subarray(MAGIC.length + 2, MAGIC.length + 2 + SALT_BYTES))
  const raw = kind === KIND_RAW ? rawKeyOf(text) : await deriveScrypt(text, salt)
  if (!raw) throw new UnsealError('wrong-key')
  const header = bytes.subarray(0, HEADER_BYTES)
  let plaintext: string
  try {
    const decipher = createDecipheriv('aes-256-gcm', raw, header.subarray(HEADER_BYTES - NONCE_BYTES))
    decipher.setAAD(header)
    decipher.setAuthTag(bytes.subarray(HEADER_BYTES, HEADER_BYTES + TAG_BYTES))
    const body = bytes.subarray(HEADER_BYTES + TAG_BYTES)
    plaintext = Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8')
  } catch {
    throw new UnsealError('wrong-key')
  }

  try {
    return {document: JSON.parse(plaintext) as unknown, key: {kind, salt, key: raw}}
  } catch {
    throw new UnsealError('damaged')
  }
}
