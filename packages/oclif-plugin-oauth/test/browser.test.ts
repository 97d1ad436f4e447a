import assert from 'node:assert/strict'
import {mkdtemp, rm, writeFile} from 'node:fs/promises'
import {createServer} from 'node:http'
import type {AddressInfo} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {test} from 'node:test'

import {openInBrowser} from '../src/browser.js'

test('$BROWSER is run without a shell, split on whitespace, with the URL as its last argument', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'weeknotes-browser-'))
  t.after(() => rm(dir, {recursive: true, force: true}))
  // The fake browser reports its arguments to the test over HTTP, so the test awaits an event, not a sleep.
  const script = join(dir, 'fake-browser.mjs')
  await writeFile(
    script,
    "await fetch(process.argv[2], {method: 'POST', body: JSON.stringify(process.argv.slice(3))})\n",
  )
  let reported!: (args: string[]) => void
  const args = new Promise<string[]>((resolve) => (reported = resolve))
  const server = createServer((request, response) => {
    let body = ''
    request.on('data', (chunk: Buffer) => (body += chunk.toString()))
    request.on('end', () => {
      response.end()
      reported(JSON.parse(body) as string[])
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())))
  const reportUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/report`

  const url = 'https://www.strava.com/oauth/authorize?client_id=1&state=a;b&scope=read,activity:read_all'
  const opened = await openInBrowser(url, {BROWSER: `  ${process.execPath}   ${script} ${reportUrl} --new-window `})
  assert.equal(opened, true)
  assert.deepEqual(await args, ['--new-window', url])
})

test('a $BROWSER that cannot be started yields false instead of throwing', async () => {
  assert.equal(
    await openInBrowser('http://127.0.0.1:1/', {BROWSER: '/nonexistent/weeknotes-test-browser --flag'}),
    false,
  )
})

// `xdg-open` on a machine without a desktop starts, then exits with an error: that is no open browser.
test('a $BROWSER that starts but exits with an error yields false', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'weeknotes-browser-'))
  t.after(() => rm(dir, {recursive: true, force: true}))
  const script = join(dir, 'failing-opener.mjs')
  await writeFile(script, "console.error('xdg-open: no method available for opening the URL'); process.exit(3)\n")
  assert.equal(await openInBrowser('http://127.0.0.1:1/', {BROWSER: `${process.execPath} ${script}`}), false)
})

test('a browser still running after the settle time counts as opened, and is not waited for', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'weeknotes-browser-'))
  t.after(() => rm(dir, {recursive: true, force: true}))
  const script = join(dir, 'lingering-browser.mjs')
  await writeFile(script, 'setTimeout(() => {}, 5000)\n')
  const started = Date.now()
  assert.equal(await openInBrowser('http://127.0.0.1:1/', {BROWSER: `${process.execPath} ${script}`}, 300), true)
  assert.ok(Date.now() - started < 4000, 'it did not wait for the browser to exit')
})
