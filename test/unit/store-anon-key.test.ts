/**
 * The installation's key for anonymised exports' pseudonyms: created at random the first time it
 * is asked for, the same ever after (also after reopening), another one in another database, never
 * changed, and refused with a message when it cannot be read or created.
 */
import { describe, it, expect, afterEach } from 'vitest';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pseudonyms } from '../../src/reports/anon-pseudonyms';
import { databasePathFor } from '../../src/store/database';
import { CaseStore } from '../../src/store/store';

const dirs: string[] = [];
const stores: CaseStore[] = [];
function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'spv-anon-key-'));
  dirs.push(dir);
  return dir;
}
function open(dir: string): CaseStore {
  const store = CaseStore.open(dir);
  stores.push(store);
  return store;
}
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const keyRows = (store: CaseStore) =>
  store.db.prepare('SELECT COUNT(*) FROM pseudonym_key').pluck().get();

describe('the anonymisation key', () => {
  it('is created once, on first use, and reused ever after, also when the database is reopened', () => {
    const dir = dataDir();
    const store = open(dir);
    // Not before an anonymised export needs it.
    expect(keyRows(store)).toBe(0);
    const key = store.pseudonymKey();
    expect(key).toHaveLength(32);
    expect(store.pseudonymKey().equals(key)).toBe(true);
    expect(keyRows(store)).toBe(1);
    // Its creation is audited, without the key.
    const created = store.auditLog().filter((a) => a.action === 'pseudonym-key.create');
    expect(created).toHaveLength(1);
    expect(JSON.stringify(created)).not.toContain(key.toString('hex'));
    store.close();
    const reopened = open(dir);
    expect(reopened.pseudonymKey().equals(key)).toBe(true);
    expect(new Pseudonyms(reopened.pseudonymKey()).patientId('00123456')).toBe(
      new Pseudonyms(key).patientId('00123456'),
    );
    expect(reopened.auditLog().filter((a) => a.action === 'pseudonym-key.create')).toHaveLength(1);
  });

  it('is made in a database upgraded from before it existed (schema 5)', () => {
    const dir = dataDir();
    CaseStore.open(dir, { targetVersion: 5 }).close();
    const upgraded = open(dir);
    expect(keyRows(upgraded)).toBe(0);
    expect(upgraded.pseudonymKey()).toHaveLength(32);
  });

  it('differs between two installations, and so does every pseudonym', () => {
    const a = open(dataDir()).pseudonymKey();
    const b = open(dataDir()).pseudonymKey();
    expect(a.equals(b)).toBe(false);
    expect(new Pseudonyms(a).patientId('00123456')).not.toBe(
      new Pseudonyms(b).patientId('00123456'),
    );
    expect(new Pseudonyms(a).caseRef(1)).not.toBe(new Pseudonyms(b).caseRef(1));
  });

  it('is never changed or removed: the database refuses it', () => {
    const store = open(dataDir());
    const key = store.pseudonymKey();
    expect(() => store.db.prepare('UPDATE pseudonym_key SET key = zeroblob(32)').run()).toThrow(
      /never changes/,
    );
    expect(() => store.db.prepare('DELETE FROM pseudonym_key').run()).toThrow(/never removed/);
    expect(store.pseudonymKey().equals(key)).toBe(true);
  });

  it('is read from a read-only database that has one, and refused with a message where it cannot be created', () => {
    const withKey = dataDir();
    const store = open(withKey);
    const key = store.pseudonymKey();
    store.close();
    const readOnly = new CaseStore(new Database(databasePathFor(withKey), { readonly: true }));
    stores.push(readOnly);
    expect(readOnly.pseudonymKey().equals(key)).toBe(true);

    const withoutKey = dataDir();
    open(withoutKey).close();
    const cannotWrite = new CaseStore(
      new Database(databasePathFor(withoutKey), { readonly: true }),
    );
    stores.push(cannotWrite);
    expect(() => cannotWrite.pseudonymKey()).toThrow(
      /Cannot read or create the anonymisation key in the cases database .*readonly.*No anonymised export is made without it/,
    );
  });

  it('is refused, never replaced, when the stored one is damaged', () => {
    const store = open(dataDir());
    store.db
      .prepare('INSERT INTO pseudonym_key (id, key, created_at) VALUES (1, ?, ?)')
      .run(Buffer.alloc(5), new Date().toISOString());
    expect(() => store.pseudonymKey()).toThrow(
      /anonymisation key .* is damaged \(5 bytes, not 32\).*Restore the database from a backup/,
    );
    expect(keyRows(store)).toBe(1);
  });
});
