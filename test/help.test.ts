// The help class (src/help.ts) skips EJS for texts without a tag: every help page must read exactly as
// oclif's own Help prints it, and the built CLI must use it (package.json oclif.helpClass), for --help and
// for `weeknotes help`.
import assert from 'node:assert/strict'
import {execFile} from 'node:child_process'
import {test} from 'node:test'
import {promisify} from 'node:util'
import {Config} from '@oclif/core/config'
import {Help, loadHelpClass} from '@oclif/core/help'

import WeeknotesHelp, {skipPlainText} from '../src/help.js'
import {builtCli, repoRoot} from './support/cli.js'

const run = promisify(execFile)

/**
 * The page a help class prints for `argv`, at 80 columns, as the lines it logs. A config of its own each
 * time: oclif's help rewrites the ids of the commands it formats (`auth:key` to `auth key`) in place.
 */
async function page(HelpClass: typeof Help, argv: string[]): Promise<string> {
  const help = new HelpClass(await Config.load({root: repoRoot}), {maxWidth: 80})
  const lines: string[] = []
  Object.assign(help, {log: (...parts: string[]) => lines.push(parts.join(' '))})
  await help.showHelp(argv)
  return lines.join('\n') + '\n'
}

test('every help page reads as oclif prints it, tags rendered, with the built CLI using the class', async () => {
  const config = await Config.load({root: repoRoot})
  const pages = [[], ['auth'], ...config.commandIDs.map((id) => id.split(':'))]
  assert.ok(config.commandIDs.includes('generate') && config.commandIDs.includes('help'))
  for (const argv of pages) {
    assert.equal(await page(WeeknotesHelp, argv), await page(Help, argv), `help for "${argv.join(' ')}"`)
  }

  const generate = await page(WeeknotesHelp, ['generate'])
  assert.match(generate, /\$ weeknotes generate --week 2024-W10/)
  assert.doesNotMatch(generate, /<%/)

  // package.json names it, so oclif loads it (from the bundle, or from the sources under tsx).
  assert.match((await loadHelpClass(await Config.load({root: repoRoot}))).name, /^WeeknotesHelp/)
  const built = await run(process.execPath, [builtCli, 'generate', '--help'], {
    env: {...process.env, OCLIF_COLUMNS: '80', NO_COLOR: '1'},
  })
  assert.equal(built.stdout, generate)
  // `weeknotes help generate`: @oclif/plugin-help's command, loaded on demand from the explicit command list.
  const helpCommand = await run(process.execPath, [builtCli, 'help', 'generate'], {
    env: {...process.env, OCLIF_COLUMNS: '80', NO_COLOR: '1'},
  })
  assert.equal(helpCommand.stdout, generate)
})

test('only a text with an EJS tag goes to the renderer', () => {
  const rendered: string[] = []
  const render = skipPlainText((text) => (rendered.push(text), text.replace('<%= config.bin %>', 'weeknotes')))
  assert.equal(
    render('Write the note. 100% local, <b>bold</b> stays.'),
    'Write the note. 100% local, <b>bold</b> stays.',
  )
  assert.equal(render('$ <%= config.bin %> generate'), '$ weeknotes generate')
  assert.deepEqual(rendered, ['$ <%= config.bin %> generate'])
})
