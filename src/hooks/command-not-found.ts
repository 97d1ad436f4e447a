// `weeknotes generat`: oclif's own answer is "command generat not found". This hook suggests the closest
// command instead. oclif imports it only when no command matches, so it costs nothing on a normal start
// (unlike @oclif/plugin-not-found, a plugin read at every start that also loads @oclif/core's root).
import * as Errors from '@oclif/core/errors'
import type {Hook} from '@oclif/core/interfaces'
import {distance} from 'fastest-levenshtein'

/**
 * The closest id within a third of its length in edits (at least 2), or undefined when none is that close.
 * A topic's command also matches by its last part: `logout` finds `auth:logout`.
 */
function closestCommand(id: string, ids: string[]): string | undefined {
  let best: {id: string; edits: number} | undefined
  for (const candidate of ids) {
    const edits = Math.min(distance(id, candidate), distance(id, candidate.split(':').at(-1)!))
    if (!best || edits < best.edits) best = {id: candidate, edits}
  }

  return best && best.edits <= Math.max(2, Math.floor(id.length / 3)) ? best.id : undefined
}

const hook: Hook<'command_not_found'> = async function ({config, id}) {
  const visible = config.commands.filter((command) => !command.hidden).map((command) => command.id)
  const shown = (commandId: string) => commandId.replaceAll(':', config.topicSeparator)
  const closest = closestCommand(id, visible)
  const hint = closest ? ` Did you mean \`${config.bin} ${shown(closest)}\`?` : ''
  throw new Errors.CLIError(`"${shown(id)}" is not a ${config.bin} command.${hint}`, {
    exit: 2,
    suggestions: [`Run \`${config.bin} --help\` for the list of commands.`],
  })
}

export default hook
