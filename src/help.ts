// The help class oclif uses for `--help` and `weeknotes help` (package.json oclif.helpClass): oclif's own,
// with one shortcut. oclif renders every string of a help page as an EJS template, so that a text may say
// `<%= config.bin %>`; EJS compiles each one into a function first, which was about 40% of the CPU time of
// `weeknotes generate --help`. A text without `<%` renders to itself, so it skips EJS; the page is the same.
import {CommandHelp, Help} from '@oclif/core/help'

type Render = (input: string) => string

/** `render`, except that a text with no EJS tag comes back as it is, without compiling a template. */
export function skipPlainText(render: Render): Render {
  return (input) => (input.includes('<%') ? render(input) : input)
}

class WeeknotesCommandHelp extends CommandHelp {
  constructor(...args: ConstructorParameters<typeof CommandHelp>) {
    super(...args)
    this.render = skipPlainText(this.render)
  }
}

export default class WeeknotesHelp extends Help {
  protected CommandHelpClass = WeeknotesCommandHelp

  constructor(...args: ConstructorParameters<typeof Help>) {
    super(...args)
    this.render = skipPlainText(this.render)
  }
}
