// Scopes in any separator (comma, space, or both) wherever weeknotes reads them: the redirect, the token
// response, the --scope flag (test/commands/auth.test.ts) and the stored config. Strava writes commas in
// the redirect and has started to send spaces in token responses.
import assert from 'node:assert/strict'
import {mkdtemp, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'

import {runAuthorizationCodeFlow} from 'oclif-plugin-oauth/authorization-code-flow'
import {readConfig} from 'oclif-plugin-oauth/config-file'

import {interpretRedirect} from 'oclif-plugin-oauth/redirect'
import {refreshGrant, splitScopes} from 'oclif-plugin-oauth/tokens'
import {startStravaEmulator, type StravaEmulator} from 'strava-emulator'
import {stravaProvider} from '../../src/strava/auth.js'

const separators = [
  'read,activity:read_all',
  'read activity:read_all',
  'read, activity:read_all',
  ' read ,activity:read_all ',
]

describe('scopes in any separator', () => {
  let emulator: StravaEmulator
  before(async () => {
    emulator = await startStravaEmulator({autoApprove: true, seed: 'empty'})
  })
  after(() => emulator.close())

  it('splitScopes reads commas, spaces or both', () => {
    for (const scope of separators) assert.deepEqual(splitScopes(scope), ['read', 'activity:read_all'], scope)
  })

  it('the redirect: the scope parameter in any separator', () => {
    for (const scope of separators) {
      const params = new URLSearchParams({state: 's', code: 'c', scope})
      assert.deepEqual(interpretRedirect(params, 's', {providerName: 'Strava'}), {
        kind: 'code',
        code: 'c',
        scopes: ['read', 'activity:read_all'],
      })
    }
  })

  for (const separator of [',', ' ', ', ']) {
    it(`the token responses of the emulator with scope joined by ${JSON.stringify(separator)}`, async () => {
      emulator.configure({tokenScopeSeparator: separator})
      try {
        const provider = stravaProvider(emulator.oauthUrl)
        const {id: clientId, secret: clientSecret} = emulator.client
        const grant = await runAuthorizationCodeFlow({
          provider,
          clientId,
          clientSecret,
          scopes: ['read', 'activity:read'],
          timeoutMs: 10_000,
          presentUrl: async (url) => void (await (await fetch(url)).text()),
        })
        assert.deepEqual(grant.scopes, ['read', 'activity:read'])
        const renewed = await refreshGrant({provider, clientId, clientSecret, refreshToken: grant.refreshToken!})
        assert.deepEqual(renewed.scopes, ['read', 'activity:read'], 'read from the refresh response itself')
      } finally {
        emulator.configure({tokenScopeSeparator: undefined})
      }
    })
  }

  it('the stored config: a scope string is read as a list', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'weeknotes-scopes-'))
    try {
      const session = {storage: 'file', account: 'strava:1', scopes: 'read activity:read_all'}
      await writeFile(join(dir, 'config.json'), JSON.stringify({clientId: '1', session}))
      assert.deepEqual((await readConfig(dir)).session?.scopes, ['read', 'activity:read_all'])
    } finally {
      await rm(dir, {recursive: true, force: true})
    }
  })
})
