import assert from 'node:assert/strict'
import {mkdtemp, readFile, rm, stat} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {setTimeout as delay} from 'node:timers/promises'
import {after, afterEach, before, beforeEach, describe, it} from 'node:test'

import {writeConfig} from 'oclif-plugin-oauth/config-file'
import {type CredentialStore, FileStore, type SessionSecrets} from 'oclif-plugin-oauth/credential-store'
import {AuthError} from 'oclif-plugin-oauth/errors'
import {LoginNotRenewedError} from 'oclif-plugin-oauth/session'
import {refreshGrant} from 'oclif-plugin-oauth/tokens'
import {startStravaEmulator, type StravaEmulator} from 'strava-emulator'
import {manualClock} from 'strava-emulator/test-helpers'
import {login, logout, openTokenSession, readStoredRefreshToken, stravaProvider} from '../../src/strava/auth.js'

const account = 'strava:12345'
const HOUR = 3_600_000

describe('TokenSession', () => {
  let emulator: StravaEmulator
  let configDir: string
  let clock: ReturnType<typeof manualClock>
  let warnings: string[]

  before(async () => {
    clock = manualClock('2024-03-11T06:00:00Z')
    // Every refresh mints a token here, so that renewals can be told apart (Strava would hand back a
    // token with more than an hour left; test/strava/strava-behaviour.test.ts covers that).
    emulator = await startStravaEmulator({now: clock.now, seed: 'empty', reuseLiveAccessTokens: false})
  })
  after(async () => {
    await emulator.close()
  })
  beforeEach(async () => {
    configDir = await mkdtemp(join(tmpdir(), 'weeknotes-session-'))
    clock.set('2024-03-11T06:00:00Z')
    emulator.clearRequests()
    warnings = []
  })
  afterEach(async () => {
    await rm(configDir, {recursive: true, force: true})
  })

  const tokenCalls = () => emulator.requests.filter((request) => request.path === '/oauth/token')
  const env = () => ({STRAVA_OAUTH_URL: emulator.oauthUrl})
  const fileStore = () => new FileStore({configDir})

  /** A saved login as `weeknotes auth --insecure-storage` leaves it, with tokens the emulator issued. */
  async function savedLogin(overrides: Partial<SessionSecrets> = {}): Promise<SessionSecrets> {
    const issued = emulator.issueTokens({scope: 'read,activity:read_all'})
    const secrets: SessionSecrets = {
      clientSecret: emulator.client.secret,
      refreshToken: issued.refreshToken,
      accessToken: issued.accessToken,
      expiresAt: issued.expiresAt,
      scopes: ['read', 'activity:read_all'],
      ...overrides,
    }
    await fileStore().set(account, secrets)
    await writeConfig(configDir, {
      clientId: emulator.client.id,
      session: {
        storage: 'file',
        account,
        athlete: {id: 1, firstname: 'Ada'},
        scopes: secrets.scopes,
        expiresAt: secrets.expiresAt,
      },
    })
    emulator.clearRequests()
    return secrets
  }

  const open = (o: {store?: CredentialStore; env?: NodeJS.ProcessEnv; pendingLoginDirs?: string[]} = {}) =>
    openTokenSession({
      configDir,
      env: o.env ?? env(),
      now: clock.now,
      warn: (message) => warnings.push(message),
      store: o.store,
      pendingLoginDirs: o.pendingLoginDirs,
    })

  /** The real file store, except that writing fails as on a read-only file system. */
  const readOnlyStore = (failing: {set?: boolean; probe?: boolean} = {set: true}): CredentialStore => {
    const real = fileStore()
    const refuse = async () => {
      throw Object.assign(new Error(`EROFS: read-only file system, open '${real.path}'`), {code: 'EROFS'})
    }
    return {
      kind: 'file',
      description: real.path,
      get: (name) => real.get(name),
      set: failing.set ? refuse : (name, secrets) => real.set(name, secrets),
      delete: (name) => real.delete(name),
      ensureWritable: failing.probe ? refuse : async () => {},
    }
  }

  const pendingFile = () => join(configDir, 'pending-login.json')

  it('returns the stored access token while it has more than 5 minutes left, without a token call', async () => {
    const saved = await savedLogin()
    const session = await open()
    clock.advance(6 * HOUR - 6 * 60_000)
    assert.equal(await session.accessToken(), saved.accessToken)
    assert.equal(tokenCalls().length, 0)
    assert.deepEqual(session.profile.athlete, {id: 1, firstname: 'Ada'})
    assert.equal(session.profile.storage, 'file')
    assert.match(warnings.join('\n'), /unencrypted/)
  })

  it('refreshes within the margin, storing the rotated refresh token before handing out the new access token', async () => {
    const saved = await savedLogin()
    const session = await open()
    clock.advance(6 * HOUR - 4 * 60_000)
    const token = await session.accessToken()
    assert.notEqual(token, saved.accessToken)
    assert.equal(tokenCalls().length, 1)
    assert.equal(tokenCalls()[0].grantType, 'refresh_token')
    const stored = await fileStore().get(account)
    assert.equal(stored?.accessToken, token)
    assert.notEqual(stored?.refreshToken, saved.refreshToken)
    assert.equal(stored?.clientSecret, saved.clientSecret)
    assert.equal(stored?.expiresAt, Math.floor(clock.now() / 1000) + 21_600)
    assert.equal(session.profile.expiresAt, stored?.expiresAt)
    const config = JSON.parse(await readFile(join(configDir, 'config.json'), 'utf8'))
    assert.equal(config.session.expiresAt, stored?.expiresAt, 'status sees the new expiry')
    assert.equal(await session.accessToken(), token, 'then reuses it')
    assert.equal(tokenCalls().length, 1)
  })

  it('never hands out a renewed token it could neither store nor keep aside', async () => {
    await savedLogin()
    // A file where the pending login's directory should be: nowhere to keep it either.
    const session = await open({store: readOnlyStore(), pendingLoginDirs: [join(configDir, 'config.json')]})
    clock.advance(7 * HOUR)
    await assert.rejects(session.accessToken(), (error: unknown) => {
      assert.ok(error instanceof LoginNotRenewedError)
      assert.match(error.message, /could not be saved to .*read-only file system.*nor kept aside/)
      return true
    })
    assert.equal(tokenCalls().length, 1)
  })

  it('checks the store can be written before spending the rotating refresh token', async () => {
    const saved = await savedLogin()
    const session = await open({store: readOnlyStore({probe: true})})
    clock.advance(7 * HOUR)
    await assert.rejects(session.accessToken(), (error: unknown) => {
      assert.ok(error instanceof LoginNotRenewedError)
      assert.equal(error.exitCode, 6, 'a local I/O failure')
      assert.match(error.message, /cannot be written \(EROFS.*left as it is/)
      return true
    })
    assert.equal(tokenCalls().length, 0, 'the refresh token was not spent')
    const provider = stravaProvider(emulator.oauthUrl)
    const {clientId, clientSecret} = {clientId: emulator.client.id, clientSecret: emulator.client.secret}
    await refreshGrant({provider, clientId, clientSecret, refreshToken: saved.refreshToken, now: clock.now})
  })

  it('a renewal the store refuses is kept in a 0600 pending file that the next run moves into the store', async () => {
    const saved = await savedLogin()
    const session = await open({store: readOnlyStore()})
    clock.advance(7 * HOUR)
    const token = await session.accessToken()
    assert.notEqual(token, saved.accessToken, 'this run goes on with the renewed token')
    assert.match(warnings.join('\n'), /could not be saved to .*read-only file system.*kept in .*pending-login\.json/)
    assert.equal((await stat(pendingFile())).mode & 0o777, 0o600)
    assert.equal((await fileStore().get(account))?.refreshToken, saved.refreshToken, 'the store still has the old one')
    const pending = JSON.parse(await readFile(pendingFile(), 'utf8')) as {secrets: SessionSecrets}
    assert.equal(
      await readStoredRefreshToken({configDir, env: env()}),
      pending.secrets.refreshToken,
      '`auth status --show-refresh-token` shows the live one',
    )

    const next = await open()
    assert.equal(await next.accessToken(), token, 'the next run uses the pending login')
    const stored = await fileStore().get(account)
    assert.equal(stored?.accessToken, token, 'and moved it into the store')
    await assert.rejects(stat(pendingFile()), {code: 'ENOENT'})
    emulator.clearRequests()
    clock.advance(7 * HOUR)
    assert.notEqual(await next.accessToken(), token, 'the rotated refresh token works')
    assert.deepEqual(
      tokenCalls().map((call) => call.status),
      [200],
    )
  })

  it('ignores and removes a pending login that does not continue the stored one (a new login since)', async () => {
    await savedLogin()
    await open({store: readOnlyStore()}).then(async (session) => {
      clock.advance(7 * HOUR)
      await session.accessToken()
    })
    const relogin = await savedLogin()
    const session = await open()
    assert.equal(await session.accessToken(), relogin.accessToken)
    await assert.rejects(stat(pendingFile()), {code: 'ENOENT'})
  })

  it('leaves the stored login untouched and asks to log in again when the refresh token is refused', async () => {
    await savedLogin({refreshToken: 'refresh-token-strava-does-not-know', expiresAt: 1})
    const before = await readFile(join(configDir, 'credentials.json'), 'utf8')
    const session = await open()
    await assert.rejects(session.accessToken(), (error: unknown) => {
      assert.ok(error instanceof AuthError)
      assert.equal(error.exitCode, 3)
      assert.equal(error.message, 'Strava no longer accepts the saved login; run `weeknotes auth` again.')
      assert.doesNotMatch(error.message, /refresh-token-strava/)
      return true
    })
    assert.equal(await readFile(join(configDir, 'credentials.json'), 'utf8'), before)
  })

  it('renewAfterRejection: refreshes once for the rejected token, reuses a newer one, shares one refresh', async () => {
    const saved = await savedLogin()
    const session = await open()
    assert.equal(await session.renewAfterRejection('some-older-token'), saved.accessToken, 'a newer token is kept')
    assert.equal(tokenCalls().length, 0)

    const [first, second] = await Promise.all([
      session.renewAfterRejection(saved.accessToken!),
      session.renewAfterRejection(saved.accessToken!),
    ])
    assert.equal(first, second)
    assert.notEqual(first, saved.accessToken)
    assert.equal(tokenCalls().length, 1)
    assert.equal(await session.renewAfterRejection(saved.accessToken!), first, 'already renewed')
    assert.equal(tokenCalls().length, 1)

    assert.notEqual(await session.renewAfterRejection(first), first, 'the renewed token rejected too: one more refresh')
    assert.equal(tokenCalls().length, 2)
  })

  it('re-reads the store under the lock: two sessions in one process spend the refresh token once', async () => {
    await savedLogin()
    const [a, b] = await Promise.all([open(), open()])
    clock.advance(7 * HOUR)
    const [tokenA, tokenB] = await Promise.all([a.accessToken(), b.accessToken()])
    assert.equal(tokenA, tokenB)
    assert.equal(tokenCalls().length, 1)
  })

  it('does not bring back a login removed after the session opened (logout in another process)', async () => {
    await savedLogin()
    const session = await open()
    await fileStore().delete(account)
    clock.advance(7 * HOUR)
    await assert.rejects(session.accessToken(), (error: unknown) => error instanceof AuthError && error.exitCode === 3)
    assert.equal(tokenCalls().length, 0)
    assert.equal(await fileStore().get(account), undefined)
  })

  /**
   * Runs `write` (a logout or a new login) while this process is in the middle of renewing the saved
   * token, and lets the renewal finish only once `write` is done or has waited a while for the lock.
   */
  async function duringRenewal(write: () => Promise<unknown>): Promise<void> {
    let entered!: () => void
    const renewing = new Promise<void>((resolve) => (entered = resolve))
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    const session = await openTokenSession({
      configDir,
      env: env(),
      now: clock.now,
      warn: () => {},
      refreshGrant: async (o) => {
        entered()
        await gate
        return refreshGrant(o)
      },
    })
    clock.advance(7 * HOUR)
    const renewal = session.accessToken().catch(() => undefined)
    await renewing
    const writing = write()
    await Promise.race([writing, delay(300)])
    release()
    await Promise.all([renewal, writing])
  }

  it('logout waits for a renewal in progress, so the renewed tokens are not stored back afterwards', async () => {
    await savedLogin()
    await duringRenewal(() =>
      logout({configDir, env: env(), provider: stravaProvider(emulator.oauthUrl), revoke: async () => {}}),
    )
    assert.equal(await fileStore().get(account), undefined)
  })

  it('a new login waits for a renewal in progress, so the renewal does not overwrite it', async () => {
    await savedLogin()
    await duringRenewal(() =>
      login({
        configDir,
        env: env(),
        provider: stravaProvider(emulator.oauthUrl),
        clientId: emulator.client.id,
        clientSecret: emulator.client.secret,
        scopes: ['read', 'activity:read_all'],
        storage: 'file',
        timeoutMs: 1000,
        presentUrl: async () => {},
        runFlow: async () => ({
          accessToken: 'new-access',
          refreshToken: 'new-refresh',
          expiresAt: 1,
          scopes: ['read', 'activity:read_all'],
        }),
      }),
    )
    assert.equal((await fileStore().get(account))?.refreshToken, 'new-refresh')
  })

  it('says "Not logged in" (exit 3) without a saved login or CI variables', async () => {
    await assert.rejects(open({env: {}}), (error: unknown) => {
      assert.ok(error instanceof AuthError)
      assert.equal(error.exitCode, 3)
      assert.equal(error.message, 'Not logged in. Run `weeknotes auth` first.')
      return true
    })
  })

  it('CI mode: refreshes from STRAVA_REFRESH_TOKEN, stores nothing, warns once that the token rotated', async () => {
    const issued = emulator.issueTokens({scope: 'read,activity:read_all'})
    emulator.clearRequests()
    const session = await open({
      env: {
        ...env(),
        STRAVA_CLIENT_ID: emulator.client.id,
        STRAVA_CLIENT_SECRET: emulator.client.secret,
        STRAVA_REFRESH_TOKEN: issued.refreshToken,
      },
    })
    assert.equal(session.profile.storage, 'environment')
    const token = await session.accessToken()
    assert.equal(await session.accessToken(), token)
    await session.renewAfterRejection(token)
    assert.equal(tokenCalls().length, 2, 'the second refresh used the rotated token kept in memory')
    assert.equal(warnings.length, 1)
    assert.match(warnings[0], /new refresh token/)
    assert.match(warnings[0], /STRAVA_REFRESH_TOKEN/)
    assert.doesNotMatch(warnings.join('\n'), new RegExp(issued.refreshToken))
    await assert.rejects(readFile(join(configDir, 'config.json')), {code: 'ENOENT'})
    await assert.rejects(readFile(join(configDir, 'credentials.json')), {code: 'ENOENT'})
  })

  it('CI mode: a refused refresh token and a refused client secret each name the variable to fix', async () => {
    const issued = emulator.issueTokens({scope: 'read,activity:read_all'})
    const ciSession = (secret: string, refreshToken: string) =>
      open({
        env: {
          ...env(),
          STRAVA_CLIENT_ID: emulator.client.id,
          STRAVA_CLIENT_SECRET: secret,
          STRAVA_REFRESH_TOKEN: refreshToken,
        },
      })
    await assert.rejects((await ciSession('not-the-secret', issued.refreshToken)).accessToken(), (error: unknown) => {
      assert.ok(error instanceof AuthError)
      assert.equal(error.exitCode, 3)
      assert.equal(
        error.message,
        "Strava does not accept STRAVA_CLIENT_ID with STRAVA_CLIENT_SECRET; check both against your app's settings (https://www.strava.com/settings/api).",
      )
      return true
    })
    await assert.rejects((await ciSession(emulator.client.secret, 'not-a-token')).accessToken(), (error: unknown) => {
      assert.ok(error instanceof AuthError)
      assert.match(
        error.message,
        /^Strava no longer accepts STRAVA_REFRESH_TOKEN; get a new one with `weeknotes auth --print-refresh-token`/,
      )
      return true
    })
  })

  it('CI mode without the client secret says which variables are needed', async () => {
    await assert.rejects(
      open({env: {...env(), STRAVA_REFRESH_TOKEN: 'x'}}),
      /STRAVA_CLIENT_ID and STRAVA_CLIENT_SECRET/,
    )
  })
})
