import assert from 'node:assert/strict'
import {PassThrough} from 'node:stream'
import {describe, it} from 'node:test'

import {promptHidden, readFirstLine} from '../src/terminal-input.js'

describe('readFirstLine (--client-secret-stdin)', () => {
  it('takes the first line and leaves the rest for the paste reader', async () => {
    const input = new PassThrough()
    input.write('the-secret\r\nhttp://127.0.0.1:1/callback?code=abc\n')
    assert.equal(await readFirstLine(input), 'the-secret')
    const rest: string[] = []
    input.setEncoding('utf8').on('data', (chunk: string) => rest.push(chunk))
    input.resume() // as the paste reader (readline) does
    input.end()
    await new Promise((resolve) => input.once('end', resolve))
    assert.equal(rest.join(''), 'http://127.0.0.1:1/callback?code=abc\n')
  })

  it('accepts a last line without newline and reports empty input as undefined', async () => {
    const one = new PassThrough()
    one.end('secret-without-newline')
    assert.equal(await readFirstLine(one), 'secret-without-newline')
    const none = new PassThrough()
    none.end()
    assert.equal(await readFirstLine(none), undefined)
  })
})

describe('promptHidden', () => {
  const terminal = () => {
    const input = Object.assign(new PassThrough(), {isTTY: true, modes: [] as boolean[]})
    return Object.assign(input, {setRawMode: (mode: boolean) => input.modes.push(mode)})
  }

  it('reads without echo, handles backspace, restores the terminal', async () => {
    const input = terminal()
    const output = new PassThrough()
    const answer = promptHidden('Secret: ', input, output)
    input.write('abx\u007fc\r')
    assert.equal(await answer, 'abc')
    assert.deepEqual(input.modes, [true, false])
    assert.equal(output.read().toString(), 'Secret: \n', 'nothing of the secret is echoed')
  })

  it('Ctrl-C cancels with exit 3', async () => {
    const input = terminal()
    const answer = promptHidden('Secret: ', input, new PassThrough())
    input.write('ab\u0003')
    await assert.rejects(answer, {reason: 'cancelled', exitCode: 3})
    assert.deepEqual(input.modes, [true, false])
  })
})
