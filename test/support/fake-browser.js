#!/usr/bin/env node
// Stands in for a desktop browser as $BROWSER: records how it was called (one JSON line per call in
// the file named by WEEKNOTES_TEST_BROWSER_LOG) so a test can check the arguments and then open the
// URL in a real Chromium itself.
import {appendFileSync} from 'node:fs'

const log = process.env.WEEKNOTES_TEST_BROWSER_LOG
if (!log) {
  console.error('fake-browser: WEEKNOTES_TEST_BROWSER_LOG is not set')
  process.exit(1)
}

appendFileSync(log, `${JSON.stringify({argv: process.argv.slice(2)})}\n`)
