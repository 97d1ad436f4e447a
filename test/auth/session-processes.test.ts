// Two processes renewing the same stored login at once: the refresh lock lets one of them call Strava.
import assert from 'node:assert/strict'
import {execFile} from 'node:child_process'
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'
import {promisify} from 'node:util'

import {writeConfig} from 'oclif-plugin-oauth/config-file'
import {FileStore} from 'oclif-plugin-oauth/credential-store'
import {startStravaEmulator, type StravaEmulator} from 'strava-emulator'

const account = 'strava:12345'

describe('TokenSession across processes', () => {
  let emulator: StravaEmulator
  let configDir: string
  before(async () => {
    emulator = await startStravaEmulator({seed: 'empty', reuseLiveAccessTokens: false})
    configDir = await mkdtemp(join(tmpdir(), 'weeknotes-session-race-'))
  })
  after(async () => {
    await emulator.close()
    await rm(configDir, {recursive: true, force: true})
  })

  it('two processes renewing an expired token at once make exactly one token call and agree on the token', async () => {
    const issued = emulator.issueTokens({scope: 'read,activity:read_all'})
    await new FileStore({configDir}).set(account, {
      clientSecret: emulator.client.secret,
      refreshToken: issued.refreshToken,
      accessToken: issued.accessToken,
      expiresAt: Math.floor(Date.now() / 1000) - 10,
      scopes: ['read', 'activity:read_all'],
    })
    await writeConfig(configDir, {clientId: emulator.client.id, session: {storage: 'file', account, scopes: []}})
    emulator.clearRequests()

    const script = `
      import {openTokenSession} from '${new URL('../../src/strava/auth.ts', import.meta.url).href}'
      const session = await openTokenSession({configDir: process.env.CONFIG_DIR, env: process.env, warn: () => {}})
      console.log(await session.accessToken())
    `
    const child = () =>
      promisify(execFile)(
        process.execPath,
        ['--conditions=oauth-plugin-source', '--import', 'tsx', '--input-type=module', '-e', script],
        {
          env: {...process.env, CONFIG_DIR: configDir, STRAVA_OAUTH_URL: emulator.oauthUrl, STRAVA_REFRESH_TOKEN: ''},
          timeout: 60_000,
        },
      )
    const [one, two] = await Promise.all([child(), child()])
    assert.equal(one.stdout.trim(), two.stdout.trim())
    assert.equal(emulator.requests.filter((request) => request.path === '/oauth/token').length, 1)
    assert.equal((await new FileStore({configDir}).get(account))?.accessToken, one.stdout.trim())
  })
})
