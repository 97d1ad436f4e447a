import {type ChildProcess, spawn} from 'node:child_process'

/**
 * How long an opener may take to fail. `xdg-open` on a machine without a desktop starts fine and then
 * exits with an error; a browser that is still running after this long has opened the page.
 */
const OPENER_SETTLE_MS = 1500

/**
 * Opens `url` in the user's browser: `$BROWSER` when set (the command split on whitespace, the URL as
 * its last argument, no shell), else the platform's opener through `open`. Never throws: `false`
 * means the opener could not be started or exited with an error, and the caller should tell the user
 * to open the printed URL themselves. The URL carries state and a PKCE challenge, nothing secret, so
 * it may sit in a child's argv.
 */
export async function openInBrowser(
  url: string,
  env: NodeJS.ProcessEnv,
  settleMs = OPENER_SETTLE_MS,
): Promise<boolean> {
  try {
    const browser = env.BROWSER?.trim()
    let child: ChildProcess
    if (browser) {
      const [command, ...args] = browser.split(/\s+/)
      child = spawn(command, [...args, url], {detached: true, stdio: 'ignore', shell: false})
    } else {
      const {default: open} = await import('open')
      // `open` resolves once the opener has spawned and rejects when it could not be started.
      child = await open(url, {wait: false})
    }

    return await openerSucceeded(child, settleMs)
  } catch {
    return false
  }
}

/** True when the opener exits with 0 or is still running after `settleMs`; it is never waited for longer. */
function openerSucceeded(child: ChildProcess, settleMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const settle = (opened: boolean) => {
      clearTimeout(timer)
      child.unref()
      resolve(opened)
    }

    const timer = setTimeout(() => settle(true), settleMs)
    child.once('error', () => settle(false))
    child.once('exit', (code) => settle(code === 0))
    if (child.exitCode !== null) settle(child.exitCode === 0)
  })
}
