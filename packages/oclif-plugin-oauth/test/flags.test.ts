import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {parse} from '@oclif/core/parser'

import {durationFlag, FlagValueError, parseDurationMs} from '../src/flags.js'

// Two flags as the host CLI declares them: --timeout (more than zero, at most a day) and --max-wait (0 allowed).
const flags = {
  timeout: durationFlag({
    default: '5m',
    invalid: (text) => `"${text}" is not a duration; give seconds (300) or a number with s, m or h (30s, 5m).`,
    max: {ms: 24 * 3600 * 1000, tooLong: (text) => `"${text}" is too long; give at most 24h.`},
  }),
  'max-wait': durationFlag({
    default: '15m',
    allowZero: true,
    invalid: (text) => `--max-wait "${text}" is not a duration; use seconds or a unit, e.g. 0, 90s, 15m.`,
  }),
}

/** The flags in milliseconds. */
async function parsed(argv: string[]) {
  const {timeout, 'max-wait': maxWait} = (await parse(argv, {flags, strict: true})).flags
  return {timeout: timeout.ms, 'max-wait': maxWait.ms}
}

async function parseError(argv: string[]): Promise<FlagValueError> {
  const error = await parsed(argv).then(
    () => assert.fail(`${argv.join(' ')} parsed`),
    (error: unknown) => error,
  )
  assert.ok(error instanceof FlagValueError, `${argv.join(' ')}: ${String(error)}`)
  return error
}

describe('parseDurationMs', () => {
  it('reads seconds, s/m/h units and decimals, in milliseconds', () => {
    for (const [text, ms] of [
      ['0', 0],
      ['300', 300_000],
      ['90s', 90_000],
      ['90', 90_000],
      ['1.5m', 90_000],
      [' 5 M ', 300_000],
      ['15m', 900_000],
      ['1h', 3_600_000],
    ] as const) {
      assert.equal(parseDurationMs(text), ms, text)
    }
  })

  it('is undefined for anything else', () => {
    for (const text of ['', 'soon', '5 minutes', '-1', '-5m', '1d', '1.m', '.5s', '5ms']) {
      assert.equal(parseDurationMs(text), undefined, text)
    }
  })
})

describe('durationFlag', () => {
  it('gives the defaults in milliseconds; help and the manifest show them as written', async () => {
    assert.deepEqual(await parsed([]), {timeout: 300_000, 'max-wait': 900_000})
    assert.equal(`${flags.timeout.default}`, '5m')
    assert.equal(JSON.stringify({default: flags['max-wait'].default}), '{"default":"15m"}')
    assert.equal((await parse(['--max-wait', ' 90s'], {flags})).flags['max-wait'].text, ' 90s')
  })

  it('accepts the same forms for every duration flag', async () => {
    assert.deepEqual(await parsed(['--timeout', '1.5m', '--max-wait', '90s']), {timeout: 90_000, 'max-wait': 90_000})
    assert.deepEqual(await parsed(['--timeout=300', '--max-wait=1h']), {timeout: 300_000, 'max-wait': 3_600_000})
    assert.equal((await parsed(['--max-wait', '0']))['max-wait'], 0)
    assert.equal((await parsed(['--timeout', '24h'])).timeout, 86_400_000)
  })

  it("rejects bad values with exit 2 and the flag's own sentence, unwrapped by oclif", async () => {
    const cases = [
      [['--timeout', 'soon'], '"soon" is not a duration; give seconds (300) or a number with s, m or h (30s, 5m).'],
      [['--timeout', '0'], '"0" is not a duration; give seconds (300) or a number with s, m or h (30s, 5m).'],
      [['--timeout', '-1'], '"-1" is not a duration; give seconds (300) or a number with s, m or h (30s, 5m).'],
      // 600h would overflow setTimeout, which then fires at once: the login would time out immediately.
      [['--timeout', '25h'], '"25h" is too long; give at most 24h.'],
      [['--timeout', '600h'], '"600h" is too long; give at most 24h.'],
      [['--max-wait', 'soon'], '--max-wait "soon" is not a duration; use seconds or a unit, e.g. 0, 90s, 15m.'],
      [['--max-wait', '-5m'], '--max-wait "-5m" is not a duration; use seconds or a unit, e.g. 0, 90s, 15m.'],
    ] as const
    for (const [argv, sentence] of cases) {
      const error = await parseError([...argv])
      assert.equal(error.exitCode, 2)
      assert.equal(error.message, sentence)
    }
  })
})
