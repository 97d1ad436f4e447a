import assert from 'node:assert/strict'
import {readdir, readFile} from 'node:fs/promises'
import {test} from 'node:test'

const authDir = new URL('../src/', import.meta.url)

test('the plugin imports nothing outside its package but node: built-ins and packages', async () => {
  const files = (await readdir(authDir)).filter((name) => name.endsWith('.ts'))
  assert.ok(files.length > 0)
  for (const file of files) {
    const source = await readFile(new URL(file, authDir), 'utf8')
    for (const [, specifier] of source.matchAll(/(?:from|import\()\s*'([^']+)'/g)) {
      assert.ok(!specifier.startsWith('../'), `${file} imports ${specifier}`)
    }
  }
})
