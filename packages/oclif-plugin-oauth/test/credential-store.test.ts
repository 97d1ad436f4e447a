import assert from 'node:assert/strict'
import {execFile} from 'node:child_process'
import {chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'
import {promisify} from 'node:util'

import {FileStore, KeyringStore, KeyringUnavailableError, storeFor, storeWording} from '../src/credential-store.js'
import {envCredentials} from '../src/env-credentials.js'
import {
  clearKeyringService,
  keyringCredentials,
  secretServiceSkipReason,
  uniqueKeyringService,
} from './support/keyring.js'
import {examplePreset, exampleSecrets as secrets} from './support/example-preset.js'

describe('FileStore (--insecure-storage)', () => {
  let dir: string
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'weeknotes-filestore-'))
  })
  after(async () => {
    await rm(dir, {recursive: true, force: true})
  })

  it('keeps records in credentials.json with mode 0600, atomically, and warns once per store', async () => {
    const warnings: string[] = []
    const store = new FileStore({configDir: dir, warn: (message) => warnings.push(message)})
    assert.equal(await store.get('strava:1'), undefined)
    await store.set('strava:1', secrets)
    await store.set('strava:2', {...secrets, refreshToken: 'other-refresh-token'})
    const path = join(dir, 'credentials.json')
    assert.equal((await stat(path)).mode & 0o777, 0o600)
    assert.deepEqual(JSON.parse(await readFile(path, 'utf8'))['strava:1'], secrets)
    assert.deepEqual(await readdir(dir), ['credentials.json'], 'no temporary files left behind')
    assert.deepEqual(await new FileStore({configDir: dir}).get('strava:1'), secrets)
    assert.equal(warnings.length, 1)
    assert.match(warnings[0], /unencrypted.*credentials\.json/)
  })

  it('deletes records and the file with the last one', async () => {
    const store = new FileStore({configDir: dir})
    assert.equal(await store.delete('strava:1'), true)
    assert.equal(await store.delete('strava:1'), false)
    assert.equal(await store.get('strava:1'), undefined)
    assert.equal((await store.get('strava:2'))?.refreshToken, 'other-refresh-token')
    assert.equal(await store.delete('strava:2'), true)
    await assert.rejects(stat(join(dir, 'credentials.json')), {code: 'ENOENT'})
  })

  it(
    'tightens a pre-existing config directory and credentials file open to others to 0700/0600, saying so',
    {skip: process.platform === 'win32' && 'no POSIX modes'},
    async () => {
      const configDir = join(dir, 'loose')
      await mkdir(configDir, {mode: 0o755})
      await chmod(configDir, 0o755)
      const path = join(configDir, 'credentials.json')
      await writeFile(path, JSON.stringify({'strava:1': secrets}), {mode: 0o644})
      await chmod(path, 0o644)
      const warnings: string[] = []
      const store = new FileStore({configDir, warn: (message) => warnings.push(message)})
      assert.deepEqual(await store.get('strava:1'), secrets)
      assert.equal((await stat(configDir)).mode & 0o777, 0o700)
      assert.equal((await stat(path)).mode & 0o777, 0o600)
      assert.ok(
        warnings.some((warning) => warning.includes(`${configDir} was open to other users (mode 755); it is now 700`)),
      )
      assert.ok(
        warnings.some((warning) => warning.includes(`${path} was open to other users (mode 644); it is now 600`)),
      )
    },
  )

  it('reports a damaged file plainly without echoing its content', async () => {
    await writeFile(join(dir, 'credentials.json'), '{"strava:1": {"refreshToken": "leaky-token-value-123456"')
    const error = await new FileStore({configDir: dir}).get('strava:1').catch((caught: Error) => caught)
    assert.ok(error instanceof Error)
    assert.match(error.message, /damaged/)
    assert.doesNotMatch(error.message, /leaky-token/)
    await rm(join(dir, 'credentials.json'))
  })
})

describe('KeyringStore', () => {
  it('turns a keyring that never answers into KeyringUnavailableError after the timeout', async () => {
    const hanging = {
      AsyncEntry: class {
        getPassword = () => new Promise(() => {})
      },
    }
    const wording = storeWording(examplePreset, {})
    const store = new KeyringStore({
      service: 'notes-test',
      env: {},
      timeoutMs: 50,
      loadModule: async () => hanging as never,
      wording,
    })
    await assert.rejects(store.get('strava:1'), (error: unknown) => {
      assert.ok(error instanceof KeyringUnavailableError)
      assert.equal(error.exitCode, 3)
      assert.match(error.message, /did not answer/)
      assert.equal(error.suggestions?.length, 4)
      return true
    })
  })

  it('names the choices when no Secret Service is reachable (a child process without D-Bus)', async () => {
    const script = `
      import {storeFor} from '${new URL('../src/credential-store.ts', import.meta.url).href}'
      import {examplePreset} from '${new URL('./support/example-preset.ts', import.meta.url).href}'
      const env = {...process.env, NOTES_KEYRING_SERVICE: 'notes-test-nodbus'}
      try { await storeFor('keyring', {configDir: '/nowhere', preset: examplePreset, env}).ensureWritable(); console.log('writable') }
      catch (error) { console.log(JSON.stringify({name: error.name, exitCode: error.exitCode, message: error.message, suggestions: error.suggestions})) }
    `
    const {stdout} = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script],
      {env: {...process.env, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/weeknotes-bus'}, timeout: 30_000},
    )
    const result = JSON.parse(stdout.trim().split('\n').pop()!)
    assert.equal(result.name, 'KeyringUnavailableError')
    assert.equal(result.exitCode, 3)
    assert.match(result.message, /No usable system keyring/)
    // The binding itself only says "AccessDenied".
    assert.match(result.message, /no D-Bus session: nothing at \/nonexistent\/weeknotes-bus/)
    const choices = result.suggestions.join(' ')
    assert.match(choices, /Secret Service/)
    assert.match(choices, /--insecure-storage/)
    assert.match(choices, /Run notes inside a desktop session/)
    assert.match(choices, /NOTES_STORE_KEY to a key from `notes login key`/)
    assert.match(choices, /NOTES_CLIENT_ID, NOTES_CLIENT_SECRET and NOTES_REFRESH_TOKEN/)
  })

  it('stores, replaces, reads and deletes one record per login in the real Secret Service', async (t) => {
    const skip = await secretServiceSkipReason()
    if (skip) return t.skip(skip)
    const service = uniqueKeyringService('store')
    const store = new KeyringStore({service, env: {}})
    try {
      await store.ensureWritable()
      assert.deepEqual(await keyringCredentials(service), [], 'the write probe leaves nothing behind')
      await store.set('strava:12345', secrets)
      await store.set('strava:12345', {...secrets, refreshToken: 'rotated-refresh-token-0123456789'})
      assert.deepEqual(await store.get('strava:12345'), {...secrets, refreshToken: 'rotated-refresh-token-0123456789'})
      assert.deepEqual(
        (await keyringCredentials(service)).map(({account}) => account),
        ['strava:12345'],
      )
      assert.equal(await store.delete('strava:12345'), true)
      assert.equal(await store.get('strava:12345'), undefined)
      assert.equal(await store.delete('strava:12345'), false)
    } finally {
      await clearKeyringService(service)
    }
  })

  it("takes its service name from the preset's variable, else the preset's service", () => {
    const service = (env: NodeJS.ProcessEnv) =>
      (storeFor('keyring', {configDir: '/nowhere', preset: examplePreset, env}) as KeyringStore).service
    assert.equal(service({NOTES_KEYRING_SERVICE: 'custom'}), 'custom')
    assert.equal(service({}), 'notes')
  })
})

describe('envCredentials (CI mode)', () => {
  it('reads the three variables and treats blank ones as absent', () => {
    assert.deepEqual(
      envCredentials(
        {NOTES_CLIENT_ID: '12345', NOTES_CLIENT_SECRET: ' ', NOTES_REFRESH_TOKEN: 'refresh'},
        examplePreset.env,
      ),
      {clientId: '12345', clientSecret: undefined, refreshToken: 'refresh'},
    )
  })
})
