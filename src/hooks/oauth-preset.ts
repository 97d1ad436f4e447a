// The auth plugin's commands ask for their preset through this hook (oclif event `oauth:preset`, see the
// plugin's README): weeknotes answers with Strava's. Registered in package.json oclif.hooks. The preset is
// loaded on first use: the bundle's start-up (every command, `--help`) does not evaluate it.
import type {Hook} from '@oclif/core/interfaces'
import type {OAuthPreset} from 'oclif-plugin-oauth/preset'

const hook: Hook<'oauth:preset'> = async function (): Promise<OAuthPreset> {
  return (await import('../strava/auth-preset.js')).stravaPreset
}

export default hook
