#!/usr/bin/env node
// A stand-in for a web browser, for the demo and the benchmark: $BROWSER runs it with the consent
// URL as its last argument. Against an emulator started with autoApprove, the consent URL redirects
// straight to the CLI's loopback callback, so following the redirects is exactly what a user's click
// on "Authorize" would do.
const url = process.argv.at(-1)
try {
  const response = await fetch(url, {redirect: 'follow'})
  await response.arrayBuffer()
} catch (error) {
  console.error(`demo browser: could not load the consent URL: ${error.message}`)
  process.exitCode = 1
}
