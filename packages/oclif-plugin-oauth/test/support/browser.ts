import type {Browser} from 'playwright-core'

import {errorMessage, skipReasonOrFail} from './capability.js'

export const chromiumExecutable = process.env.WEEKNOTES_CHROMIUM ?? '/usr/bin/chromium'

// Without the background-networking flags Chromium keeps dialling Google hosts that this closed
// network refuses; --no-sandbox because CI runs as root.
export const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
]

export type ChromiumOrSkip = {browser: Browser; skipReason?: undefined} | {browser?: undefined; skipReason: string}

/**
 * One Chromium per test file; each test opens its own context (cookies, storage) from it.
 * playwright's launch() gives the browser a fresh temporary --user-data-dir and removes it on close.
 */
export async function launchChromium(): Promise<ChromiumOrSkip> {
  try {
    const {chromium} = await import('playwright-core')
    const browser = await chromium.launch({executablePath: chromiumExecutable, args: chromiumArgs, timeout: 30_000})
    return {browser}
  } catch (error) {
    const reason = `Chromium could not be started from ${chromiumExecutable}: ${errorMessage(error).split('\n')[0]}`
    return {skipReason: skipReasonOrFail(reason, 'WEEKNOTES_REQUIRE_BROWSER')}
  }
}
