// The run's one connection pool: the token endpoint and the API share one kept-alive connection per
// host, and an idle kept-alive connection never holds the process open after the last request.
import assert from 'node:assert/strict'
import {execFile} from 'node:child_process'
import {createServer, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'
import {after, before, test} from 'node:test'
import {promisify} from 'node:util'

import {postForm} from '../../src/http/keep-alive.js'
import {httpGet} from '../../src/strava/http-get.js'

let server: Server
let origin: string
const seen = {connections: 0, requests: [] as string[]}

before(async () => {
  server = createServer((request, response) => {
    seen.requests.push(`${request.method} ${request.url}`)
    let body = ''
    request.on('data', (chunk) => (body += chunk))
    request.on('end', () => response.end(JSON.stringify({echo: body})))
  })
  // Kept open far longer than any test: only the client may end the connection.
  server.keepAliveTimeout = 60_000
  server.on('connection', () => seen.connections++)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
after(() => {
  server.closeAllConnections()
  server.close()
})

test('a token POST and the API GETs that follow travel on one connection', async () => {
  const signal = AbortSignal.timeout(5000)
  const token = await postForm(`${origin}/oauth/token`, {
    method: 'POST',
    headers: {'content-type': 'application/x-www-form-urlencoded'},
    body: 'grant_type=refresh_token',
    signal,
  })
  assert.equal(token.status, 200)
  assert.deepEqual(JSON.parse(await token.text()), {echo: 'grant_type=refresh_token'})
  for (const page of [1, 2]) {
    const answer = await httpGet(`${origin}/api/v3/athlete/activities?page=${page}`, {}, signal)
    assert.equal(answer.status, 200)
  }

  assert.deepEqual(seen.requests, [
    'POST /oauth/token',
    'GET /api/v3/athlete/activities?page=1',
    'GET /api/v3/athlete/activities?page=2',
  ])
  assert.equal(seen.connections, 1)
})

test('the process exits as soon as its last request is answered, though the connection stays open', async () => {
  const script = `
    const {httpGet} = await import(${JSON.stringify(new URL('../../src/strava/http-get.ts', import.meta.url).href)})
    const answer = await httpGet(${JSON.stringify(`${origin}/ping`)}, {}, AbortSignal.timeout(5000))
    console.log(answer.status)`
  const started = Date.now()
  const {stdout} = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script])
  assert.equal(stdout.trim(), '200')
  // The server would keep the connection for a minute; a socket holding the process would show here.
  assert.ok(Date.now() - started < 20_000, `took ${Date.now() - started} ms`)
  assert.ok(seen.requests.includes('GET /ping'))
})
