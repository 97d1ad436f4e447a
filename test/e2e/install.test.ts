// Installing as users do: `npm pack` (built by prepack) into a tarball that installs globally on a clean
// prefix and runs with no devDependencies; and bin/run.js refusing a Node older than package.json says.
import assert from 'node:assert/strict'
import {existsSync} from 'node:fs'
import {mkdir, mkdtemp, readFile, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {test} from 'node:test'

import {startStravaEmulator} from 'strava-emulator'
import {childEnvironment, copyCheckout, run} from '../support/checkout.js'
import {builtCli, repoRoot} from '../support/cli.js'

const packageJson = JSON.parse(await readFile(join(repoRoot, 'package.json'), 'utf8')) as {
  engines: {node: string}
  license: string
  repository?: unknown
  exports?: unknown
  oclif: {commands: {target: string}}
  devDependencies: Record<string, string>
}

/** A node binary on this machine older than 22.13 (the machine's own one here), if any. */
async function oldNode(): Promise<{path: string; version: string} | undefined> {
  const which = await run('which', ['-a', 'node'])
  const candidates = new Set(['/usr/bin/node', '/usr/local/bin/node', ...which.stdout.split('\n').filter(Boolean)])
  for (const path of candidates) {
    if (!existsSync(path)) continue
    const {code, stdout} = await run(path, ['-p', 'process.versions.node'])
    const version = stdout.trim()
    const [major, minor] = version.split('.').map(Number)
    if (code === 0 && (major < 22 || (major === 22 && minor < 13))) return {path, version}
  }

  return undefined
}

test('bin/run.js checks the version package.json engines names, before loading anything', async (t) => {
  assert.equal(packageJson.engines.node, '>=22.13')
  const source = await readFile(builtCli, 'utf8')
  assert.match(source, /major < 22 \|\| \(major === 22 && minor < 13\)/)
  assert.match(source, /Node\.js 22\.13 or newer/)
  assert.ok(
    source.indexOf('major < 22') < source.indexOf('import'),
    'the check comes before the first import (static imports would load first)',
  )

  const old = await oldNode()
  if (!old) return t.skip('no Node older than 22.13 on this machine to run bin/run.js with')
  const result = await run(old.path, [builtCli, 'generate', '--week', '2024-W10'], {env: childEnvironment()})
  assert.equal(result.code, 1)
  assert.equal(result.stdout, '')
  assert.equal(result.stderr, `weeknotes needs Node.js 22.13 or newer, but this is Node.js ${old.version}.\n`)
})

test('package.json: a repository, a LICENSE matching its licence, no library exports', async () => {
  assert.ok(packageJson.repository, 'repository field')
  assert.equal(packageJson.license, 'MIT')
  assert.match(await readFile(join(repoRoot, 'LICENSE'), 'utf8'), /^MIT License\n/)
  // The CLI is not a library: oclif finds the commands through oclif.commands, not through `exports`.
  assert.equal(packageJson.exports, undefined)
  assert.ok(existsSync(join(repoRoot, packageJson.oclif.commands.target)), 'the command map the build makes')
})

test(
  'npm pack builds a tarball that installs globally on a clean prefix and runs without devDependencies',
  {skip: process.platform === 'win32' ? 'runs npm and the installed bin as Unix programs' : false},
  async () => {
    const root = await mkdtemp(join(tmpdir(), 'weeknotes-install-'))
    const emulator = await startStravaEmulator({seed: 'demo'})
    try {
      const checkout = join(root, 'checkout')
      await mkdir(checkout)
      await copyCheckout(checkout)
      const env = childEnvironment({npm_config_update_notifier: 'false'})
      const pack = await run('npm', ['pack', '--pack-destination', root, '--json'], {
        cwd: checkout,
        env,
        timeoutMs: 300_000,
      })
      assert.equal(pack.code, 0, pack.stderr)
      // The build's own output (prepack) comes first on stdout; npm's JSON report is last.
      const [{filename, files}] = JSON.parse(pack.stdout.slice(pack.stdout.lastIndexOf('\n[') + 1)) as [
        {filename: string; files: Array<{path: string}>},
      ]
      const paths = files.map((file) => file.path)
      for (const path of [
        'bin/run.js',
        'dist/index.js',
        'oclif.manifest.json',
        'templates/weeknotes.md.hbs',
        'LICENSE',
      ]) {
        assert.ok(paths.includes(path), `${path} in the tarball`)
      }
      assert.ok(!paths.some((path) => path.startsWith('src/') || path.startsWith('test/')), 'no sources or tests')

      const prefix = join(root, 'prefix')
      const install = await run(
        'npm',
        [
          'install',
          '--global',
          '--prefix',
          prefix,
          '--no-audit',
          '--no-fund',
          '--prefer-offline',
          join(root, filename),
        ],
        {cwd: root, env, timeoutMs: 600_000},
      )
      assert.equal(install.code, 0, install.stderr)
      const modules = join(prefix, 'lib', 'node_modules', 'weeknotes', 'node_modules')
      assert.ok(existsSync(join(modules, '@oclif', 'core')), 'dependencies installed')
      const devInstalled = Object.keys(packageJson.devDependencies).filter((dev) => existsSync(join(modules, dev)))
      assert.deepEqual(devInstalled, [], 'no devDependency installed')

      const home = join(root, 'home')
      await mkdir(home)
      const note = await run(join(prefix, 'bin', 'weeknotes'), ['generate', '--week', '2024-W10'], {
        cwd: home,
        env: {
          HOME: home,
          PATH: `${join(process.execPath, '..')}:/usr/bin:/bin`,
          STRAVA_CLIENT_ID: emulator.client.id,
          STRAVA_CLIENT_SECRET: emulator.client.secret,
          STRAVA_REFRESH_TOKEN: emulator.issueTokens().refreshToken,
          STRAVA_OAUTH_URL: emulator.oauthUrl,
          STRAVA_API_URL: emulator.apiUrl,
        },
      })
      assert.equal(note.code, 0, note.stderr)
      assert.match(note.stdout, /^---\ntitle: "Week 10, 2024: training notes"/)
    } finally {
      await emulator.close()
      await rm(root, {recursive: true, force: true})
    }
  },
)
