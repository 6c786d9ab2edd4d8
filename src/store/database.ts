/**
 * Opens the cases database: WAL journal (readers never block the writer, a crash loses at most
 * the transaction in progress), foreign keys on, and the numbered migrations applied.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { SpvError } from '../api/errors';
import { LATEST_SCHEMA_VERSION, migrations, type Migration } from './migrations';

export type Db = Database.Database;

export const DATABASE_FILE_NAME = 'spv-cases.sqlite';

export function databasePathFor(dataDir: string): string {
  return join(dataDir, DATABASE_FILE_NAME);
}

export interface OpenDatabaseOptions {
  /** Stop at this schema version (tests of upgrades from earlier schemas). Default: latest. */
  targetVersion?: number;
}

export function openDatabase(file: string, options: OpenDatabaseOptions = {}): Db {
  if (file !== ':memory:') {
    try {
      mkdirSync(dirname(file), { recursive: true });
    } catch (error) {
      throw new SpvError(
        'bad-input',
        `The database folder ${dirname(file)} cannot be made (${(error as Error).message}): give a folder you can write to (--data-dir DIR for spv and the web host).`,
        { cause: error },
      );
    }
  }
  let db: Db;
  try {
    db = new Database(file);
  } catch (error) {
    throw new SpvError(
      'bad-input',
      `Cannot open the cases database ${file}: ${(error as Error).message}. Check that the data folder is writable.`,
      { cause: error },
    );
  }
  db.pragma('journal_mode = WAL');
  // FULL: a committed transaction survives a power cut, not only a process crash.
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db, options.targetVersion ?? LATEST_SCHEMA_VERSION);
  return db;
}

export function schemaVersion(db: Db): number {
  const row = db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as {
    v: number | null;
  };
  return row.v ?? 0;
}

/** Applies every migration above the database's version, up to `target`, each in a transaction. */
export function migrate(
  db: Db,
  target: number = LATEST_SCHEMA_VERSION,
  list: readonly Migration[] = migrations,
): void {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`);
  const current = schemaVersion(db);
  const newest = list.length ? list[list.length - 1].version : 0;
  if (current > newest) {
    throw new SpvError(
      'bad-input',
      `The cases database is at schema version ${current}, newer than this app knows (${newest}). Update SPV Workstation.`,
    );
  }
  const record = db.prepare(
    'INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)',
  );
  for (const migration of list) {
    if (migration.version <= current || migration.version > target) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      record.run(migration.version, migration.name, new Date().toISOString());
    })();
  }
}
