// Preloaded with `node --require` into every measured process (the floor too, so it costs them alike):
// writes the process's peak resident set size (KiB) and CPU time (user + system, µs) to
// $BENCH_USAGE_FILE as it exits. CommonJS so it loads in ~1 ms.
const {readFileSync, writeFileSync} = require('node:fs')
const {isMainThread} = require('node:worker_threads')

/**
 * The peak RSS of this program alone: on Linux VmHWM, which starts afresh at exec. getrusage's maxRSS
 * keeps the high-water mark of the memory copied from the parent at fork, so a bench process that holds
 * a large fixture would inflate every child's figure.
 */
function peakKiB(usage) {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'))
    if (match) return Number(match[1])
  } catch {
    // not Linux: getrusage is what there is
  }

  return usage.maxRSS
}

// Workers inherit the preload; the process's figure is written once, by the main thread.
if (isMainThread) {
  process.on('exit', () => {
    const usage = process.resourceUsage()
    writeFileSync(process.env.BENCH_USAGE_FILE, `${peakKiB(usage)} ${usage.userCPUTime + usage.systemCPUTime}\n`)
  })
}
