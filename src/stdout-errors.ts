// What happens when stdout cannot take the output. Without a handler, the failed write leaves oclif's
// output promise unsettled: `weeknotes --help | head -1` ended with exit 13 ("unsettled top-level await"),
// and `> /dev/full` with a stack trace.

import {LOCAL_IO_EXIT} from './local-io.js'

export function handleStdoutErrors(stdout: NodeJS.WriteStream = process.stdout): void {
  // First in line: oclif's own listener rethrows anything but EPIPE, which would end in a stack trace.
  stdout.prependListener('error', (error: NodeJS.ErrnoException) => {
    // The reader went away (`| head`, `| true`): like `git log | head`, end quietly and successfully.
    if (error.code === 'EPIPE') process.exit(0)
    const why = error.code === 'ENOSPC' ? 'the disk is full' : (error.code ?? error.message)
    process.stderr.write(`The output could not be written (${why}); free some space or write it elsewhere.\n`)
    process.exit(LOCAL_IO_EXIT)
  })
}
