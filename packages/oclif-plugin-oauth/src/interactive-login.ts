import {PassThrough, type Readable, type Writable} from 'node:stream'

import {openInBrowser} from './browser.js'
import {readConfig, type SettingsFile, type StorageKind} from './config-file.js'
import {type CredentialStore, storeFor} from './credential-store.js'
import {envCredentials, storeKeyConfigured, storeKeyHint} from './env-credentials.js'
import {AuthUsageError} from './errors.js'
import {login, type LoginOptions, type LoginResult} from './login.js'
import type {OAuthPreset} from './preset.js'
import {providerName} from './provider.js'
import {promptHidden, promptVisible, readFirstLine} from './terminal-input.js'
import {splitScopes} from './tokens.js'

export interface InteractiveLoginOptions {
  configDir: string
  preset: OAuthPreset
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

/** A store key in the environment selects the sealed file; --insecure-storage the plain one; else the keyring. */
function chooseStorage(o: Pick<InteractiveLoginOptions, 'env' | 'insecureStorage' | 'preset'>): StorageKind {
  const sealed = storeKeyConfigured(o.env, o.preset.env)
  if (sealed && o.insecureStorage) {
    throw new AuthUsageError(
      `--insecure-storage asks for a plain file, but ${storeKeyHint(o.preset.env)} asks for the sealed one: drop one of them.`,
    )
  }
  return sealed ? 'sealed' : o.insecureStorage ? 'file' : 'keyring'
}

/**
 * The login command as the user experiences it: gathers the client id and secret (never from argv),
 * prints the consent URL, opens the browser unless told not to, and logs in.
 */
export async function loginInteractively(o: InteractiveLoginOptions): Promise<LoginResult> {
  const scopes = splitScopes(o.scope)
  if (scopes.length === 0) {
    const example = o.preset.scopeExample ? `, for example ${o.preset.scopeExample}` : ''
    throw new AuthUsageError(`--scope needs at least one scope${example}.`)
  }
  const config = await readConfig(o.configDir, o.preset.cli)
  // Before asking for anything: a login that could not be kept is not worth the user's typing.
  const store = o.printRefreshToken
    ? undefined
    : storeFor(chooseStorage(o), {configDir: o.configDir, env: o.env, warn: o.warn, preset: o.preset})
  await store?.ensureWritable()
  const client = await clientCredentials(o, config)
  return withConsentPresented(o, (presentation) =>
    login({
      configDir: o.configDir,
      preset: o.preset,
      env: o.env,
      provider: o.preset.provider(o.env),
      ...client,
      scopes,
      storage: store?.kind ?? 'keyring',
      store,
      storeNothing: o.printRefreshToken,
      port: o.port,
      timeoutMs: o.timeoutMs,
      http: o.http,
      implicit: o.implicit,
      warn: o.warn,
      runFlow: o.runFlow,
      describeAccount: o.describeAccount,
      ...presentation,
    }),
  )
}

/**
 * The client id (flag, environment, saved settings or a prompt) and secret (stdin's first line, environment,
 * the saved login of the same client, or a hidden prompt); never from argv.
 */
async function clientCredentials(
  o: InteractiveLoginOptions,
  config: SettingsFile,
): Promise<{clientId: string; clientSecret: string}> {
  const {preset} = o
  const name = providerName(preset.provider(o.env))
  const env = envCredentials(o.env, preset.env)
  const secretLine = o.clientSecretFromStdin ? await readFirstLine(o.stdin) : undefined
  if (o.clientSecretFromStdin && !secretLine?.trim()) {
    throw new AuthUsageError(
      '--client-secret-stdin was given but stdin had no client secret on its first line. Pipe the secret in as that line, or leave the flag out to be asked for it.',
    )
  }

  let clientId = o.clientId ?? env.clientId ?? config.clientId
  if (!clientId && o.stdin.isTTY) clientId = await promptVisible(`${name} client ID: `, o.stdin, o.stderr)
  if (!clientId) {
    const where = preset.clientSettingsUrl ? ` (see ${preset.clientSettingsUrl})` : ''
    throw new AuthUsageError(`No ${name} client ID given.`, {
      suggestions: [`Pass --client-id${where}, or set ${preset.env.clientId}.`],
    })
  }

  let clientSecret = secretLine?.trim() ?? env.clientSecret
  if (!clientSecret && config.session && config.clientId === clientId) {
    // Logging in again with the same app: reuse the secret saved with the previous login.
    const previous: CredentialStore = storeFor(config.session.storage, {configDir: o.configDir, env: o.env, preset})
    clientSecret = (await previous.get(config.session.account).catch(() => undefined))?.clientSecret
  }

  if (!clientSecret && o.stdin.isTTY && o.stdin.setRawMode) {
    clientSecret = await promptHidden(`${name} client secret (not shown): `, o.stdin, o.stderr)
  }

  if (!clientSecret) {
    throw new AuthUsageError(`No ${name} client secret given, and there is no terminal to ask for it.`, {
      suggestions: [
        'Pipe it in with --client-secret-stdin (first line of stdin).',
        `Or set ${preset.env.clientSecret} in the environment.`,
        `Or run \`${preset.cli.loginCommand}\` in a terminal to be asked for it.`,
      ],
    })
  }
  return {clientId, clientSecret}
}

type Presentation = Pick<LoginOptions, 'presentUrl' | 'pastedInput' | 'signal'>

/**
 * Runs the login with the consent URL printed (and the browser opened unless --no-browser), Ctrl-C as the
 * abort signal, and stdin as the paste channel: from the start with --no-browser, otherwise only once the
 * browser failed to open.
 */
async function withConsentPresented<T>(
  o: InteractiveLoginOptions,
  run: (presentation: Presentation) => Promise<T>,
): Promise<T> {
  const controller = new AbortController()
  const onInterrupt = () => controller.abort()
  const pastes = o.noBrowser ? undefined : new PassThrough()
  let pasting = false
  process.once('SIGINT', onInterrupt)
  try {
    return await run({
      signal: controller.signal,
      pastedInput: pastes ?? o.stdin,
      presentUrl: async (url, progress) => {
        o.stderr.write(`Open this URL to authorize ${o.preset.cli.bin}: ${url}\n`)
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
