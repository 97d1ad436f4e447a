import {createInterface} from 'node:readline'
import type {Readable, Writable} from 'node:stream'

import {AuthUsageError, cancelledError} from './errors.js'

/**
 * Reads the first line of `input` and leaves everything after it in the stream, so that
 * `--client-secret-stdin --no-browser` can take the secret from line one and a pasted redirect later.
 */
export function readFirstLine(input: Readable): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    const finish = (line: string | undefined) => {
      input.off('data', onData)
      input.off('end', onEnd)
      input.off('error', reject)
      input.pause()
      resolve(line?.replace(/\r$/, ''))
    }

    const onData = (chunk: Buffer | string) => {
      const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk
      const newline = buffer.indexOf(0x0a)
      if (newline === -1) return void chunks.push(buffer)
      chunks.push(buffer.subarray(0, newline))
      const rest = buffer.subarray(newline + 1)
      finish(Buffer.concat(chunks).toString('utf8'))
      if (rest.length > 0) input.unshift(rest)
    }

    const onEnd = () => finish(chunks.length > 0 ? Buffer.concat(chunks).toString('utf8') : undefined)
    input.on('data', onData)
    input.once('end', onEnd)
    input.once('error', reject)
  })
}

interface TerminalInput extends Readable {
  isTTY?: boolean
  setRawMode?: (mode: boolean) => unknown
}

/** Asks on the terminal and reads a visible answer (the client id, which is not secret). */
export async function promptVisible(question: string, input: Readable, output: Writable): Promise<string> {
  const lines = createInterface({input, output, terminal: false})
  output.write(question)
  try {
    for await (const line of lines) return line.trim()
    return ''
  } finally {
    lines.close()
  }
}

/**
 * Asks on the terminal and reads an answer without echoing it (the client secret): raw mode, our own
 * handling of Enter, Backspace, Ctrl-C and Ctrl-D, nothing written back but a newline.
 */
export function promptHidden(question: string, input: TerminalInput, output: Writable): Promise<string> {
  if (!input.isTTY || !input.setRawMode) return Promise.reject(new AuthUsageError('A hidden prompt needs a terminal.'))
  const setRawMode = input.setRawMode.bind(input)
  output.write(question)
  setRawMode(true)
  input.resume()
  let answer = ''
  return new Promise((resolve, reject) => {
    const done = (error?: Error) => {
      input.off('data', onData)
      setRawMode(false)
      input.pause()
      output.write('\n')
      if (error) reject(error)
      else resolve(answer.trim())
    }

    const onData = (chunk: Buffer | string) => {
      for (const character of chunk.toString()) {
        if (character === '\r' || character === '\n' || character === '\u0004') return done()
        if (character === '\u0003') return done(cancelledError())
        if (character === '\u007f' || character === '\b') answer = answer.slice(0, -1)
        else if (character >= ' ') answer += character
      }
    }

    input.on('data', onData)
  })
}
