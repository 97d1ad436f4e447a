// The environment in which `npm run demo` and `npm run bench` run the real CLI against the emulator:
// its URLs and app credentials, config/cache/data in a throwaway directory, and the demo browser,
// which follows the consent URL the way a click on "Authorize" would.
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

import type {StravaEmulator} from 'strava-emulator'

const demoBrowser = fileURLToPath(new URL('demo-browser.js', import.meta.url))

export function sandboxEnvironment(emulator: StravaEmulator, sandbox: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    // $BROWSER is split on whitespace, like most tools that honour it.
    BROWSER: `${process.execPath} ${demoBrowser}`,
    STRAVA_API_URL: emulator.apiUrl,
    STRAVA_CLIENT_ID: emulator.client.id,
    STRAVA_CLIENT_SECRET: emulator.client.secret,
    STRAVA_OAUTH_URL: emulator.oauthUrl,
    WEEKNOTES_CACHE_DIR: join(sandbox, 'cache'),
    WEEKNOTES_CONFIG_DIR: join(sandbox, 'config'),
    WEEKNOTES_DATA_DIR: join(sandbox, 'data'),
  }
  // A CI-mode token or debugging switches from the caller's shell would change what runs.
  for (const name of ['STRAVA_REFRESH_TOKEN', 'DEBUG', 'NODE_OPTIONS', 'NODE_DEBUG']) delete env[name]
  return env
}
