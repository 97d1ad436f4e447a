// What both benchmarks (bench/run.ts on loopback, bench/latency.ts through a slow TLS link) measure a
// process with: wall time, CPU time and peak RSS, as medians of runs taken round-robin.
import {spawn} from 'node:child_process'
import {readFile} from 'node:fs/promises'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

const usagePreload = fileURLToPath(new URL('usage.cjs', import.meta.url))

export interface Run {
  /** Wall time, ms. */
  ms: number
  /** User + system CPU time, ms: less disturbed than wall time by other processes on the machine. */
  cpuMs: number
  rssMiB: number
}

export interface Figure {
  ms: number
  cpuMs: number
  /** The largest peak RSS over the runs. */
  rssMiB: number
}

let runs = 0

/** Runs node with the usage preload (its files go to `scratch`); fails on a non-zero exit. */
export function runNode(args: string[], environment: NodeJS.ProcessEnv, scratch: string): Promise<Run> {
  const usageFile = join(scratch, `usage-${runs++}`)
  const argv = ['--require', usagePreload, ...args]
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint()
    const child = spawn(process.execPath, argv, {
      env: {...environment, BENCH_USAGE_FILE: usageFile},
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    let stderr = ''
    child.stderr.on('data', (chunk) => (stderr += chunk))
    child.on('error', reject)
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6
      if (code !== 0) {
        reject(new Error(`node ${args.join(' ')} exited with ${code}: ${stderr.trim()}`))
        return
      }

      readFile(usageFile, 'utf8').then((text) => {
        const [rssKiB, cpuMicros] = text.trim().split(' ').map(Number)
        resolve({ms, cpuMs: cpuMicros / 1000, rssMiB: rssKiB / 1024})
      }, reject)
    })
  })
}

export const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]

/** Medians of each task, sampled round-robin after one unmeasured warm-up round. */
export async function interleavedMedians(tasks: Array<() => Promise<Run>>, times: number): Promise<Figure[]> {
  const samples = tasks.map(() => [] as Run[])
  for (let round = -1; round < times; round++) {
    for (const [i, task] of tasks.entries()) {
      const result = await task()
      if (round >= 0) samples[i].push(result)
    }
  }

  return samples.map((list) => ({
    ms: median(list.map((r) => r.ms)),
    cpuMs: median(list.map((r) => r.cpuMs)),
    rssMiB: Math.max(...list.map((r) => r.rssMiB)),
  }))
}

export const seconds = (ms: number) => `${(ms / 1000).toFixed(3)} s`

/** '0.221 s = 2.53x (CPU 0.180 s = 2.10x)': wall and CPU time, each against the floor's. */
export function againstFloor(figure: Figure, floor: Figure): string {
  const wall = `${seconds(figure.ms)} = ${(figure.ms / floor.ms).toFixed(2)}x`
  return `${wall} (CPU ${seconds(figure.cpuMs)} = ${(figure.cpuMs / floor.cpuMs).toFixed(2)}x)`
}
