import * as Flags from '@oclif/core/flags'
import {durationFlag} from 'oclif-plugin-oauth/flags'

import {BaseCommand} from '../../base-command.js'

export default class Auth extends BaseCommand {
  static description = `Opens Strava's consent page in your browser (the URL is always printed too), receives the answer on a loopback address (http://127.0.0.1:PORT/callback) and keeps the login in the system keyring: the client secret, the refresh token and the current access token. Non-secret settings (client ID, athlete summary, scopes) go to config.json in the config directory.

The client ID comes from --client-id, STRAVA_CLIENT_ID, the saved settings, or a prompt. The client secret comes from --client-secret-stdin, STRAVA_CLIENT_SECRET, the saved login for the same client ID, or a hidden prompt; it is never accepted as a flag value. Running it again replaces the saved login only once the new one works.

With WEEKNOTES_STORE_KEY (or WEEKNOTES_STORE_KEY_FILE) set, the secrets go to credentials.sealed in the config directory instead, encrypted with that key (make one with \`weeknotes auth key\`): for servers without a keyring and for a blog repository's scheduled workflow (WEEKNOTES_CONFIG_DIR=.weeknotes). Each config directory holds its own login.

--insecure-storage keeps them in a plain 0600 file instead. For CI mode (STRAVA_CLIENT_ID, STRAVA_CLIENT_SECRET and STRAVA_REFRESH_TOKEN in the environment), --print-refresh-token logs in, prints the new login's refresh token and stores nothing.`
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
    {
      command: '<%= config.bin %> <%= command.id %> --scope read,activity:read',
      description: 'Leave out private activities.',
    },
    {
      command:
        'WEEKNOTES_CONFIG_DIR=.weeknotes WEEKNOTES_STORE_KEY_FILE=~/.weeknotes-key <%= config.bin %> <%= command.id %>',
      description: "Inside a blog checkout: a login of the blog's own, sealed with the key in ~/.weeknotes-key.",
    },
    {
      command: '<%= config.bin %> <%= command.id %> --print-refresh-token | gh secret set STRAVA_REFRESH_TOKEN',
      description: 'A new login for CI mode, straight into a repository secret; nothing is stored here.',
    },
  ]
  static flags = {
    'client-id': Flags.string({description: 'Client ID of your Strava API application.', env: 'STRAVA_CLIENT_ID'}),
    'client-secret-stdin': Flags.boolean({description: 'Read the client secret from the first line of stdin.'}),
    implicit: Flags.boolean({description: 'Use the deprecated implicit grant (no refresh token).', hidden: true}),
    'insecure-storage': Flags.boolean({
      description: 'Keep the secrets in a plain file (mode 0600) in the config directory instead of the keyring.',
    }),
    'print-refresh-token': Flags.boolean({
      description:
        "Print the new login's refresh token (for CI mode's STRAVA_REFRESH_TOKEN) on stdout and store nothing.",
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
    scope: Flags.string({
      default: 'read,activity:read,activity:read_all',
      description:
        'Scopes to request, separated by commas or spaces. With both activity scopes, unticking private activities on the consent page still leaves the others.',
    }),
    timeout: durationFlag({
      default: '5m',
      description: 'How long to wait for consent: seconds (300) or with a unit (30s, 5m, 1h).',
      invalid: (text) => `"${text}" is not a duration; give seconds (300) or a number with s, m or h (30s, 5m).`,
      // A day: far beyond any consent, and below setTimeout's limit (about 24.8 days), past which it fires at once.
      max: {ms: 24 * 3600 * 1000, tooLong: (text) => `"${text}" is too long; give at most 24h.`},
    }),
  }
  static summary = 'Log in to Strava'

  async run(): Promise<void> {
    const {flags} = await this.parse(Auth)
    const [{loginInteractively}, {postForm}] = await Promise.all([
      import('oclif-plugin-oauth/interactive-login'),
      import('../../http/keep-alive.js'),
    ])
    const result = await loginInteractively({
      configDir: this.config.configDir,
      // The code exchange on the run's connection pool, which the account lookup uses next.
      http: postForm,
      env: process.env,
      clientId: flags['client-id'],
      clientSecretFromStdin: flags['client-secret-stdin'],
      scope: flags.scope,
      port: flags.port,
      timeoutMs: flags.timeout.ms,
      noBrowser: flags['no-browser'],
      insecureStorage: flags['insecure-storage'],
      printRefreshToken: flags['print-refresh-token'],
      implicit: flags.implicit,
      stdin: process.stdin,
      stderr: process.stderr,
      warn: (message) => this.warn(message),
      describeAccount: (accessToken) => detailedAthlete(accessToken, this.config.cacheDir),
    })
    const athlete = result.athlete ?? {}
    const done = `Logged in to Strava as ${athlete.firstname ?? ''} ${athlete.lastname ?? ''} (athlete ${athlete.id ?? 'unknown'}).`
    if (!flags['print-refresh-token']) {
      this.log(done.replace(/ +/g, ' '))
      return
    }

    // stdout carries the token alone, so that it can be piped into a secret store.
    this.logToStderr(`${done.replace(/ +/g, ' ')} Nothing was stored on this machine.`)
    this.warn(
      'The refresh token below is a secret: put it only into a secret store (STRAVA_REFRESH_TOKEN). Strava may replace it when CI renews the login, and then CI needs a new one; the sealed store (WEEKNOTES_STORE_KEY) keeps up with that by itself.',
    )
    this.log(result.refreshToken)
  }
}

/**
 * The token response names the athlete only in summary; GET /athlete adds the units preference that
 * `generate` defaults to. One API call, at login only.
 */
async function detailedAthlete(accessToken: string, cacheDir: string): Promise<Record<string, unknown>> {
  const [{StravaClient}, {resolveApiBase}] = await Promise.all([
    import('../../strava/client.js'),
    import('../../strava/api-base.js'),
  ])
  const strava = new StravaClient({
    apiBase: resolveApiBase({env: process.env, cacheDir}),
    tokens: {
      accessToken: async () => accessToken,
      renewAfterRejection: async () => {
        throw new Error('Strava did not accept the new access token')
      },
    },
    maxWait: 0,
    retries: 1,
  })
  return (await strava.getAthlete()) as unknown as Record<string, unknown>
}
