import assert from 'node:assert/strict'
import {mkdtemp, readFile, rm, stat, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {test} from 'node:test'

import type {SessionSecrets} from '../src/credential-store.js'
import {dropPendingLogins, findPendingLogin, keepPendingLogin, pendingLoginDirs} from '../src/pending-login.js'

const renewed: SessionSecrets = {refreshToken: 'new-refresh-0123456789', accessToken: 'new-access', scopes: ['read']}
const stored: SessionSecrets = {refreshToken: 'old-refresh-0123456789', scopes: ['read']}

test('pending logins go to the config directory, else to a directory of its own under $XDG_RUNTIME_DIR', () => {
  assert.deepEqual(pendingLoginDirs('/home/ada/.config/weeknotes', {}), ['/home/ada/.config/weeknotes'])
  const [first, second] = pendingLoginDirs('/home/ada/.config/weeknotes', {XDG_RUNTIME_DIR: '/run/user/1000'})
  assert.equal(first, '/home/ada/.config/weeknotes')
  assert.match(second, /^\/run\/user\/1000\/weeknotes-[0-9a-f]{12}$/)
  const other = pendingLoginDirs('/tmp/other/weeknotes', {XDG_RUNTIME_DIR: '/run/user/1000'})[1]
  assert.notEqual(other, second, 'one per config directory')
})

test('a pending login falls back to the next directory, is found for the record it renewed only, and is dropped', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'weeknotes-pending-'))
  t.after(() => rm(root, {recursive: true, force: true}))
  // The config directory cannot take a file (here: a file stands where it should be).
  const blocked = join(root, 'blocked')
  await writeFile(blocked, '')
  const runtime = join(root, 'runtime', 'weeknotes-1')
  const dirs = [blocked, runtime]

  const path = await keepPendingLogin(dirs, 'strava:1', renewed, stored.refreshToken)
  assert.equal(path, join(runtime, 'pending-login.json'))
  assert.equal((await stat(path)).mode & 0o777, 0o600)
  assert.doesNotMatch(await readFile(path, 'utf8'), /old-refresh/, 'the replaced token is kept only as a hash')

  assert.deepEqual((await findPendingLogin(dirs, 'strava:1', stored))?.secrets, renewed)
  assert.equal(await findPendingLogin(dirs, 'strava:2', stored), undefined, 'another account')
  await keepPendingLogin(dirs, 'strava:1', renewed, stored.refreshToken)
  assert.equal(await findPendingLogin(dirs, 'strava:1', {...stored, refreshToken: 'a-newer-login'}), undefined)
  await assert.rejects(stat(path), {code: 'ENOENT'}, 'a pending login that no longer fits is removed')

  await keepPendingLogin(dirs, 'strava:1', renewed, stored.refreshToken)
  await dropPendingLogins(dirs)
  await assert.rejects(stat(path), {code: 'ENOENT'})
})
