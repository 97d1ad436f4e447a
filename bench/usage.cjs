// Preloaded with `node --require` into every measured process (the floor too, so it costs them alike):
// writes the process's peak resident set size (KiB) and CPU time (user + system, µs) to
// $BENCH_USAGE_FILE as it exits. CommonJS so it loads in ~1 ms.
const {writeFileSync} = require('node:fs')

process.on('exit', () => {
  const usage = process.resourceUsage()
  writeFileSync(process.env.BENCH_USAGE_FILE, `${usage.maxRSS} ${usage.userCPUTime + usage.systemCPUTime}\n`)
})
