import * as Flags from '@oclif/core/flags'
import type {FlagInput} from '@oclif/core/interfaces'

import {OAuthCommand} from '../../base-command.js'
import {AuthUsageError} from '../../errors.js'
import {type Duration, durationFlag} from '../../flags.js'
import type {OAuthPreset} from '../../preset.js'
import {providerName} from '../../provider.js'

/** The flags `run` reads; a host's subclass may reword them, add an `env`, or leave out `implicit`. */
export interface LoginFlags {
  'client-id'?: string
  'client-secret-stdin'?: boolean
  implicit?: boolean
  'insecure-storage'?: boolean
  'print-refresh-token'?: boolean
  'no-browser'?: boolean
  port?: number
  scope?: string
  timeout: Duration
}

export default class Login extends OAuthCommand {
  static description = `Opens the provider's consent page in your browser (the URL is always printed too), receives the answer on a loopback address (http://127.0.0.1:PORT/callback) and keeps the login in the system keyring: the client secret, the refresh token and the current access token. Non-secret settings (client ID, account summary, scopes) go to config.json in the config directory.

The client ID comes from --client-id, the environment, the saved settings, or a prompt. The client secret comes from --client-secret-stdin, the environment, the saved login for the same client ID, or a hidden prompt; it is never accepted as a flag value. Running it again replaces the saved login only once the new one works.

With a store key in the environment the secrets go to credentials.sealed in the config directory instead, encrypted with that key (make one with the key command); --insecure-storage keeps them in a plain 0600 file. --print-refresh-token logs in, prints the new login's refresh token (for CI mode) and stores nothing.`
  static examples = [
    {
      command: '<%= config.bin %> <%= command.id %> --client-id 12345',
      description: 'Log in, asking for the client secret.',
    },
    {
      command: 'printf "%s\\n" "$SECRET" | <%= config.bin %> <%= command.id %> --client-id 12345 --client-secret-stdin',
      description: 'Read the client secret from stdin.',
    },
    {
      command: '<%= config.bin %> <%= command.id %> --no-browser --timeout 10m',
      description: 'On a remote machine: open the printed URL elsewhere and paste the redirected address back.',
    },
  ]
  static flags: FlagInput = {
    'client-id': Flags.string({description: 'Client ID of your app at the provider.'}),
    'client-secret-stdin': Flags.boolean({description: 'Read the client secret from the first line of stdin.'}),
    // Deprecated (RFC 9700): only where the preset's provider allows it, and a host may leave the flag out.
    implicit: Flags.boolean({description: 'Use the deprecated implicit grant (no refresh token).', hidden: true}),
    'insecure-storage': Flags.boolean({
      description: 'Keep the secrets in a plain file (mode 0600) in the config directory instead of the keyring.',
    }),
    'print-refresh-token': Flags.boolean({
      description: "Print the new login's refresh token (for CI mode) on stdout and store nothing.",
      exclusive: ['insecure-storage'],
    }),
    'no-browser': Flags.boolean({
      description:
        'Do not open a browser: open the printed URL yourself; if the browser cannot reach this machine, paste the address it was redirected to (or the code) on stdin.',
    }),
    port: Flags.integer({
      description: 'Fixed port for the loopback receiver (default: a free one).',
      min: 1,
      max: 65_535,
    }),
    scope: Flags.string({description: "Scopes to request, separated by commas or spaces (default: the preset's)."}),
    timeout: durationFlag({
      default: '5m',
      description: 'How long to wait for consent: seconds (300) or with a unit (30s, 5m, 1h).',
      invalid: (text) => `"${text}" is not a duration; give seconds (300) or a number with s, m or h (30s, 5m).`,
      // A day: far beyond any consent, and below setTimeout's limit (about 24.8 days), past which it fires at once.
      max: {ms: 24 * 3600 * 1000, tooLong: (text) => `"${text}" is too long; give at most 24h.`},
    }),
  }
  static summary = 'Log in'

  async run(): Promise<void> {
    const {flags} = (await this.parse(this.ctor)) as unknown as {flags: LoginFlags}
    const preset = await this.preset()
    const provider = preset.provider(process.env)
    if (flags.implicit && !provider.allowsImplicitGrant) {
      throw new AuthUsageError(`${providerName(provider)} is not set up for the implicit grant; leave out --implicit.`)
    }
    const [{loginInteractively}, http] = await Promise.all([
      import('../../interactive-login.js'),
      // The code exchange on the host's connection pool, which its account lookup uses next.
      preset.httpClient?.(),
    ])
    const result = await loginInteractively({
      configDir: this.config.configDir,
      preset,
      http,
      env: process.env,
      clientId: flags['client-id'],
      clientSecretFromStdin: flags['client-secret-stdin'],
      scope: flags.scope ?? preset.defaultScope,
      port: flags.port,
      timeoutMs: flags.timeout.ms,
      noBrowser: flags['no-browser'],
      insecureStorage: flags['insecure-storage'],
      printRefreshToken: flags['print-refresh-token'],
      implicit: flags.implicit,
      stdin: process.stdin,
      stderr: process.stderr,
      warn: (message) => this.warn(message),
      describeAccount: preset.account.read
        ? (accessToken) => preset.account.read!(accessToken, {env: process.env, cacheDir: this.config.cacheDir})
        : undefined,
    })
    this.present(preset, result, Boolean(flags['print-refresh-token']))
  }

  private present(
    preset: OAuthPreset,
    result: {athlete?: Record<string, unknown>; refreshToken?: string},
    ci: boolean,
  ) {
    const name = providerName(preset.provider(process.env))
    const done = `Logged in to ${name} ${preset.account.describe(result.athlete ?? {})}.`.replace(/ +/g, ' ')
    if (!ci) {
      this.log(done)
      return
    }

    // stdout carries the token alone, so that it can be piped into a secret store.
    this.logToStderr(`${done} Nothing was stored on this machine.`)
    this.warn(
      `The refresh token below is a secret: put it only into a secret store (${preset.env.refreshToken}). ${name} may replace it when CI renews the login, and then CI needs a new one; the sealed store (${preset.env.storeKey}) keeps up with that by itself.`,
    )
    this.log(result.refreshToken)
  }
}
