// A token endpoint that never ends its answer: the client stops reading at MAX_TOKEN_ANSWER_BYTES (exit 5)
// instead of filling memory until the timeout.
import assert from 'node:assert/strict'
import {createServer} from 'node:http'
import type {AddressInfo} from 'node:net'
import {test} from 'node:test'

import {AuthServerUnavailableError} from '../src/errors.js'
import {exchangeCode, MAX_TOKEN_ANSWER_BYTES} from '../src/tokens.js'
import {sendEndlessBody} from './support/endless-body.js'
import {exampleProvider} from './support/example-preset.js'

test('an endless token answer is cut off at the cap with exit 5', async (t) => {
  let sent = () => 0
  const server = createServer((_request, response) => {
    sent = sendEndlessBody(response, '{"access_token": "')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.after(() => {
    server.closeAllConnections()
    server.close()
  })
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/oauth`
  const error = await exchangeCode({
    provider: exampleProvider(url),
    clientId: '1',
    clientSecret: 'client-secret-0123456789',
    code: 'code-0123456789',
    redirectUri: 'http://127.0.0.1:5000/callback',
    requestTimeoutMs: 20_000,
  }).catch((error_: unknown) => error_)
  assert.ok(error instanceof AuthServerUnavailableError, String(error))
  assert.equal(error.exitCode, 5)
  assert.match(error.message, /more than 1 MiB/)
  assert.ok(sent() < MAX_TOKEN_ANSWER_BYTES * 16, `the server could send ${sent()} bytes`)
})
