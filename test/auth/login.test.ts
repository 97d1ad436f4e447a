import assert from 'node:assert/strict'
import {chmod, mkdtemp, readdir, readFile, rm, stat} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, afterEach, before, beforeEach, describe, it} from 'node:test'

import {readConfig, writeConfig} from 'oclif-plugin-oauth/config-file'
import {type CredentialStore, FileStore, KeyringStore, type SessionSecrets} from 'oclif-plugin-oauth/credential-store'
import {AuthError} from 'oclif-plugin-oauth/errors'
import {startStravaEmulator, type StravaEmulator} from 'strava-emulator'
import {
  login,
  type LoginOptions,
  logout,
  stravaProvider,
  openTokenSession,
  readAuthStatus,
} from '../../src/strava/auth.js'
import {
  clearKeyringService,
  keyringCredentials,
  secretServiceSkipReason,
  uniqueKeyringService,
} from '../../packages/oclif-plugin-oauth/test/support/keyring.js'

describe('login, status and logout against the emulator', () => {
  let emulator: StravaEmulator
  let configDir: string
  let warnings: string[]

  before(async () => {
    emulator = await startStravaEmulator({autoApprove: true, seed: 'empty'})
  })
  after(async () => {
    await emulator.close()
  })
  beforeEach(async () => {
    configDir = await mkdtemp(join(tmpdir(), 'weeknotes-login-'))
    warnings = []
    emulator.clearRequests()
  })
  afterEach(async () => {
    await rm(configDir, {recursive: true, force: true})
  })

  const options = (overrides: Partial<LoginOptions> = {}): LoginOptions => ({
    configDir,
    env: {},
    provider: stravaProvider(emulator.oauthUrl),
    clientId: emulator.client.id,
    clientSecret: emulator.client.secret,
    scopes: ['read', 'activity:read_all'],
    storage: 'file',
    timeoutMs: 10_000,
    // Stands in for the browser: the emulator approves at once and redirects to the loopback receiver.
    presentUrl: async (url) => {
      await fetch(url)
    },
    warn: (message) => warnings.push(message),
    ...overrides,
  })
  const credentials = async () => JSON.parse(await readFile(join(configDir, 'credentials.json'), 'utf8'))

  it('stores the secrets and the non-secret settings after a successful flow, and status shows them', async () => {
    const result = await login(options())
    assert.equal(result.athlete?.id, emulator.athlete.id)
    assert.equal(result.storage, 'file')
    const config = await readConfig(configDir)
    assert.equal(config.clientId, emulator.client.id)
    assert.equal(config.session?.storage, 'file')
    assert.equal(config.session?.athlete?.firstname, emulator.athlete.firstname)
    assert.equal(
      config.session?.athlete?.measurement_preference,
      undefined,
      "Strava's token response has the summary only",
    )
    assert.deepEqual(config.session?.scopes, ['read', 'activity:read_all'])
    const configText = await readFile(join(configDir, 'config.json'), 'utf8')
    const record = (await credentials())[config.session!.account]
    assert.equal(record.clientSecret, emulator.client.secret)
    for (const secret of [record.clientSecret, record.refreshToken, record.accessToken]) {
      assert.ok(!configText.includes(secret), 'config.json holds no secret')
    }

    const status = await readAuthStatus({configDir, env: {}})
    assert.deepEqual(status, {
      loggedIn: true,
      clientId: emulator.client.id,
      athlete: {id: emulator.athlete.id, firstname: emulator.athlete.firstname, lastname: emulator.athlete.lastname},
      scopes: ['read', 'activity:read_all'],
      expiresAt: new Date(record.expiresAt * 1000).toISOString(),
      storage: 'file',
    })
  })

  it(
    'makes a pre-existing config directory open to others private (0700), saying so',
    {skip: process.platform === 'win32' && 'no POSIX modes'},
    async () => {
      await chmod(configDir, 0o775)
      const records = new Map<string, SessionSecrets>()
      // The keyring's place: only the config directory is on disk.
      const memoryStore: CredentialStore = {
        kind: 'keyring',
        description: 'a keyring in memory',
        get: async (name) => records.get(name),
        set: async (name, secrets) => void records.set(name, secrets),
        delete: async (name) => records.delete(name),
        ensureWritable: async () => {},
      }
      await login(options({store: memoryStore}))
      assert.equal((await stat(configDir)).mode & 0o777, 0o700)
      assert.ok(
        warnings.some((warning) => warning.includes(`${configDir} was open to other users (mode 775); it is now 700.`)),
      )
    },
  )

  it("saves the profile describeAccount reads with the new token (Strava's units preference)", async () => {
    const tokensSeen: string[] = []
    await login(
      options({
        describeAccount: async (accessToken) => {
          tokensSeen.push(accessToken)
          const response = await fetch(`${emulator.apiUrl}/athlete`, {
            headers: {authorization: `Bearer ${accessToken}`},
          })
          return (await response.json()) as Record<string, unknown>
        },
      }),
    )
    const config = await readConfig(configDir)
    assert.equal(config.session?.athlete?.measurement_preference, 'meters')
    assert.equal(config.session?.athlete?.firstname, emulator.athlete.firstname)
    const record = (await credentials())[config.session!.account]
    assert.deepEqual(tokensSeen, [record.accessToken])
  })

  it('a profile that cannot be read does not fail the login: the summary is kept, with a warning', async () => {
    const result = await login(
      options({
        describeAccount: async (accessToken) => {
          throw new Error(`GET /athlete answered 503 for ${accessToken}`)
        },
      }),
    )
    assert.equal(result.athlete?.firstname, emulator.athlete.firstname)
    assert.equal(result.athlete?.measurement_preference, undefined)
    const record = (await credentials())[(await readConfig(configDir)).session!.account]
    assert.match(warnings.join('\n'), /profile could not be read.*units default to metric/)
    assert.ok(!warnings.join('\n').includes(record.accessToken), 'the token is redacted from the warning')
  })

  it('keeps the previous login when the new flow fails', async () => {
    await login(options())
    const before = [await readFile(join(configDir, 'config.json'), 'utf8'), await credentials()]
    const denied = new AuthError('You declined.', 'access_denied')
    await assert.rejects(login(options({runFlow: async () => Promise.reject(denied)})), denied)
    assert.deepEqual([await readFile(join(configDir, 'config.json'), 'utf8'), await credentials()], before)
  })

  it('keeps the previous login when the new secrets cannot be written', async () => {
    await login(options())
    const config = await readFile(join(configDir, 'config.json'), 'utf8')
    const real = new FileStore({configDir})
    const store: CredentialStore = {
      ...real,
      kind: 'file',
      description: 'x',
      get: (a) => real.get(a),
      delete: (a) => real.delete(a),
      ensureWritable: async () => {},
      set: async () => Promise.reject(new Error('write failed')),
    }
    await assert.rejects(login(options({store})), /write failed/)
    assert.equal(await readFile(join(configDir, 'config.json'), 'utf8'), config)
  })

  it('checks the store before asking for consent', async () => {
    let flowRan = false
    const store = new KeyringStore({
      service: 'x',
      env: {},
      loadModule: async () => Promise.reject(new Error('no binding')),
    })
    await assert.rejects(
      login(options({store, runFlow: async () => ((flowRan = true), Promise.reject(new Error('unreachable')))})),
      {name: 'KeyringUnavailableError', exitCode: 3},
    )
    assert.equal(flowRan, false)
  })

  it('storeNothing: a new grant whose refresh token works, and nothing written (not even config.json)', async () => {
    const result = await login(options({storeNothing: true}))
    assert.deepEqual(await readdir(configDir), [])
    assert.equal(result.storage, 'environment')
    assert.ok(result.refreshToken)
    const session = await openTokenSession({
      configDir,
      env: {
        STRAVA_CLIENT_ID: emulator.client.id,
        STRAVA_CLIENT_SECRET: emulator.client.secret,
        STRAVA_REFRESH_TOKEN: result.refreshToken,
      },
      provider: stravaProvider(emulator.oauthUrl),
    })
    assert.ok(await session.accessToken())
  })

  it('fails without activity:read and warns without activity:read_all', async () => {
    const grant = {accessToken: 'a'.repeat(40), refreshToken: 'r'.repeat(40), expiresAt: 2e9, athlete: {id: 1}}
    await assert.rejects(login(options({runFlow: async () => ({...grant, scopes: ['read']})})), {
      reason: 'insufficient_scope',
      exitCode: 3,
    })
    await assert.rejects(readFile(join(configDir, 'config.json')), {code: 'ENOENT'})
    await login(options({runFlow: async () => ({...grant, scopes: ['read', 'activity:read']})}))
    assert.match(warnings.join('\n'), /private activities/)
  })

  it('removes the record of a previous login with another app only after the new one is saved', async () => {
    await new FileStore({configDir}).set('strava:999', {refreshToken: 'old-refresh-token', scopes: []})
    await writeConfig(configDir, {clientId: '999', session: {storage: 'file', account: 'strava:999', scopes: []}})
    await login(options())
    assert.deepEqual(Object.keys(await credentials()), [`strava:${emulator.client.id}`])
  })

  it('logout revokes at Strava, deletes the secrets and the session settings, and is idempotent', async () => {
    await login(options())
    emulator.clearRequests()
    const result = await logout({
      configDir,
      env: {},
      provider: stravaProvider(emulator.oauthUrl),
      warn: (m) => warnings.push(m),
    })
    // The athlete comes back too, so that the host can delete what it keeps about them.
    const {athlete, ...outcome} = result
    assert.deepEqual(outcome, {wasLoggedIn: true, revoked: true})
    assert.equal(athlete?.id, emulator.athlete.id)
    assert.deepEqual(
      emulator.requests.map((request) => [request.path, request.status, request.authorization]),
      [['/oauth/revoke', 200, 'Basic']],
    )
    assert.deepEqual(await readdir(configDir), ['config.json'])
    assert.deepEqual(await readConfig(configDir), {clientId: emulator.client.id})
    assert.equal((await readAuthStatus({configDir, env: {}})).loggedIn, false)
    assert.deepEqual(await logout({configDir, env: {}, provider: stravaProvider(emulator.oauthUrl)}), {
      wasLoggedIn: false,
      revoked: false,
    })
  })

  it('logout after June 2027 (/oauth/deauthorize retired) revokes through /oauth/revoke, and the tokens are dead', async () => {
    await login(options())
    const record = Object.values(await credentials())[0] as {accessToken: string}
    await emulator.setEndpoints({deauthorize: false})
    try {
      emulator.clearRequests()
      const result = await logout({configDir, env: {}, provider: stravaProvider(emulator.oauthUrl)})
      const {athlete: loggedOut, ...outcome} = result
      assert.deepEqual(outcome, {wasLoggedIn: true, revoked: true})
      assert.equal(loggedOut?.id, emulator.athlete.id)
      assert.deepEqual(
        emulator.requests.map((request) => request.path),
        ['/oauth/revoke'],
      )
      const athlete = await fetch(`${emulator.apiUrl}/athlete`, {
        headers: {authorization: `Bearer ${record.accessToken}`},
      })
      assert.equal(athlete.status, 401)
    } finally {
      await emulator.setEndpoints({deauthorize: true})
    }
  })

  it('logout with neither endpoint answering (404) removes the login and says where to revoke by hand', async () => {
    await login(options())
    await emulator.setEndpoints({revoke: false, deauthorize: false})
    try {
      const result = await logout({
        configDir,
        env: {},
        provider: stravaProvider(emulator.oauthUrl),
        warn: (m) => warnings.push(m),
      })
      const {athlete, ...outcome} = result
      assert.deepEqual(outcome, {wasLoggedIn: true, revoked: false})
      assert.equal(athlete?.id, emulator.athlete.id)
      assert.match(
        warnings.join('\n'),
        /removed anyway\. You can also revoke it at https:\/\/www\.strava\.com\/settings\/apps\./,
      )
      assert.equal((await readAuthStatus({configDir, env: {}})).loggedIn, false)
    } finally {
      await emulator.setEndpoints({revoke: true, deauthorize: true})
    }
  })

  it('logout still clears local state with a warning when Strava cannot be reached', async () => {
    await login(options())
    const record = Object.values(await credentials())[0] as {accessToken: string}
    await logout({
      configDir,
      env: {},
      provider: stravaProvider('http://127.0.0.1:9/oauth'),
      warn: (m) => warnings.push(m),
    })
    assert.match(warnings.join('\n'), /Could not revoke.*removed anyway/)
    assert.doesNotMatch(warnings.join('\n'), new RegExp(record.accessToken))
    assert.deepEqual(await readdir(configDir), ['config.json'])
  })

  it('logout fails and keeps the login settings when the secrets cannot be deleted, so it can be run again', async () => {
    await login(options())
    const files = new FileStore({configDir})
    const lockedStore: CredentialStore = {
      kind: 'file',
      description: 'a locked store',
      get: (account) => files.get(account),
      set: (account, secrets) => files.set(account, secrets),
      delete: async () => {
        throw new Error('the collection is locked')
      },
      ensureWritable: async () => {},
    }
    await assert.rejects(
      logout({configDir, env: {}, provider: stravaProvider(emulator.oauthUrl), store: lockedStore}),
      (error: Error & {exitCode?: number}) =>
        error.exitCode === 1 && /locked store.*`weeknotes auth logout` again/.test(error.message),
    )
    assert.equal((await readAuthStatus({configDir, env: {}})).loggedIn, true)
    await logout({configDir, env: {}, provider: stravaProvider(emulator.oauthUrl), revoke: async () => {}})
    assert.deepEqual(await readdir(configDir), ['config.json'])
  })

  it('logs in with the real keyring: one record under the service, no secret in any file', async (t) => {
    const skip = await secretServiceSkipReason()
    if (skip) return t.skip(skip)
    const service = uniqueKeyringService('login')
    try {
      await login(options({storage: 'keyring', env: {WEEKNOTES_KEYRING_SERVICE: service}}))
      const stored = await keyringCredentials(service)
      assert.deepEqual(
        stored.map(({account}) => account),
        [`strava:${emulator.client.id}:${configDir}`],
      )
      const record = JSON.parse(stored[0].password)
      const files = await readdir(configDir)
      assert.deepEqual(files, ['config.json'])
      const text = await readFile(join(configDir, 'config.json'), 'utf8')
      for (const secret of [record.clientSecret, record.refreshToken, record.accessToken])
        assert.ok(!text.includes(secret))
      await logout({configDir, env: {WEEKNOTES_KEYRING_SERVICE: service}, provider: stravaProvider(emulator.oauthUrl)})
      assert.deepEqual(await keyringCredentials(service), [])
    } finally {
      await clearKeyringService(service)
    }
  })

  it('keeps one keyring record per config directory: two places with the same app never share a grant', async (t) => {
    const skip = await secretServiceSkipReason()
    if (skip) return t.skip(skip)
    const service = uniqueKeyringService('places')
    const env = {WEEKNOTES_KEYRING_SERVICE: service}
    const blogDir = await mkdtemp(join(tmpdir(), 'weeknotes-login-blog-'))
    try {
      await login(options({storage: 'keyring', env}))
      await login(options({storage: 'keyring', env, configDir: blogDir}))
      const accounts = (await keyringCredentials(service)).map(({account}) => account)
      assert.deepEqual(
        accounts.sort(),
        [`strava:${emulator.client.id}:${configDir}`, `strava:${emulator.client.id}:${blogDir}`].sort(),
      )

      // Rotating the blog's login leaves the laptop's refresh token working, and logging out of it too.
      emulator.expireAccessTokens()
      const provider = stravaProvider(emulator.oauthUrl)
      await (await openTokenSession({configDir: blogDir, env, provider})).accessToken()
      await logout({configDir: blogDir, env, provider, revoke: async () => {}})
      emulator.expireAccessTokens()
      assert.ok(await (await openTokenSession({configDir, env, provider})).accessToken())
      assert.deepEqual(
        (await keyringCredentials(service)).map(({account}) => account),
        [`strava:${emulator.client.id}:${configDir}`],
      )
    } finally {
      await clearKeyringService(service)
      await rm(blogDir, {recursive: true, force: true})
    }
  })

  it("moves a login kept under the old shared keyring name to this directory's own name on first use", async (t) => {
    const skip = await secretServiceSkipReason()
    if (skip) return t.skip(skip)
    const service = uniqueKeyringService('legacy')
    const env = {WEEKNOTES_KEYRING_SERVICE: service}
    const legacy = `strava:${emulator.client.id}`
    try {
      const tokens = emulator.issueTokens()
      const store = new KeyringStore({service, env: {}})
      await store.set(legacy, {clientSecret: emulator.client.secret, ...tokens, scopes: ['read', 'activity:read_all']})
      await writeConfig(configDir, {
        clientId: emulator.client.id,
        session: {storage: 'keyring', account: legacy, scopes: ['read', 'activity:read_all']},
      })

      const session = await openTokenSession({configDir, env, provider: stravaProvider(emulator.oauthUrl)})
      assert.equal(await session.accessToken(), tokens.accessToken)
      const own = `strava:${emulator.client.id}:${configDir}`
      assert.equal((await readConfig(configDir)).session?.account, own)
      assert.deepEqual(
        (await keyringCredentials(service)).map(({account}) => account),
        [own],
      )
      assert.equal((await store.get(own))?.refreshToken, tokens.refreshToken)
    } finally {
      await clearKeyringService(service)
    }
  })
})
