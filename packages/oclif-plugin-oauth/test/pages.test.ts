import assert from 'node:assert/strict'
import {after, before, describe, it, test} from 'node:test'

import type {Browser} from 'playwright-core'

import {runAuthorizationCodeFlow} from '../src/authorization-code-flow.js'
import {escapeHtml, failurePage, successPage} from '../src/pages.js'
import {oauthProvider} from '../src/provider.js'
import {launchChromium} from './support/browser.js'
import {startFakeOAuthServer, tokenResponse, type FakeOAuthServer} from './fake-oauth-server.js'

test('escapeHtml escapes the five HTML-significant characters', () => {
  assert.equal(escapeHtml(`<a href="x">'&'</a>`), '&#60;a href=&#34;x&#34;&#62;&#39;&#38;&#39;&#60;/a&#62;')
})

test('result pages escape what they show and load nothing from elsewhere', () => {
  const page = failurePage('weeknotes', 'Bad <b>thing</b> & "more"')
  assert.match(page, /Bad &#60;b&#62;thing&#60;\/b&#62; &#38; &#34;more&#34;/)
  for (const html of [page, successPage('weeknotes')]) assert.doesNotMatch(html, /<script|<link|<img|src=|url\(/i)
  assert.match(successPage('weeknotes'), /return to the terminal/)
})

/** The pages in a real Chromium: the redirect lands, the page renders, the implicit relay script runs under its CSP. */
describe('result pages in Chromium', () => {
  let browser: Browser | undefined
  let skipReason: string | undefined
  let server: FakeOAuthServer
  before(async () => {
    server = await startFakeOAuthServer()
    ;({browser, skipReason} = await launchChromium())
  })
  after(async () => {
    await browser?.close()
    await server.close()
  })

  it('shows the success page after the redirect, with no request leaving 127.0.0.1', async (t) => {
    if (!browser) return t.skip(skipReason)
    server.handle('/token', () => tokenResponse())
    const context = await browser.newContext()
    t.after(() => context.close())
    const page = await context.newPage()
    const origins = new Set<string>()
    page.on('request', (request) => origins.add(new URL(request.url()).hostname))
    const grant = await runAuthorizationCodeFlow({
      provider: oauthProvider({authorizationEndpoint: `${server.url}/authorize`, tokenEndpoint: `${server.url}/token`}),
      clientId: 'app',
      clientSecret: 'secret',
      scopes: ['read'],
      timeoutMs: 20_000,
      presentUrl: async (url) => void page.goto(url).catch(() => {}),
    })
    assert.equal(grant.accessToken, 'fake-access-token')
    await page.getByText('return to the terminal').waitFor()
    assert.equal(await page.locator('h1').textContent(), 'Authorization received')
    assert.deepEqual([...origins], ['127.0.0.1'])
  })

  it('implicit grant: the relay script posts the fragment and removes it from the address bar', async (t) => {
    if (!browser) return t.skip(skipReason)
    server.handle('/authorize', (request) => {
      const fragment = new URLSearchParams({
        access_token: 'implicit-token',
        expires_in: '300',
        state: request.query.get('state') ?? '',
      })
      return {status: 302, headers: {location: `${request.query.get('redirect_uri')}#${fragment}`}}
    })
    const context = await browser.newContext()
    t.after(() => context.close())
    const page = await context.newPage()
    const grant = await runAuthorizationCodeFlow({
      provider: oauthProvider({authorizationEndpoint: `${server.url}/authorize`, tokenEndpoint: `${server.url}/token`}),
      clientId: 'legacy',
      scopes: ['read'],
      timeoutMs: 20_000,
      implicit: true,
      warn: () => {},
      presentUrl: async (url) => void page.goto(url).catch(() => {}),
    })
    assert.equal(grant.accessToken, 'implicit-token')
    await page.getByText('return to the terminal').waitFor()
    assert.doesNotMatch(page.url(), /implicit-token/)
  })
})
