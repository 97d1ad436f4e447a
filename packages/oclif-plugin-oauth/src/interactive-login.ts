import {PassThrough, type Readable, type Writable} from 'node:stream'

import {openInBrowser} from './browser.js'
import {readConfig, type StorageKind} from './config-file.js'
import {storeFor} from './credential-store.js'
import {envCredentials, storeKeyConfigured, storeKeyHint} from './env-credentials.js'
import {AuthUsageError} from './errors.js'
import {login, type LoginOptions, type LoginResult} from './login.js'
import {stravaProvider} from './provider.js'
import {promptHidden, promptVisible, readFirstLine} from './terminal-input.js'
import {splitScopes} from './tokens.js'

export interface InteractiveLoginOptions {
  configDir: string
  env: NodeJS.ProcessEnv
  clientId?: string
  clientSecretFromStdin?: boolean
  scope: string
  port?: number
  /** How long to wait for consent (the --timeout flag, parsed by durationFlag). */
  timeoutMs: number
  noBrowser?: boolean
  insecureStorage?: boolean
  /** Store nothing and return the new grant's refresh token (for CI mode). */
  printRefreshToken?: boolean
  implicit?: boolean
  stdin: Readable & {isTTY?: boolean; setRawMode?: (mode: boolean) => unknown}
  stderr: Writable
  warn: (message: string) => void
  describeAccount?: LoginOptions['describeAccount']
  /** The host's HTTP client for the code exchange (its connection pool); default: fetch. */
  http?: LoginOptions['http']
  /** Collaborators for tests. */
  openBrowser?: (url: string) => Promise<boolean>
  runFlow?: LoginOptions['runFlow']
}

const secretChoices = [
  'Pipe it in with --client-secret-stdin (first line of stdin).',
  'Or set STRAVA_CLIENT_SECRET in the environment.',
  'Or run `weeknotes auth` in a terminal to be asked for it.',
]

/** A store key in the environment selects the sealed file; --insecure-storage the plain one; else the keyring. */
function chooseStorage(o: Pick<InteractiveLoginOptions, 'env' | 'insecureStorage'>): StorageKind {
  const sealed = storeKeyConfigured(o.env)
  if (sealed && o.insecureStorage) {
    throw new AuthUsageError(
      `--insecure-storage asks for a plain file, but ${storeKeyHint} asks for the sealed one: drop one of them.`,
    )
  }
  return sealed ? 'sealed' : o.insecureStorage ? 'file' : 'keyring'
}

/**
 * `weeknotes auth` as the user experiences it: gathers the client id and secret (never from argv),
 * prints the consent URL, opens the browser unless told not to, and logs in.
 */
export async function loginInteractively(o: InteractiveLoginOptions): Promise<LoginResult> {
  const scopes = splitScopes(o.scope)
  if (scopes.length === 0)
    throw new AuthUsageError('--scope needs at least one scope, for example read,activity:read_all.')
  const env = envCredentials(o.env)
  const config = await readConfig(o.configDir)
  // Before asking for anything: a login that could not be kept is not worth the user's typing.
  const store = o.printRefreshToken
    ? undefined
    : storeFor(chooseStorage(o), {configDir: o.configDir, env: o.env, warn: o.warn})
  await store?.ensureWritable()

  const secretLine = o.clientSecretFromStdin ? await readFirstLine(o.stdin) : undefined
  if (o.clientSecretFromStdin && !secretLine?.trim()) {
    throw new AuthUsageError(
      '--client-secret-stdin was given but stdin had no client secret on its first line. Pipe the secret in as that line, or leave the flag out to be asked for it.',
    )
  }

  let clientId = o.clientId ?? env.clientId ?? config.clientId
  if (!clientId && o.stdin.isTTY) clientId = await promptVisible('Strava client ID: ', o.stdin, o.stderr)
  if (!clientId) {
    throw new AuthUsageError('No Strava client ID given.', {
      suggestions: ['Pass --client-id (see https://www.strava.com/settings/api), or set STRAVA_CLIENT_ID.'],
    })
  }

  let clientSecret = secretLine?.trim() ?? env.clientSecret
  if (!clientSecret && config.session && config.clientId === clientId) {
    // Logging in again with the same app: reuse the secret saved with the previous login.
    const previous = storeFor(config.session.storage, {configDir: o.configDir, env: o.env})
    clientSecret = (await previous.get(config.session.account).catch(() => undefined))?.clientSecret
  }

  if (!clientSecret && o.stdin.isTTY && o.stdin.setRawMode) {
    clientSecret = await promptHidden('Strava client secret (not shown): ', o.stdin, o.stderr)
  }

  if (!clientSecret) {
    throw new AuthUsageError('No Strava client secret given, and there is no terminal to ask for it.', {
      suggestions: secretChoices,
    })
  }

  const controller = new AbortController()
  const onInterrupt = () => controller.abort()
  // Paste mode from the start with --no-browser; otherwise only once the browser failed to open.
  const pastes = o.noBrowser ? undefined : new PassThrough()
  let pasting = false
  process.once('SIGINT', onInterrupt)
  try {
    return await login({
      configDir: o.configDir,
      env: o.env,
      provider: stravaProvider(o.env.STRAVA_OAUTH_URL || undefined),
      clientId,
      clientSecret,
      scopes,
      storage: store?.kind ?? 'keyring',
      store,
      storeNothing: o.printRefreshToken,
      port: o.port,
      timeoutMs: o.timeoutMs,
      http: o.http,
      implicit: o.implicit,
      signal: controller.signal,
      pastedInput: pastes ?? o.stdin,
      warn: o.warn,
      runFlow: o.runFlow,
      describeAccount: o.describeAccount,
      presentUrl: async (url, progress) => {
        o.stderr.write(`Open this URL to authorize weeknotes: ${url}\n`)
        if (o.noBrowser) {
          o.stderr.write(
            'Waiting for the authorization. If the browser cannot reach this machine, paste the address it was redirected to (or the code) here and press Enter.\n',
          )
          return
        }

        if (await (o.openBrowser ?? ((target: string) => openInBrowser(target, o.env)))(url)) {
          if (!progress.answered())
            o.stderr.write('Waiting for the authorization in the browser (Ctrl-C to cancel)...\n')
          return
        }

        o.stderr.write(browserDidNotOpen)
        if (pastes) {
          o.stdin.pipe(pastes)
          pasting = true
        }
      },
    })
  } finally {
    process.off('SIGINT', onInterrupt)
    if (pasting) {
      o.stdin.unpipe(pastes)
      o.stdin.pause()
    }
  }
}

const browserDidNotOpen =
  'The browser did not open. Open the URL above in a browser yourself, on any machine, and approve (Ctrl-C to cancel). ' +
  'If that browser cannot reach this machine, paste the address it was redirected to (or the code) here and press Enter.\n'
