// `npm run demo`: the real CLI, end to end, against the bundled Strava emulator.
// Logs in (the emulator approves consent by itself, the "browser" is scripts/demo-browser.js), then
// prints the digest of 2024-W10. Everything lives in a temporary directory that is removed at the
// end, secrets included (they go to the --insecure-storage file there, never to your keyring).
import {spawn} from 'node:child_process'
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {startStravaEmulator} from '../test/emulator/index.js'
import {sandboxEnvironment} from './sandbox-env.js'

const root = fileURLToPath(new URL('..', import.meta.url))
const cli = join(root, 'bin', 'run.js')

function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], {env, stdio: ['ignore', 'inherit', 'inherit']})
    child.on('error', reject)
    child.on('exit', (code) => resolve(code ?? 1))
  })
}

const emulator = await startStravaEmulator({autoApprove: true, seed: 'demo'})
const sandbox = await mkdtemp(join(tmpdir(), 'weeknotes-demo-'))
const env = sandboxEnvironment(emulator, sandbox)

try {
  console.error(`demo: Strava emulator on ${emulator.url}; throwaway config in ${sandbox}\n`)
  console.error('demo: $ weeknotes auth --insecure-storage')
  const loginCode = await runCli(['auth', '--insecure-storage'], env)
  if (loginCode !== 0) throw new Error(`weeknotes auth exited with ${loginCode}`)

  console.error('\ndemo: $ weeknotes generate --week 2024-W10\n')
  const generateCode = await runCli(['generate', '--week', '2024-W10'], env)
  if (generateCode !== 0) throw new Error(`weeknotes generate exited with ${generateCode}`)
} catch (error) {
  console.error(`demo failed: ${(error as Error).message}. Did \`npm run build\` succeed?`)
  process.exitCode = 1
} finally {
  await emulator.close()
  await rm(sandbox, {force: true, recursive: true})
}
