import {execFile} from 'node:child_process'
import {randomBytes} from 'node:crypto'

import {errorMessage, skipReasonOrFail} from './capability.js'

// Runs in a child process: a Secret Service that is registered on D-Bus but never answers would
// otherwise block the test process itself, since the keyring's synchronous calls cannot be cancelled.
const probeScript = `
const {AsyncEntry} = await import('@napi-rs/keyring')
const entry = new AsyncEntry(process.argv[1], 'probe')
await entry.setPassword('probe-value')
const value = await entry.getPassword()
await entry.deleteCredential()
if (value !== 'probe-value') throw new Error('the keyring returned a different value than was stored')
`

let detection: Promise<string | undefined> | undefined

/**
 * Resolves to undefined when a Secret Service can store, read and delete an entry, else to the reason
 * for skipping (or throws when WEEKNOTES_REQUIRE_KEYRING=1). Probed once per process.
 */
export function secretServiceSkipReason(): Promise<string | undefined> {
  detection ??= probeSecretService().then((failure) =>
    failure === undefined ? undefined : skipReasonOrFail(failure, 'WEEKNOTES_REQUIRE_KEYRING'),
  )
  return detection
}

async function probeSecretService(): Promise<string | undefined> {
  if (process.platform === 'linux' && !process.env.DBUS_SESSION_BUS_ADDRESS) {
    return 'No D-Bus session (DBUS_SESSION_BUS_ADDRESS is unset), so no Secret Service is reachable'
  }

  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--input-type=module', '-e', probeScript, uniqueKeyringService('probe')],
      {timeout: 10_000, cwd: process.cwd()},
      (error, _stdout, stderr) => {
        if (!error) return resolve(undefined)
        const detail =
          stderr
            .trim()
            .split('\n')
            .find((line) => /error/i.test(line)) ?? errorMessage(error)
        resolve(`No usable Secret Service: ${detail}`)
      },
    )
  })
}

/** A service name no other test, parallel run or real login uses (the CLI reads WEEKNOTES_KEYRING_SERVICE). */
export function uniqueKeyringService(label: string): string {
  return `weeknotes-test-${label}-${process.pid}-${randomBytes(4).toString('hex')}`
}

export interface KeyringCredential {
  account: string
  password: string
}

export async function keyringCredentials(service: string): Promise<KeyringCredential[]> {
  const {findCredentialsAsync} = await import('@napi-rs/keyring')
  const found = await findCredentialsAsync(service, undefined, AbortSignal.timeout(10_000))
  return found.map(({account, password}) => ({account, password})).sort((a, b) => a.account.localeCompare(b.account))
}

/** Removes whatever a test left under its service, so a failed test does not leave secrets behind. */
export async function clearKeyringService(service: string): Promise<void> {
  const {AsyncEntry} = await import('@napi-rs/keyring')
  for (const {account} of await keyringCredentials(service)) {
    await new AsyncEntry(service, account).deleteCredential(AbortSignal.timeout(10_000))
  }
}

// Tokens, secrets and codes are long runs of URL-safe characters; scopes, dates and names are not,
// and must not count as leaked when they turn up in config.json.
const tokenShaped = /^[A-Za-z0-9_\-.~+/=]{20,}$/

/**
 * Every token-shaped string a stored credential holds: the value itself and, when it is JSON, each
 * string inside it (a store may keep the token set as one JSON document). These are the secrets to
 * look for everywhere else.
 */
export function secretStringsOf(credentials: KeyringCredential[]): string[] {
  const strings = new Set<string>()
  const collect = (value: unknown): void => {
    if (typeof value === 'string') strings.add(value)
    else if (Array.isArray(value)) value.forEach(collect)
    else if (value && typeof value === 'object') Object.values(value).forEach(collect)
  }

  for (const {password} of credentials) {
    strings.add(password)
    try {
      collect(JSON.parse(password))
    } catch {
      // a plain string value
    }
  }

  return [...strings].filter((value) => tokenShaped.test(value))
}
