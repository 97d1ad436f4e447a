// The archive's schema, as forward migrations. migrations[i] takes a database at version i to i + 1;
// PRAGMA user_version holds the version reached. Version 0 is an empty file. To change the schema,
// append a function (never edit a shipped one) and add a test that migrates a file of each earlier
// version (test/archive/migrations.test.ts).
import type {DatabaseSync} from 'node:sqlite'

type Migration = (db: DatabaseSync) => void

export const migrations: Migration[] = [
  // v1. Activities keep Strava's JSON beside the columns queries need. `source` tells an activity listed
  // by the API from one imported from the bulk export; `details_json` holds the detailed activity
  // (GET /activities/{id}) once fetched. `listed_at` (ms) is when a listing last returned the activity:
  // a listing that completes deletes, inside its window, what it did not return.
  (db) =>
    db.exec(`
      CREATE TABLE athletes (
        athlete_id TEXT PRIMARY KEY,
        json TEXT NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE TABLE activities (
        athlete_id TEXT NOT NULL,
        activity_id TEXT NOT NULL,
        start_utc INTEGER NOT NULL,
        start_local TEXT NOT NULL,
        start_local_date TEXT NOT NULL,
        sport_type TEXT NOT NULL,
        visibility TEXT,
        private INTEGER NOT NULL DEFAULT 0,
        source TEXT NOT NULL DEFAULT 'api' CHECK (source IN ('api', 'export')),
        summary_json TEXT NOT NULL,
        summary_updated_at INTEGER NOT NULL,
        details_json TEXT,
        details_updated_at INTEGER,
        listed_at INTEGER,
        PRIMARY KEY (athlete_id, activity_id)
      ) WITHOUT ROWID;
      CREATE INDEX activities_by_local_date ON activities (athlete_id, start_local_date);
      CREATE INDEX activities_by_start ON activities (athlete_id, start_utc);
      CREATE TABLE sync_state (
        athlete_id TEXT PRIMARY KEY,
        history_complete INTEGER NOT NULL DEFAULT 0,
        resume_after INTEGER,
        last_sync_at INTEGER,
        last_sync_json TEXT
      );
      CREATE TABLE coverage (
        athlete_id TEXT NOT NULL,
        after_utc INTEGER NOT NULL,
        before_utc INTEGER NOT NULL,
        listed_at INTEGER NOT NULL
      );
      CREATE INDEX coverage_by_athlete ON coverage (athlete_id);
    `),
]

export const SCHEMA_VERSION = migrations.length
