import assert from 'node:assert/strict'
import {mkdtemp, readdir, readFile, rm, stat, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, it} from 'node:test'

import {type CredentialStore, storeFor} from '../src/credential-store.js'
import {readStoreKey} from '../src/env-credentials.js'
import {newStoreKey} from '../src/sealed-file.js'
import {examplePreset, exampleSecrets as secrets} from './support/example-preset.js'

let dir: string
let path: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'oauth-sealed-'))
  path = join(dir, 'credentials.sealed')
})
afterEach(async () => {
  await rm(dir, {recursive: true, force: true})
})

const sealedStore = (env: NodeJS.ProcessEnv): CredentialStore =>
  storeFor('sealed', {configDir: dir, env, preset: examplePreset})
const withKey = (key: string) => sealedStore({NOTES_STORE_KEY: key})

/** Every way of using the store fails with exit 3 and `pattern`, and the file keeps every byte. */
async function assertRefusedUntouched(store: CredentialStore, pattern: RegExp): Promise<string> {
  const before = await readFile(path)
  let message = ''
  for (const attempt of [
    () => store.get('strava:1'),
    () => store.set('strava:1', {...secrets, refreshToken: 'replacement-refresh-token-0123'}),
    () => store.delete('strava:1'),
    () => store.ensureWritable(),
  ]) {
    await assert.rejects(attempt(), (error: Error & {exitCode?: number}) => {
      assert.equal(error.exitCode, 3, error.message)
      assert.match(error.message, pattern)
      message = error.message
      return true
    })
  }

  assert.deepEqual(await readFile(path), before, 'the sealed file changed')
  assert.deepEqual(await readdir(dir), ['credentials.sealed'], 'no temporary file left behind')
  return message
}

describe('SealedStore (NOTES_STORE_KEY)', () => {
  it('round-trips records with a generated key: mode 0600, no clear text, a fresh nonce per write', async () => {
    const key = newStoreKey()
    assert.match(key, /^[A-Za-z0-9_-]{43}$/)
    const store = withKey(key)
    assert.equal(await store.get('strava:1'), undefined)
    await store.set('strava:1', secrets)
    const first = await readFile(path)
    await store.set('strava:1', secrets)
    const second = await readFile(path)

    assert.equal((await stat(path)).mode & 0o777, 0o600)
    assert.deepEqual(await readdir(dir), ['credentials.sealed'])
    assert.deepEqual(await withKey(key).get('strava:1'), secrets, 'a new store instance opens it')
    for (const bytes of [first, second]) {
      const text = bytes.toString('latin1')
      for (const value of [secrets.clientSecret!, secrets.refreshToken, secrets.accessToken!, 'strava:1']) {
        assert.ok(!text.includes(value), `${value} in clear text`)
      }
    }

    assert.equal(first.subarray(0, 4).toString('ascii'), 'WNSL')
    assert.equal(first[4], 1, 'format version byte')
    assert.equal(first[5], 1, 'key kind: a key used as is')
    assert.deepEqual(first.subarray(6, 22), second.subarray(6, 22), 'salt kept')
    assert.notDeepEqual(first.subarray(22, 34), second.subarray(22, 34), 'nonce fresh per write')
  })

  it('takes a hex key as is and puts a passphrase through scrypt with the stored salt', async () => {
    await withKey('ab'.repeat(32)).set('strava:1', secrets)
    assert.equal((await readFile(path))[5], 1)
    assert.deepEqual(await withKey('AB'.repeat(32)).get('strava:1'), secrets)
    await rm(path)

    await withKey('correct horse battery staple').set('strava:1', secrets)
    assert.equal((await readFile(path))[5], 2, 'key kind: passphrase')
    assert.deepEqual(await withKey('correct horse battery staple').get('strava:1'), secrets)
  })

  it('deletes the file with its last record', async () => {
    const store = withKey(newStoreKey())
    await store.set('strava:1', secrets)
    assert.equal(await store.delete('strava:1'), true)
    assert.equal(await store.delete('strava:1'), false)
    await assert.rejects(stat(path), {code: 'ENOENT'})
  })

  it('refuses a wrong key with one sentence, exit 3, and leaves the file as it was', async () => {
    await withKey(newStoreKey()).set('strava:1', secrets)
    const message = await assertRefusedUntouched(withKey(newStoreKey()), /does not open .*credentials\.sealed/)
    assert.match(message, /^The key in NOTES_STORE_KEY does not open [^\n]+\.$/)
    assert.equal(message.split('; ').length, 2)
    await assertRefusedUntouched(withKey('a wrong passphrase, long enough'), /does not open/)
  })

  it('refuses a damaged file (one flipped byte anywhere) and leaves it as it was', async () => {
    const key = newStoreKey()
    await withKey(key).set('strava:1', secrets)
    const good = await readFile(path)
    for (const offset of [0, 10, 25, 40, good.length - 1]) {
      const damaged = Buffer.from(good)
      damaged[offset] ^= 0x01
      await writeFile(path, damaged)
      await assertRefusedUntouched(withKey(key), offset === 0 ? /is damaged/ : /does not open|is damaged/)
    }

    await writeFile(path, good.subarray(0, 30))
    await assertRefusedUntouched(withKey(key), /is damaged/)
  })

  it('refuses a file from a newer format and says to update', async () => {
    const key = newStoreKey()
    await withKey(key).set('strava:1', secrets)
    const newer = await readFile(path)
    newer[4] = 2
    await writeFile(path, newer)
    await assertRefusedUntouched(withKey(key), /written by a newer notes.*update notes/)
  })

  it('without a key says which variable to set, and leaves the file as it was', async () => {
    await withKey(newStoreKey()).set('strava:1', secrets)
    const message = await assertRefusedUntouched(sealedStore({NOTES_STORE_KEY: ''}), /is sealed/)
    assert.match(message, /set NOTES_STORE_KEY \(or NOTES_STORE_KEY_FILE/)
  })

  it('refuses to seal with a short passphrase (exit 2), already when a login checks the store, and writes nothing', async () => {
    for (const attempt of [() => withKey('short').ensureWritable(), () => withKey('short').set('strava:1', secrets)]) {
      await assert.rejects(attempt(), (error: Error & {exitCode?: number}) => {
        assert.equal(error.exitCode, 2)
        assert.match(error.message, /too short.*notes login key/)
        return true
      })
    }
    assert.deepEqual(await readdir(dir), [])
  })
})

describe('readStoreKey', () => {
  it('reads NOTES_STORE_KEY_FILE, trimming the newline, and names the file (never the key) in errors', async () => {
    const file = join(dir, 'key')
    const key = newStoreKey()
    await writeFile(file, `${key}\n`, {mode: 0o600})
    assert.deepEqual(await readStoreKey({NOTES_STORE_KEY_FILE: file}, examplePreset.env), {
      text: key,
      source: `the key file ${file} (NOTES_STORE_KEY_FILE)`,
    })
    assert.equal(await readStoreKey({NOTES_STORE_KEY: ' ', NOTES_STORE_KEY_FILE: ''}, examplePreset.env), undefined)
    await assert.rejects(readStoreKey({NOTES_STORE_KEY_FILE: join(dir, 'missing')}, examplePreset.env), {
      exitCode: 3,
      message: `The key file ${join(dir, 'missing')} (NOTES_STORE_KEY_FILE) cannot be read (ENOENT).`,
    })
    await assert.rejects(readStoreKey({NOTES_STORE_KEY: key, NOTES_STORE_KEY_FILE: file}, examplePreset.env), {
      exitCode: 2,
    })
  })
})
