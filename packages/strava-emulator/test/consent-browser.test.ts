// The consent page in a real Chromium, as the end-to-end login tests drive it.
import assert from 'node:assert/strict'
import {createServer} from 'node:http'
import type {AddressInfo} from 'node:net'
import {after, before, describe, it} from 'node:test'
import type {Browser} from 'playwright-core'
import {launchChromium} from '../../oclif-plugin-oauth/test/support/browser.js'
import {type StravaEmulator, startStravaEmulator} from '../src/index.js'
import {authorizeUrl} from '../src/test-helpers.js'

/** A loopback receiver that resolves with the first callback's query. */
async function callbackReceiver() {
  let resolveQuery: (query: URLSearchParams) => void = () => {}
  const received = new Promise<URLSearchParams>((resolve) => {
    resolveQuery = resolve
  })
  const server = createServer((request, response) => {
    resolveQuery(new URL(request.url ?? '/', 'http://127.0.0.1').searchParams)
    response.end('You can return to the terminal.')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const redirectUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/callback`
  return {redirectUri, received, close: () => new Promise((resolve) => server.close(resolve))}
}

/** Chromium that stays on the page (a CSP block, say) must fail the test, not hang it. */
function failAfter(ms: number, message: string): Promise<never> {
  return new Promise((_, reject) => setTimeout(() => reject(new Error(message)), ms).unref())
}

describe('emulator consent page in Chromium', () => {
  let emulator: StravaEmulator
  let browser: Browser | undefined
  let skipReason: string | undefined
  before(async () => {
    emulator = await startStravaEmulator({seed: 'empty'})
    ;({browser, skipReason} = await launchChromium())
  })
  after(async () => {
    await browser?.close()
    await emulator.close()
  })

  async function consent(decide: (page: import('playwright-core').Page) => Promise<void>, scope: string) {
    const receiver = await callbackReceiver()
    const context = await browser!.newContext()
    try {
      const page = await context.newPage()
      const origins = new Set<string>()
      page.on('request', (request) => origins.add(new URL(request.url()).origin))
      await page.goto(authorizeUrl(emulator, {redirect_uri: receiver.redirectUri, scope, state: 's-1'}))
      await decide(page)
      const query = await Promise.race([receiver.received, failAfter(10_000, 'no callback reached the receiver')])
      return {query, origins}
    } finally {
      await context.close()
      await receiver.close()
    }
  }

  it('Authorize with a box unticked redirects with the scopes left ticked, loading nothing else', async (t) => {
    if (skipReason) return t.skip(skipReason)
    const {query, origins} = await consent(async (page) => {
      assert.equal(await page.isChecked('[id="scope-activity:read_all"]'), true)
      await page.uncheck('[id="scope-activity:read_all"]')
      await page.click('#authorize')
    }, 'read,activity:read,activity:read_all')
    assert.equal(query.get('state'), 's-1')
    assert.equal(query.get('scope'), 'read,activity:read')
    assert.match(query.get('code') ?? '', /^[0-9a-f]{40}$/)
    assert.ok(
      [...origins].every((origin) => origin.startsWith('http://127.0.0.1:')),
      [...origins].join(' '),
    )
  })

  it('Cancel redirects with error=access_denied', async (t) => {
    if (skipReason) return t.skip(skipReason)
    const {query} = await consent((page) => page.click('#cancel'), 'read,activity:read_all')
    assert.equal(query.get('error'), 'access_denied')
    assert.equal(query.get('state'), 's-1')
    assert.equal(query.get('code'), null)
  })
})
