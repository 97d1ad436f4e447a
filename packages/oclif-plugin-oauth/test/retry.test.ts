import assert from 'node:assert/strict'
import {createServer} from 'node:net'
import {PassThrough} from 'node:stream'
import {describe, it} from 'node:test'

import {loginInteractively} from '../src/interactive-login.js'
import {classifyNetworkError, retryDelayMs, withRetries} from '../src/retry.js'
import {TOKEN_RETRY_POLICY, type HttpClient} from '../src/tokens.js'
import {examplePreset} from './support/example-preset.js'

const API_LIKE = {retries: 3, firstDelayMs: 1000, factor: 2, jitter: 0.25}

describe('retryDelayMs', () => {
  it('token requests: 0.5 s then 2 s, then no attempt left', () => {
    assert.deepEqual(
      [1, 2, 3].map((failures) => retryDelayMs(TOKEN_RETRY_POLICY, failures, () => 0.99)),
      [500, 2000, undefined],
    )
  })

  it('an API-like policy: 1 s, 2 s, 4 s stretched by up to a quarter, then none', () => {
    assert.deepEqual(
      [1, 2, 3, 4].map((failures) => retryDelayMs(API_LIKE, failures, () => 0)),
      [1000, 2000, 4000, undefined],
    )
    assert.equal(
      retryDelayMs(API_LIKE, 3, () => 0.5),
      4500,
    )
  })
})

describe('withRetries', () => {
  it('repeats retryable failures with the policy waits, and stops at the first other failure', async () => {
    const waits: number[] = []
    let calls = 0
    const failing = withRetries(
      TOKEN_RETRY_POLICY,
      async () => {
        calls++
        throw new Error('down')
      },
      {isRetryable: () => true, sleep: async (ms) => void waits.push(ms)},
    )
    await assert.rejects(failing, /down/)
    assert.equal(calls, 3)
    assert.deepEqual(waits, [500, 2000])

    calls = 0
    const fatal = withRetries(
      TOKEN_RETRY_POLICY,
      async () => {
        calls++
        throw new Error('refused')
      },
      {isRetryable: () => false, sleep: async () => {}},
    )
    await assert.rejects(fatal, /refused/)
    assert.equal(calls, 1)
  })

  it("a cancel during a wait ends with the caller's error, not another attempt", async () => {
    const controller = new AbortController()
    let calls = 0
    const run = withRetries(
      TOKEN_RETRY_POLICY,
      async () => {
        calls++
        throw new Error('down')
      },
      {
        isRetryable: () => true,
        sleep: async () => controller.abort(),
        signal: controller.signal,
        cancelled: () => new Error('cancelled'),
      },
    )
    await assert.rejects(run, /cancelled/)
    assert.equal(calls, 1)
  })
})

describe('classifyNetworkError', () => {
  it('tells timeouts, transient failures, TLS failures and the rest apart, from node:http and fetch alike', async () => {
    // A port nobody listens on: node:http and fetch both fail to connect, fetch with the code in its cause.
    const server = createServer()
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const {port} = server.address() as {port: number}
    await new Promise((resolve) => server.close(resolve))
    const viaFetch = await fetch(`http://127.0.0.1:${port}/`).catch((error: unknown) => error)
    assert.equal(classifyNetworkError(viaFetch), 'transient')

    const {request} = await import('node:http')
    const viaHttp = await new Promise((resolve) => request(`http://127.0.0.1:${port}/`).on('error', resolve).end())
    assert.equal(classifyNetworkError(viaHttp), 'transient')

    assert.equal(classifyNetworkError(new DOMException('The operation timed out.', 'TimeoutError')), 'timeout')
    assert.equal(classifyNetworkError(Object.assign(new Error('x'), {code: 'CERT_HAS_EXPIRED'})), 'tls')
    assert.equal(classifyNetworkError(Object.assign(new Error('x'), {code: 'EPROTO'})), 'tls')
    assert.equal(classifyNetworkError(new TypeError('not a network failure')), 'other')
  })
})

describe('loginInteractively', () => {
  it("hands the host's HTTP client to the code exchange", async () => {
    const http: HttpClient = async () => ({status: 500, text: async () => ''})
    let exchangeHttp: HttpClient | undefined
    await loginInteractively({
      configDir: '/nonexistent/oauth-test',
      preset: examplePreset,
      env: {NOTES_CLIENT_ID: '1', NOTES_CLIENT_SECRET: 'secret'},
      scope: 'read,activity:read_all',
      timeoutMs: 1000,
      printRefreshToken: true,
      noBrowser: true,
      stdin: new PassThrough(),
      stderr: new PassThrough(),
      warn: () => {},
      http,
      runFlow: async (options) => {
        exchangeHttp = options.http
        return {accessToken: 'a', refreshToken: 'r', expiresAt: 2_000_000_000, scopes: ['read', 'activity:read_all']}
      },
    })
    assert.equal(exchangeHttp, http)
  })
})
