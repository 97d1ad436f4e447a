import {OAuthCommand} from '../../base-command.js'

export default class LoginKey extends OAuthCommand {
  static description = `Prints a new random key (32 bytes, base64url) once; no copy is kept. With the key in the store key variable of the CLI (or in a file that the store key file variable names), every command keeps the client secret and tokens in credentials.sealed in the config directory, encrypted and authenticated with it (AES-256-GCM), instead of the keyring.

Keep the key where the job that runs the CLI can read it and nobody else can, and a copy in your password manager. Without it the sealed file cannot be opened; a lost key means logging in again.`
  static examples = [
    {command: '<%= config.bin %> <%= command.id %>', description: 'Make a key.'},
    {
      command: '(umask 077 && <%= config.bin %> <%= command.id %> > ~/.store-key)',
      description: 'Make a key in a file only you can read.',
    },
  ]
  static summary = 'Print a new random key for the sealed credential store'

  async run(): Promise<void> {
    await this.parse(this.ctor)
    const {newStoreKey} = await import('../../sealed-file.js')
    this.log(newStoreKey())
  }
}
