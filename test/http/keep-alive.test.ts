// The run's one connection pool: the token endpoint and the API share one kept-alive connection per
// host, and an idle kept-alive connection never holds the process open after the last request.
import assert from 'node:assert/strict'
import {execFile} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {createServer, type Server} from 'node:http'
import {createSecureServer, type Http2ServerRequest, type Http2ServerResponse} from 'node:http2'
import {createServer as createHttpsServer} from 'node:https'
import type {AddressInfo} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, test} from 'node:test'
import {promisify} from 'node:util'

import {postForm} from '../../src/http/keep-alive.js'
import {httpGet} from '../../src/strava/http-get.js'
import {loopbackCertificate} from '../support/certificate.js'

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
  const {stdout} = await promisify(execFile)(process.execPath, [
    '--conditions=oauth-plugin-source',
    '--import',
    'tsx',
    '--input-type=module',
    '-e',
    script,
  ])
  assert.equal(stdout.trim(), '200')
  // The server would keep the connection for a minute; a socket holding the process would show here.
  assert.ok(Date.now() - started < 20_000, `took ${Date.now() - started} ms`)
  assert.ok(seen.requests.includes('GET /ping'))
})

/** In a fresh process trusting `certFile`: a token POST, then two GETs sent together; prints each status. */
async function tokenThenTwoPages(origin: string, certFile: string): Promise<string> {
  const module = (path: string) => JSON.stringify(new URL(path, import.meta.url).href)
  const script = `
    const {postForm} = await import(${module('../../src/http/keep-alive.ts')})
    const {httpGet} = await import(${module('../../src/strava/http-get.ts')})
    const signal = AbortSignal.timeout(10000)
    const token = await postForm('${origin}/oauth/token', {method: 'POST', headers: {}, body: 'x', signal})
    await token.text()
    const pages = await Promise.all([1, 2].map((page) => httpGet('${origin}/list?page=' + page, {}, signal)))
    console.log([token.status, ...pages.map((p) => p.status)].join(' '))`
  const {stdout} = await promisify(execFile)(
    process.execPath,
    ['--conditions=oauth-plugin-source', '--import', 'tsx', '--input-type=module', '-e', script],
    {
      env: {...process.env, NODE_EXTRA_CA_CERTS: certFile},
    },
  )
  return stdout.trim()
}

for (const protocol of ['HTTP/2', 'HTTP/1.1'] as const) {
  test(`over HTTPS to a server that speaks ${protocol}: one connection for the token call and the pages`, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'weeknotes-tls-'))
    t.after(() => rmSync(dir, {recursive: true, force: true}))
    const tls = loopbackCertificate(dir)
    if (!tls) return t.skip('needs the openssl command to make a certificate')

    const seen = {connections: 0, versions: new Set<string>(), inFlight: 0, mostInFlight: 0, windows: [] as number[]}
    const handler = (request: Http2ServerRequest, response: Http2ServerResponse) => {
      seen.versions.add(request.httpVersion)
      // What the server may send before the client acknowledges: per stream, and for the whole connection.
      const session = request.httpVersion === '2.0' ? request.stream.session : undefined
      if (session) seen.windows.push(session.remoteSettings.initialWindowSize ?? 0, session.state.remoteWindowSize ?? 0)
      seen.mostInFlight = Math.max(seen.mostInFlight, ++seen.inFlight)
      request.resume()
      // Answered a little later, so that requests sent together are seen together.
      setTimeout(() => {
        seen.inFlight--
        response.end('[]')
      }, 50)
    }
    const server =
      protocol === 'HTTP/2'
        ? createSecureServer({key: tls.key, cert: tls.cert, allowHTTP1: true}, handler)
        : createHttpsServer({key: tls.key, cert: tls.cert}, handler as never)
    server.on('secureConnection', () => seen.connections++)
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    t.after(() => new Promise((resolve) => server.close(resolve)))
    const {port} = server.address() as AddressInfo

    assert.equal(await tokenThenTwoPages(`https://127.0.0.1:${port}`, tls.certFile), '200 200 200')
    assert.equal(seen.connections, 1)
    assert.deepEqual([...seen.versions], [protocol === 'HTTP/2' ? '2.0' : '1.1'])
    // HTTP/2 carries the two pages at once; HTTP/1.1 one after the other on its one connection.
    assert.equal(seen.mostInFlight, protocol === 'HTTP/2' ? 2 : 1)
    // HTTP/2's default 64 KiB windows would cost a round trip per 64 KiB of a 200-activity page (~200 KB-1.8 MB).
    for (const window of seen.windows) assert.ok(window >= 2 * 1024 * 1024, `a window of ${window} bytes`)
  })
}
