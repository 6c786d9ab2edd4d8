import { describe, it, expect, afterEach } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, schemaVersion, migrate, type Db } from '../../src/store/database';
import { LATEST_SCHEMA_VERSION, migrations } from '../../src/store/migrations';

const dirs: string[] = [];
function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'spv-mig-'));
  dirs.push(dir);
  return join(dir, 'db.sqlite');
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** The schema as SQLite itself reports it: every table's columns and every index and trigger. */
function schemaOf(db: Db): string[] {
  const objects = db
    .prepare(
      "SELECT type, name, tbl_name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name",
    )
    .all() as { type: string; name: string; tbl_name: string }[];
  const out: string[] = [];
  for (const o of objects) {
    out.push(`${o.type} ${o.name} on ${o.tbl_name}`);
    if (o.type === 'table') {
      const cols = db.prepare(`PRAGMA table_info(${o.name})`).all() as {
        name: string;
        type: string;
        notnull: number;
        dflt_value: unknown;
      }[];
      for (const c of cols)
        out.push(`  ${o.name}.${c.name} ${c.type} ${c.notnull} ${String(c.dflt_value)}`);
    }
  }
  return out;
}

describe('store migrations', () => {
  it('are numbered 1, 2, 3… without gaps', () => {
    expect(migrations.map((m) => m.version)).toEqual(migrations.map((_, i) => i + 1));
  });

  it('bring an empty database to the latest schema with WAL and foreign keys on', () => {
    const db = openDatabase(tempFile());
    expect(schemaVersion(db)).toBe(LATEST_SCHEMA_VERSION);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all();
    for (const t of [
      'patients',
      'cases',
      'images',
      'masks',
      'estimates',
      'measurements',
      'review_sessions',
      'session_cases',
      'audit_log',
    ]) {
      expect(tables).toContain(t);
    }
    db.close();
  });

  it('are idempotent: reopening applies nothing twice', () => {
    const file = tempFile();
    openDatabase(file).close();
    const db = openDatabase(file);
    expect(db.prepare('SELECT COUNT(*) FROM schema_migrations').pluck().get()).toBe(
      LATEST_SCHEMA_VERSION,
    );
    db.close();
  });

  for (let earlier = 1; earlier < LATEST_SCHEMA_VERSION; earlier++) {
    it(`upgrade a database at schema ${earlier} keeping its data, to the same schema as a fresh one`, () => {
      const file = tempFile();
      const old = openDatabase(file, { targetVersion: earlier });
      expect(schemaVersion(old)).toBe(earlier);
      const t = '2026-01-01T00:00:00.000Z';
      old
        .prepare(
          "INSERT INTO patients (patient_key, name, created_at) VALUES ('P-1', 'Doe^Jane', ?)",
        )
        .run(t);
      old
        .prepare(
          "INSERT INTO cases (patient_id, title, status, created_at, updated_at) VALUES (1, 'old case', 'corrected', ?, ?)",
        )
        .run(t, t);
      old
        .prepare(
          "INSERT INTO audit_log (at, actor, action, case_id, detail_json) VALUES (?, 'dr', 'case.create', 1, '{}')",
        )
        .run(t);
      old.close();

      const upgraded = openDatabase(file);
      expect(schemaVersion(upgraded)).toBe(LATEST_SCHEMA_VERSION);
      const row = upgraded.prepare('SELECT title, status, version FROM cases WHERE id = 1').get();
      expect(row).toEqual({ title: 'old case', status: 'corrected', version: 1 });
      expect(upgraded.prepare('SELECT COUNT(*) FROM audit_log').pluck().get()).toBe(1);
      const fresh = openDatabase(tempFile());
      expect(schemaOf(upgraded)).toEqual(schemaOf(fresh));
      expect(upgraded.pragma('integrity_check', { simple: true })).toBe('ok');
      upgraded.close();
      fresh.close();
    });
  }

  it('refuses a database written by a newer app, naming the versions', () => {
    const file = tempFile();
    const db = openDatabase(file);
    db.prepare(
      "INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, 'future', 'x')",
    ).run();
    expect(() => migrate(db)).toThrow(
      `schema version 99, newer than this app knows (${LATEST_SCHEMA_VERSION})`,
    );
    db.close();
  });

  it('roll back a failing migration entirely', () => {
    const db = openDatabase(':memory:');
    const broken = [
      ...migrations,
      {
        version: LATEST_SCHEMA_VERSION + 1,
        name: 'broken',
        sql: 'CREATE TABLE half (x); SELECT nonsense FROM nowhere;',
      },
    ];
    expect(() => migrate(db, LATEST_SCHEMA_VERSION + 1, broken)).toThrow();
    expect(schemaVersion(db)).toBe(LATEST_SCHEMA_VERSION);
    expect(db.prepare("SELECT COUNT(*) FROM sqlite_master WHERE name = 'half'").pluck().get()).toBe(
      0,
    );
    db.close();
  });
});
