// The local activity archive's public face: open it, store and query activities, sync it with Strava.
export {ActivityArchive, ARCHIVE_FILE, forgetAthlete} from './archive.js'
export type {ActivitySourceKind, ArchiveSummary, Coverage, SyncState, UpsertOptions} from './archive.js'
export {ArchiveDamagedError, ArchiveFileError, ArchiveTooNewError, LOCAL_FILE_EXIT_CODE} from './errors.js'
export {migrations, SCHEMA_VERSION} from './schema.js'
export {holdsSettled, RECENT_WINDOW_DAYS, syncActivities, SyncInterruptedError} from './sync.js'
export type {ActivityLister, SyncMode, SyncOptions, SyncProgress, SyncResult} from './sync.js'
export {ArchiveActivitySource, athleteIdOf, offlineAthlete} from './source.js'
