import LoginKey from 'oclif-plugin-oauth/commands/auth/key'

import type {ExitCodeError} from 'oclif-plugin-oauth/errors'

import {hostFailure} from '../../base-command.js'

export default class AuthKey extends LoginKey {
  static description = `Prints a new random key (32 bytes, base64url) once; weeknotes keeps no copy. With the key in WEEKNOTES_STORE_KEY, or in a file named by WEEKNOTES_STORE_KEY_FILE, every command keeps the client secret and tokens in credentials.sealed in the config directory, encrypted and authenticated with it (AES-256-GCM), instead of the keyring.

Keep the key where the job that runs weeknotes can read it and nobody else can: a repository secret for GitHub Actions, a file of mode 0600 for cron, and a copy in your password manager. Without it the sealed file cannot be opened; a lost key means logging in again.`
  static examples = [
    {
      command: '<%= config.bin %> <%= command.id %> | gh secret set WEEKNOTES_STORE_KEY',
      description: 'Make a key and store it straight into a GitHub repository secret.',
    },
    {
      command: '(umask 077 && <%= config.bin %> <%= command.id %> > ~/.weeknotes-key)',
      description: 'Make a key for cron in a file only you can read (use it with WEEKNOTES_STORE_KEY_FILE).',
    },
  ]

  protected asExitCodeError(error: Error): ExitCodeError | undefined {
    return hostFailure(error)
  }
}
