// Local file failures (disk full, read-only, permission) are the user's machine, not a bug: they get an exit
// code of their own and a sentence saying what to do, wherever in the program they surface.

/** Exit code of a local file failure, as the README's table documents it. */
export const LOCAL_IO_EXIT = 6

const LOCAL_FAILURES: Record<string, {exit: number; what: (path: string) => string}> = {
  ENOSPC: {
    exit: LOCAL_IO_EXIT,
    what: (path) => `There is no space left on the disk to write ${path}. Free some space and run again.`,
  },
  EDQUOT: {
    exit: LOCAL_IO_EXIT,
    what: (path) => `The disk quota is used up, so ${path} could not be written. Free some space and run again.`,
  },
  EROFS: {
    exit: LOCAL_IO_EXIT,
    what: (path) => `${path} is on a read-only file system. Choose a writable location and run again.`,
  },
  EACCES: {
    exit: LOCAL_IO_EXIT,
    what: (path) => `Permission denied for ${path}. Fix its permissions or choose another location.`,
  },
  EPERM: {
    exit: LOCAL_IO_EXIT,
    what: (path) =>
      `The system did not allow the operation on ${path}. Fix its permissions or choose another location.`,
  },
  EIO: {
    exit: LOCAL_IO_EXIT,
    what: (path) => `The disk failed to read or write ${path} (I/O error). Check the disk and run again.`,
  },
  ENOTDIR: {exit: 2, what: (path) => `A part of ${path} is a file where a directory is needed. Choose another path.`},
  EISDIR: {exit: 2, what: (path) => `${path} is a directory where a file is needed. Choose another path.`},
}

/** A system error on a local file, as one or two sentences with its exit code; undefined for anything else. */
export function describeLocalFailure(error: Error): {message: string; exit: number} | undefined {
  const {code, path} = error as NodeJS.ErrnoException
  const failure = code === undefined ? undefined : LOCAL_FAILURES[code]
  if (!failure || (path === undefined && code !== 'ENOSPC' && code !== 'EIO')) return undefined
  return {message: failure.what(path ?? 'the output'), exit: failure.exit}
}
