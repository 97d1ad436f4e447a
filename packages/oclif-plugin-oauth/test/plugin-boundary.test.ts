import assert from 'node:assert/strict'
import {readdir, readFile} from 'node:fs/promises'
import {test} from 'node:test'

const sourceDir = new URL('../src/', import.meta.url)
const sourceFiles = async () => (await readdir(sourceDir, {recursive: true})).filter((name) => name.endsWith('.ts'))

test('the plugin imports nothing outside its package but node: built-ins and packages', async () => {
  const files = await sourceFiles()
  assert.ok(files.length > 0)
  for (const file of files) {
    const source = await readFile(new URL(file, sourceDir), 'utf8')
    for (const [, specifier] of source.matchAll(/(?:from|import\()\s*'([^']+)'/g)) {
      const outside = new URL(specifier, new URL(file, sourceDir)).href
      assert.ok(!specifier.startsWith('.') || outside.startsWith(sourceDir.href), `${file} imports ${specifier}`)
    }
  }
})

test('the plugin names no provider and no host CLI: every such word comes from the preset', async () => {
  // The first host and its provider, by name; a made-up example preset stands in for them in these tests.
  for (const file of await sourceFiles()) {
    assert.doesNotMatch(await readFile(new URL(file, sourceDir), 'utf8'), /strava|weeknotes/i, `${file} names them`)
  }
})
