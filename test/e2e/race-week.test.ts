// A race week as a reader meets it: the built CLI writes a page bundle from the emulator's seed (the
// New York City Marathon week), a real Markdown renderer turns it into HTML and a real Chromium shows it,
// pictures and all. WEEKNOTES_SCREENSHOT=path keeps the screenshot for people to look at.
import assert from 'node:assert/strict'
import {readdir, readFile, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {pathToFileURL} from 'node:url'
import {after, before, describe, it} from 'node:test'

import MarkdownIt from 'markdown-it'
import type {Browser} from 'playwright-core'
import {parse as parseYaml} from 'yaml'

import {startStravaEmulator, type StravaEmulator} from 'strava-emulator'
import {launchChromium} from '../../packages/oclif-plugin-oauth/test/support/browser.js'
import {cliEnvironment, createCliHome, runCli, type CliHome} from '../support/cli.js'

/** Strava's CDN is out of reach here: the browser gets this stand-in for every photo. */
const PHOTO =
  '<svg xmlns="http://www.w3.org/2000/svg" width="768" height="576"><rect width="768" height="576" fill="#7a8b99"/><text x="384" y="300" font-size="48" text-anchor="middle" fill="#fff">photo</text></svg>'

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title><style>
body{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem}
img{max-width:100%}table{border-collapse:collapse}td,th{padding:.2rem .6rem;border-bottom:1px solid #ccc}
</style></head><body>${body}</body></html>`
}

describe('a race week, rendered as a blog would and seen in Chromium', () => {
  let emulator: StravaEmulator
  let home: CliHome
  let browser: Browser | undefined
  let skipReason: string | undefined
  let bundle: string
  let markdown: string
  let requests: string[]
  /** CI mode, a fresh refresh token per run (the emulator rotates them as Strava does). */
  const env = () =>
    cliEnvironment(home, {
      STRAVA_CLIENT_ID: emulator.client.id,
      STRAVA_CLIENT_SECRET: emulator.client.secret,
      STRAVA_REFRESH_TOKEN: emulator.issueTokens().refreshToken,
      STRAVA_API_URL: emulator.apiUrl,
      STRAVA_OAUTH_URL: emulator.oauthUrl,
    })
  let out: string

  before(async () => {
    emulator = await startStravaEmulator({seed: 'demo'})
    home = await createCliHome()
    ;({browser, skipReason} = await launchChromium())
    out = join(home.root, 'content', 'weeknotes')
    const result = await runCli(['generate', '--week', '2024-W44', '--out-dir', out, '--bundle'], {env: env()})
    assert.equal(result.code, 0, result.stderr)
    bundle = join(out, '2024-W44')
    markdown = await readFile(join(bundle, 'index.md'), 'utf8')
    requests = emulator.requests.map((request) => request.path)
  })
  after(async () => {
    await browser?.close()
    await emulator.close()
    await home.remove()
  })

  it('writes WEEK/index.md with the chart and a route map per outdoor activity beside it', async () => {
    const files = (await readdir(bundle)).sort()
    assert.deepEqual(
      files.filter((file) => !file.startsWith('route-')),
      ['chart.svg', 'index.md'],
    )
    assert.equal(files.filter((file) => file.startsWith('route-')).length, 5, 'five runs outdoors')
    for (const file of files) assert.ok(markdown.includes(`](${file})`) || file === 'index.md', `${file} is linked`)
    // One list round trip over the weeks before too (for the comparisons), one detail call per activity.
    assert.equal(requests.filter((path) => path.startsWith('/api/v3/activities/')).length, 5)
  })

  it('--no-maps keeps the chart and leaves the route maps out; --map-trim takes metres', async () => {
    const plain = join(home.root, 'no-maps')
    const args = ['generate', '--week', '2024-W44', '--out-dir', plain, '--bundle', '--no-maps', '--map-trim', '500']
    const result = await runCli(args, {env: env()})
    assert.equal(result.code, 0, result.stderr)
    assert.deepEqual((await readdir(join(plain, '2024-W44'))).sort(), ['chart.svg', 'index.md'])
    const bad = await runCli(['generate', '--week', '2024-W44', '--out-dir', plain, '--bundle', '--map-trim', 'far'], {
      env: env(),
    })
    assert.equal(bad.code, 2)
  })

  it('gives the race its own section with the description and the photo, and keeps the private note out', () => {
    assert.match(markdown, /\n## Race: TCS New York City Marathon\n\n3 November: Run, 42\.6 km in 3:42:02/)
    assert.match(markdown, /\n\nOfficial time 3:42:02\. Race got impossibly hard at mile 21, but the crowds/)
    assert.match(markdown, /\n!\[Photo from TCS New York City Marathon\]\(https:\/\/[^)]+-768x576\.jpg\)\n/)
    assert.match(
      markdown,
      /- 07:30 Shake-out in Central Park: .*\. Legs feel fresh after the flight\. \[View on Strava\]/,
    )
    assert.match(markdown, /\(\+\d+% distance on last week\)\./)
    assert.doesNotMatch(markdown, /Gel every 5 km|calf/, 'privateNote is never in the default template')
    assert.match(markdown, /\nPowered by Strava\n$/)
    const frontMatter = parseYaml(/^---\n([\s\S]*?)\n---\n/.exec(markdown)![1]) as {totals: {count: number}}
    assert.equal(frontMatter.totals.count, 5)
  })

  it('keeps the details in the archive: the same week again costs no detail request, and --offline has them too', async () => {
    emulator.clearRequests()
    const again = await runCli(['generate', '--week', '2024-W44', '--out-dir', out, '--bundle', '--force'], {
      env: env(),
    })
    assert.equal(again.code, 0, again.stderr)
    assert.deepEqual(
      emulator.requests.filter((request) => request.path.startsWith('/api/v3/activities/')),
      [],
    )
    assert.equal(await readFile(join(bundle, 'index.md'), 'utf8'), markdown)

    const offline = await runCli(['generate', '--week', '2024-W44', '--offline'], {env: env()})
    assert.equal(offline.code, 0, offline.stderr)
    assert.match(offline.stdout, /\n\nOfficial time 3:42:02\. Race got impossibly hard/)
  })

  it('shows every picture in Chromium, from relative links, with the photo and the text in place', async (t) => {
    if (!browser) return t.skip(skipReason)
    const body = new MarkdownIt({html: false}).render(markdown.replace(/^---\n[\s\S]*?\n---\n/, ''))
    const html = join(bundle, 'index.html')
    await writeFile(html, page('Week 44, 2024', body))
    const context = await browser.newContext({viewport: {width: 900, height: 800}})
    try {
      const tab = await context.newPage()
      await tab.route(/^https?:\/\//, (route) =>
        /cloudfront\.net\/.+\.jpg$/.test(route.request().url())
          ? route.fulfill({contentType: 'image/svg+xml', body: PHOTO})
          : route.abort(),
      )
      await tab.goto(pathToFileURL(html).href)
      await tab.waitForFunction(() => [...document.images].every((image) => image.complete))
      const images = await tab.$$eval('img', (list) =>
        list.map((image) => ({src: image.getAttribute('src'), alt: image.alt, width: image.naturalWidth})),
      )
      assert.ok(images.length >= 7, 'chart, photo, five routes')
      for (const image of images) assert.ok(image.width > 0, `${image.src} did not load`)
      assert.equal(await tab.locator('h2').first().textContent(), 'Race: TCS New York City Marathon')
      assert.equal(await tab.locator('a', {hasText: 'View on Strava'}).count(), 6)
      const screenshot = await tab.screenshot({fullPage: true})
      assert.ok(screenshot.length > 10_000)
      if (process.env.WEEKNOTES_SCREENSHOT) await writeFile(process.env.WEEKNOTES_SCREENSHOT, screenshot)
    } finally {
      await context.close()
    }
  })
})
