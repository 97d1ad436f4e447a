import assert from 'node:assert/strict'
import {readdir, readFile} from 'node:fs/promises'
import {test} from 'node:test'

const authDir = new URL('../../src/auth/', import.meta.url)

test('src/auth imports nothing outside itself but node: built-ins and packages, so it can become its own plugin', async () => {
  const files = (await readdir(authDir)).filter((name) => name.endsWith('.ts'))
  assert.ok(files.length > 0)
  for (const file of files) {
    const source = await readFile(new URL(file, authDir), 'utf8')
    for (const [, specifier] of source.matchAll(/(?:from|import\()\s*'([^']+)'/g)) {
      assert.ok(!specifier.startsWith('../'), `${file} imports ${specifier}`)
    }
  }
})
