// A signal (Ctrl-C, SIGTERM from cron or CI) while a note is written leaves no temporary file and no
// half-written note: each case writes 256 MiB in a node process of its own and signals it mid-write.
import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {watch} from 'node:fs'
import {readdir, readFile, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {test} from 'node:test'
import {fileURLToPath} from 'node:url'
import {scratchDirectories} from '../support/scratch.js'

const {fresh} = scratchDirectories('signals')

test('a signal during a write removes the temporary file and ends with 128 + the signal number', async () => {
  const directory = await fresh()
  const target = join(directory, 'big.md')
  const output = fileURLToPath(new URL('../../src/notes/output.ts', import.meta.url))
  // 256 MiB written in 512 KiB chunks: long enough for the signal to arrive while the temporary file exists.
  const script = `import {writeFileAtomic} from ${JSON.stringify(output)}
await writeFileAtomic(${JSON.stringify(target)}, 'x'.repeat(256 * 1024 * 1024), {force: false})
console.log('finished')`
  const child = spawn(
    process.execPath,
    ['--conditions=oauth-plugin-source', '--import', 'tsx', '--input-type=module', '-e', script],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  let stdout = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk))
  const watcher = watch(directory, (_event, name) => {
    if (name?.includes('.tmp-')) {
      watcher.close()
      child.kill('SIGTERM')
    }
  })
  const code = await new Promise<number | null>((resolve) => child.on('close', (exit) => resolve(exit)))
  watcher.close()
  assert.equal(stdout, '', 'the write was interrupted, not finished')
  assert.equal(code, 143)
  assert.deepEqual(await readdir(directory), [], 'no temporary file, no note')
})

test('a signal during a --force replace removes the temporary file and leaves the old note', async () => {
  const directory = await fresh()
  const target = join(directory, 'big.md')
  await writeFile(target, 'old note')
  const output = fileURLToPath(new URL('../../src/notes/output.ts', import.meta.url))
  const script = `import {writeFileAtomic} from ${JSON.stringify(output)}
await writeFileAtomic(${JSON.stringify(target)}, 'x'.repeat(256 * 1024 * 1024), {force: true})
console.log('finished')`
  const child = spawn(
    process.execPath,
    ['--conditions=oauth-plugin-source', '--import', 'tsx', '--input-type=module', '-e', script],
    {stdio: ['ignore', 'pipe', 'pipe']},
  )
  let stdout = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk))
  // write-file-atomic names its temporary file big.md.<number>.
  const watcher = watch(directory, (_event, name) => {
    if (name?.startsWith('big.md.')) {
      watcher.close()
      child.kill('SIGTERM')
    }
  })
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.on('close', (exit, killedBy) => resolve([exit, killedBy])),
  )
  watcher.close()
  assert.equal(stdout, '', 'the write was interrupted, not finished')
  assert.ok(code === 143 || signal === 'SIGTERM', `ended as SIGTERM would: ${code} ${signal}`)
  assert.deepEqual(await readdir(directory), ['big.md'], 'no temporary file')
  assert.equal(await readFile(target, 'utf8'), 'old note')
})
