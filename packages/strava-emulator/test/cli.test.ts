import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {once} from 'node:events'
import {fileURLToPath} from 'node:url'
import {describe, it} from 'node:test'

const script = fileURLToPath(new URL('../src/cli.ts', import.meta.url))

function start(...args: string[]) {
  const child = spawn(process.execPath, ['--conditions=oauth-plugin-source', '--import', 'tsx', script, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  /** Resolves with stdout once the script says it is ready. */
  const ready = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', () => stdout.includes('Ctrl-C stops') && resolve(stdout))
    child.once('exit', (code) => reject(new Error(`exited with ${code}: ${stderr}`)))
  })
  ready.catch(() => {}) // a test that expects the script to fail does not wait for it to be ready
  return {child, ready, output: () => ({stdout, stderr})}
}

describe('emulator standalone script', () => {
  it('prints the URLs and the fake client credentials, serves, and stops cleanly on SIGTERM', async () => {
    const {child, ready} = start('--auto-approve', '--seed', 'empty')
    try {
      const stdout = await ready
      const oauthUrl = /^STRAVA_OAUTH_URL=(\S+)$/m.exec(stdout)?.[1] ?? ''
      const apiUrl = /^STRAVA_API_URL=(\S+)$/m.exec(stdout)?.[1] ?? ''
      assert.match(oauthUrl, /^http:\/\/127\.0\.0\.1:\d+\/oauth$/)
      assert.equal(apiUrl, oauthUrl.replace(/\/oauth$/, '/api/v3'))
      assert.match(stdout, /^STRAVA_CLIENT_ID=12345$/m)
      assert.match(stdout, /^STRAVA_CLIENT_SECRET=emulator-client-secret /m)
      const query = new URLSearchParams({
        client_id: '12345',
        response_type: 'code',
        redirect_uri: 'http://localhost:9/callback',
        scope: 'activity:read_all',
      })
      const response = await fetch(`${oauthUrl}/authorize?${query}`, {redirect: 'manual'})
      assert.equal(response.status, 302, 'auto-approve redirects at once')
    } finally {
      child.kill('SIGTERM')
    }

    const [code] = await once(child, 'exit')
    assert.equal(code, 0)
  })

  it('exits 2 on a bad --seed', async () => {
    const {child, output} = start('--seed', 'huge')
    const [code] = await once(child, 'exit')
    assert.equal(code, 2)
    assert.match(output().stderr, /--seed must be demo or empty/)
  })
})
