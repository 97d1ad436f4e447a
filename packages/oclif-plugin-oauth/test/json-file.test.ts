import assert from 'node:assert/strict'
import {mkdir, mkdtemp, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'

import {readConfig} from '../src/config-file.js'
import {FileStore, storeWording} from '../src/credential-store.js'
import {asJsonObject, type JsonFileReading, readJsonFile, readJsonFileSync} from '../src/json-file.js'
import {findPendingLogin} from '../src/pending-login.js'
import {examplePreset} from './support/example-preset.js'

/** What each outcome is told: fallbacks that name the outcome, so a test sees which one ran and why. */
const reading: JsonFileReading<string> = {
  check: (value) => JSON.stringify(asJsonObject(value)),
  damaged: (reason) => `damaged: ${reason}`,
  unreadable: (error) => `unreadable: ${error.code}`,
}

describe('readJsonFile / readJsonFileSync', () => {
  let root: string
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'oauth-json-file-'))
    await writeFile(join(root, 'ok.json'), '{"a": [1, 2]}\n')
    await writeFile(join(root, 'torn.json'), '{"a": [1')
    await writeFile(join(root, 'null.json'), 'null')
    await mkdir(join(root, 'dir.json'))
  })
  after(() => rm(root, {recursive: true, force: true}))

  for (const [name, read] of [
    ['async', readJsonFile],
    ['sync', readJsonFileSync],
  ] as const) {
    it(`${name}: the checked value, undefined for no file, the caller's answer for a damaged or unreadable one`, async () => {
      assert.equal(await read(join(root, 'ok.json'), reading), '{"a":[1,2]}')
      assert.equal(await read(join(root, 'missing.json'), reading), undefined)
      assert.match((await read(join(root, 'torn.json'), reading))!, /^damaged: .*JSON/)
      assert.equal(await read(join(root, 'null.json'), reading), 'damaged: not a JSON object')
      assert.equal(await read(join(root, 'dir.json'), reading), 'unreadable: EISDIR')
    })
  }

  it('each file says what to do with a damaged copy: settings and credentials stop, a pending login is passed over', async () => {
    const configDir = join(root, 'config')
    await mkdir(configDir)
    await writeFile(join(configDir, 'config.json'), '[1]')
    await assert.rejects(
      readConfig(configDir, examplePreset.cli),
      (error: Error & {exitCode: number; suggestions: string[]}) => {
        assert.equal(
          error.message,
          `The settings file ${join(configDir, 'config.json')} could not be read: not a JSON object.`,
        )
        assert.equal(error.exitCode, 3)
        assert.match(error.suggestions[0], /Fix or delete .*config\.json, then run `notes login` again\./)
        return true
      },
    )

    await writeFile(join(configDir, 'credentials.json'), '{"example:1": ')
    const wording = storeWording(examplePreset, {})
    await assert.rejects(
      new FileStore({configDir, wording}).get('example:1'),
      (error: Error & {suggestions: string[]}) => {
        assert.equal(error.message, `The credentials file ${join(configDir, 'credentials.json')} is damaged.`)
        assert.match(
          error.suggestions[0],
          /^Delete .*credentials\.json and run `notes login --insecure-storage` again\.$/,
        )
        return true
      },
    )

    await writeFile(join(configDir, 'pending-login.json'), 'null')
    assert.equal(await findPendingLogin([configDir], 'example:1', {refreshToken: 'r', scopes: []}), undefined)
  })
})
