// The `weeknotes sync` use case and what `sync --status` reports: whose archive (the login's athlete, asked
// of Strava when the login saved none, as in CI mode), the sync itself, and what the archive holds.
import type {SummaryAthlete} from '../strava/types.js'
import type {ActivityArchive, ArchiveSummary} from './archive.js'
import {athleteIdOf} from './source.js'
import {syncActivities, type ActivityLister, type SyncProgress, type SyncResult} from './sync.js'

export interface AthleteLister extends ActivityLister {
  getAthlete(): Promise<SummaryAthlete>
}

export interface AthleteSyncOptions {
  /** The athlete saved at login; asked of Strava when absent. */
  athlete?: Record<string, unknown>
  /** Re-list the whole history and remove what Strava no longer has. */
  full?: boolean
  onPage?: (progress: SyncProgress) => void
}

/** Syncs the athlete's archive from Strava; `held` is how many activities it holds afterwards. */
export async function syncAthlete(
  archive: ActivityArchive,
  strava: AthleteLister,
  o: AthleteSyncOptions,
): Promise<SyncResult & {held: number}> {
  const athlete = o.athlete ?? ((await strava.getAthlete()) as unknown as Record<string, unknown>)
  archive.saveAthlete(athlete)
  const athleteId = athleteIdOf(athlete)
  const onPage = o.onPage
  const result = await syncActivities(archive, strava, {
    athleteId,
    full: o.full,
    onPage: onPage && ((progress) => onPage(progress)),
  })
  return {...result, held: archive.summary(athleteId).count}
}

export interface AthleteStatus extends Omit<ArchiveSummary, 'path' | 'bytes'> {
  athleteId: string
  historyComplete: boolean
  /** ISO time of the last completed sync. */
  lastSyncAt?: string
}

/** The archive file and, per athlete (the saved login's, else every one held), what it holds and its last sync. */
export function archiveStatus(
  archive: ActivityArchive,
  saved?: Record<string, unknown>,
): {path: string; bytes: number; athletes: AthleteStatus[]} {
  const athleteIds = saved ? [athleteIdOf(saved)] : archive.athleteIds()
  const athletes = athleteIds.map((id) => {
    const {path: _path, bytes: _bytes, ...held} = archive.summary(id)
    const state = archive.syncState(id)
    return {
      athleteId: id,
      ...held,
      historyComplete: state.historyComplete,
      lastSyncAt: state.lastSyncAt === undefined ? undefined : new Date(state.lastSyncAt).toISOString(),
    }
  })
  const {path, bytes} = archive.summary()
  return {path, bytes, athletes}
}
