import assert from 'node:assert/strict'
import {connect, createServer} from 'node:net'
import {test} from 'node:test'

import {AuthError, AuthUsageError} from '../src/errors.js'
import {LoopbackReceiver} from '../src/loopback-receiver.js'
import {connectRefused} from './fake-oauth-server.js'

const STATE = 'expected-state-value-0123456789abcdefghijkl'

async function startReceiver(
  t: {after: (fn: () => Promise<void>) => void},
  options: Partial<Parameters<typeof LoopbackReceiver.start>[0]> = {},
) {
  const receiver = await LoopbackReceiver.start({expectedState: STATE, providerName: 'Strava', ...options})
  t.after(() => receiver.close())
  return receiver
}

function callbackUrl(receiver: LoopbackReceiver, params: Record<string, string>): string {
  return `${receiver.redirectUri}?${new URLSearchParams(params)}`
}

test('binds 127.0.0.1 on a free port and writes the redirect URI with the provider host', async (t) => {
  const receiver = await startReceiver(t)
  assert.ok(receiver.port > 0)
  assert.equal(receiver.redirectUri, `http://127.0.0.1:${receiver.port}/callback`)
  const named = await startReceiver(t, {redirectHost: 'localhost'})
  assert.equal(named.redirectUri, `http://localhost:${named.port}/callback`)
})

test('answers only GET /callback: everything else is 404', async (t) => {
  const receiver = await startReceiver(t)
  const base = `http://127.0.0.1:${receiver.port}`
  for (const path of ['/', '/favicon.ico', '/callback/extra', '/callbackx']) {
    assert.equal((await fetch(`${base}${path}`)).status, 404, path)
  }
  assert.equal((await fetch(`${base}/callback?code=x&state=${STATE}`, {method: 'POST'})).status, 404)
  assert.equal(
    (await fetch(`${base}/callback/fragment`, {method: 'POST', body: `access_token=x&state=${STATE}`})).status,
    404,
  )
})

test('a request line that is no URL gets a 404 and the login keeps waiting instead of crashing', async (t) => {
  const receiver = await startReceiver(t)
  const statusLine = await new Promise<string>((resolve) => {
    let answer = ''
    const socket = connect(receiver.port, '127.0.0.1', () => socket.write('GET http://[/ HTTP/1.1\r\nHost: x\r\n\r\n'))
    socket.setTimeout(5000, () => socket.destroy())
    socket.on('data', (data) => (answer += String(data)))
    socket.on('close', () => resolve(answer.split('\r\n')[0]))
  })
  assert.equal(statusLine, 'HTTP/1.1 404 Not Found')
  assert.equal((await fetch(callbackUrl(receiver, {code: 'the-code', state: STATE}))).status, 200)
  const accepted = await receiver.callback
  assert.equal(accepted.kind === 'code' && accepted.code, 'the-code')
})

test('a forged or missing state gets a 400 page and the receiver keeps waiting for the genuine callback', async (t) => {
  const receiver = await startReceiver(t)
  const forged = await fetch(callbackUrl(receiver, {code: 'attacker-code', state: 'forged'}))
  assert.equal(forged.status, 400)
  assert.match(await forged.text(), /does not belong to the current login/)
  const missing = await fetch(callbackUrl(receiver, {code: 'attacker-code'}))
  assert.equal(missing.status, 400)
  const forgedDenial = await fetch(callbackUrl(receiver, {error: 'access_denied', state: 'forged'}))
  assert.equal(forgedDenial.status, 400)

  const genuine = await fetch(callbackUrl(receiver, {code: 'real-code', state: STATE, scope: 'read,activity:read'}))
  assert.equal(genuine.status, 200)
  const page = await genuine.text()
  assert.match(page, /return to the terminal/)
  assert.doesNotMatch(page, /real-code/)
  assert.doesNotMatch(page, /<script|src=|href=/i, 'self-contained, no external resources')
  assert.equal(genuine.headers.get('referrer-policy'), 'no-referrer')
  assert.match(genuine.headers.get('content-security-policy') ?? '', /default-src 'none'/)
  assert.deepEqual(await receiver.callback, {kind: 'code', code: 'real-code', scopes: ['read', 'activity:read']})
})

test('closes its port after the one good callback', async (t) => {
  const receiver = await startReceiver(t)
  const closed = new Promise<void>((resolve) => receiver['server'].once('close', () => resolve()))
  await (await fetch(callbackUrl(receiver, {code: 'c', state: STATE}))).text()
  await closed
  assert.equal(await connectRefused(receiver.port), true)
})

test('access_denied ends the wait with an AuthError (exit 3) and an explanatory page', async (t) => {
  const receiver = await startReceiver(t)
  const response = await fetch(callbackUrl(receiver, {error: 'access_denied', state: STATE}))
  assert.equal(response.status, 400)
  assert.match(await response.text(), /You declined access/)
  const outcome = await receiver.callback
  assert.equal(outcome.kind, 'error')
  assert.ok(outcome.kind === 'error' && outcome.error instanceof AuthError)
  assert.equal(outcome.error.exitCode, 3)
  assert.equal((outcome.error as AuthError).reason, 'access_denied')
  assert.match(outcome.error.message, /^You declined access/)
})

test('other errors become sentences; server text is HTML-escaped on the page and cleaned for the terminal', async (t) => {
  const receiver = await startReceiver(t)
  const response = await fetch(
    callbackUrl(receiver, {
      error: 'weird_error',
      error_description: '<script>alert(1)</script>\u001b[31m',
      state: STATE,
    }),
  )
  const page = await response.text()
  assert.doesNotMatch(page, /<script>alert/)
  assert.match(page, /&#60;script&#62;alert\(1\)/)
  const outcome = await receiver.callback
  assert.ok(outcome.kind === 'error')
  assert.match(
    outcome.error.message,
    /Strava refused the authorization \(weird_error: <script>alert\(1\)<\/script> \[31m\)/,
  )
  assert.ok(!outcome.error.message.includes('\u001b'))
})

test('a callback with the right state but no code leaves the receiver waiting', async (t) => {
  const receiver = await startReceiver(t)
  assert.equal((await fetch(callbackUrl(receiver, {state: STATE}))).status, 400)
  assert.equal((await fetch(callbackUrl(receiver, {code: 'c2', state: STATE}))).status, 200)
  assert.deepEqual(await receiver.callback, {kind: 'code', code: 'c2', scopes: undefined})
})

test('close() without any callback frees the port and leaves no handle', async () => {
  const receiver = await LoopbackReceiver.start({expectedState: STATE})
  await receiver.close()
  await receiver.close()
  assert.equal(await connectRefused(receiver.port), true)
})

test('a --port that is taken is a usage error (exit 2)', async (t) => {
  const blocker = createServer()
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
  t.after(() => new Promise<void>((resolve) => blocker.close(() => resolve())))
  const port = (blocker.address() as {port: number}).port
  const error = await LoopbackReceiver.start({expectedState: STATE, port}).catch((e: unknown) => e)
  assert.ok(error instanceof AuthUsageError)
  assert.equal(error.exitCode, 2)
  assert.match(error.message, new RegExp(`Port ${port} on 127.0.0.1 is already in use.*--port`))
})

test('a free fixed --port is used as given', async (t) => {
  const probe = await LoopbackReceiver.start({expectedState: STATE})
  const port = probe.port
  await probe.close()
  const receiver = await startReceiver(t, {port})
  assert.equal(receiver.redirectUri, `http://127.0.0.1:${port}/callback`)
})

test('implicit mode: the callback page relays the fragment, whose state is checked too', async (t) => {
  const receiver = await startReceiver(t, {implicit: true})
  const relay = await fetch(receiver.redirectUri)
  const html = await relay.text()
  const nonce = /<script nonce="([^"]+)">/.exec(html)?.[1]
  assert.ok(nonce)
  assert.match(relay.headers.get('content-security-policy') ?? '', new RegExp(`script-src 'nonce-${nonce}'`))
  assert.match(html, /location\.hash/)
  const base = `http://127.0.0.1:${receiver.port}/callback/fragment`
  assert.equal((await fetch(base, {method: 'POST', body: 'access_token=stolen&state=forged'})).status, 400)
  const good = await fetch(base, {method: 'POST', body: `access_token=tok&expires_in=600&scope=read&state=${STATE}`})
  assert.equal(good.status, 200)
  assert.deepEqual(await receiver.callback, {kind: 'token', accessToken: 'tok', expiresIn: 600, scopes: ['read']})
})

test('RFC 9207: a redirect naming another issuer is refused; the expected issuer is accepted', async (t) => {
  const receiver = await startReceiver(t, {issuer: 'https://id.example'})
  const response = await fetch(callbackUrl(receiver, {code: 'c', state: STATE, iss: 'https://evil.example'}))
  assert.equal(response.status, 400)
  const outcome = await receiver.callback
  assert.ok(outcome.kind === 'error')
  assert.match(outcome.error.message, /different authorization server/)

  const other = await startReceiver(t, {issuer: 'https://id.example'})
  await (await fetch(callbackUrl(other, {code: 'c', state: STATE, iss: 'https://id.example'}))).text()
  assert.deepEqual(await other.callback, {kind: 'code', code: 'c', scopes: undefined})
})
