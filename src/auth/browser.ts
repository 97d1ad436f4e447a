import {spawn} from 'node:child_process'

/**
 * Opens `url` in the user's browser: `$BROWSER` when set (the command split on whitespace, the URL as
 * its last argument, no shell), else the platform's opener through `open`. Never throws: `false`
 * means the caller should tell the user to open the printed URL themselves. The URL carries state
 * and a PKCE challenge, nothing secret, so it may sit in a child's argv.
 */
export async function openInBrowser(url: string, env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  try {
    const browser = env.BROWSER?.trim()
    if (browser) return await spawnDetached(browser.split(/\s+/), url)
    const {default: open} = await import('open')
    // `open` resolves once the opener has spawned and rejects when it could not be started.
    await open(url, {wait: false})
    return true
  } catch {
    return false
  }
}

function spawnDetached([command, ...args]: string[], url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(command, [...args, url], {detached: true, stdio: 'ignore', shell: false})
    child.once('error', () => resolve(false))
    child.once('spawn', () => {
      child.unref()
      resolve(true)
    })
  })
}
