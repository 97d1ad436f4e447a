import {execFile} from 'node:child_process'
import {cp, symlink} from 'node:fs/promises'
import {join} from 'node:path'

import {repoRoot} from './cli.js'

/** What a clone of the repository holds that building, packing or the Action needs. */
const checkoutEntries = [
  'package.json',
  'package-lock.json',
  'tsconfig.json',
  'README.md',
  'LICENSE',
  'action.yml',
  'bin',
  'scripts',
  'src',
  'templates',
]

/**
 * A copy of this checkout in `dir`, its node_modules a link to ours: a build, a pack or the Action's
 * steps run there without touching the working tree's dist (which other tests run).
 */
export async function copyCheckout(dir: string): Promise<void> {
  for (const entry of checkoutEntries) await cp(join(repoRoot, entry), join(dir, entry), {recursive: true})
  await symlink(join(repoRoot, 'node_modules'), join(dir, 'node_modules'), 'dir')
}

/**
 * The environment for an npm or CLI child started by a test: no npm_* variables from `npm test` (a nested
 * npm would take them as its own configuration) and this Node first on PATH.
 */
export function childEnvironment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [name, value] of Object.entries(process.env)) {
    if (!/^npm_/i.test(name) && !/^(STRAVA|WEEKNOTES)_/.test(name)) env[name] = value
  }

  return {...env, PATH: `${join(process.execPath, '..')}:${process.env.PATH ?? ''}`, ...extra}
}

export interface Finished {
  code: number
  stdout: string
  stderr: string
}

/** Runs a program to its end (no shell), resolving with its exit code and output whatever the code. */
export function run(
  file: string,
  args: string[],
  options: {cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number; input?: string} = {},
): Promise<Finished> {
  return new Promise((resolve) => {
    const child = execFile(
      file,
      args,
      {cwd: options.cwd, env: options.env, timeout: options.timeoutMs ?? 120_000, maxBuffer: 64 * 1024 * 1024},
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0
        resolve({code, stdout, stderr})
      },
    )
    child.stdin?.on('error', () => {})
    child.stdin?.end(options.input ?? '')
  })
}
