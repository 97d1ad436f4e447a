// Preloaded with `node --require` into a measured CLI process: appends the process's peak resident
// set size (KiB, from getrusage) to $BENCH_RSS_FILE as it exits. CommonJS so it loads in ~1 ms.
const {appendFileSync} = require('node:fs')

process.on('exit', () => {
  appendFileSync(process.env.BENCH_RSS_FILE, `${process.resourceUsage().maxRSS}\n`)
})
