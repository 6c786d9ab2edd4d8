/**
 * The reader's patient inputs kept on the case itself (schema 9), so that those typed on a case
 * with no estimate yet (not calibrated) are there when it is opened again; a database from before
 * falls back to the latest estimate's inputs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Patient } from '../../src/api/contract';
import { databasePathFor, openDatabase } from '../../src/store/database';
import { CaseStore } from '../../src/store/store';
import { readerPatient } from '../../src/store-service/saved-masks';
import { sampleEstimate } from './store-fixtures';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'spv-patient-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function newCase(store: CaseStore): number {
  const patientId = store.upsertPatient({ key: 'P-9', name: 'Doe^Jane' });
  return store.createCase(
    { patientId, studyInstanceUid: null, studyDate: null, title: 'case' },
    'importer',
  );
}

function addEstimate(store: CaseStore, caseId: number, patient: Patient | null): void {
  store.addEstimate({
    caseId,
    source: 'ai',
    coronalMaskId: null,
    transverseMaskId: null,
    modelHash: 'h',
    author: 'model',
    estimate: sampleEstimate(),
    patient,
  });
}

const child: Patient = { ageYears: 4, sex: 'female', heightCm: null };
const adult: Patient = { ageYears: 40, sex: 'male', heightCm: 180 };
/** A case view whose DICOM header gives no patient inputs (a PNG). */
const noHeader = {};

describe("a case's patient inputs", () => {
  it('are kept and read back, and none given is kept as such', () => {
    const store = CaseStore.open(dir);
    try {
      const caseId = newCase(store);
      expect(store.patientInputs(caseId)).toBeUndefined();
      expect(readerPatient(store, caseId, noHeader)).toBeNull();
      store.setPatientInputs(caseId, child);
      expect(store.patientInputs(caseId)).toEqual(child);
      store.setPatientInputs(caseId, null);
      expect(store.patientInputs(caseId)).toBeNull();
      expect(() => store.patientInputs(caseId + 1)).toThrow(/There is no case/);
    } finally {
      store.close();
    }
  });

  it('are newer than the latest estimate when sent after it, and stand for it', () => {
    const store = CaseStore.open(dir);
    try {
      const caseId = newCase(store);
      addEstimate(store, caseId, adult);
      // No inputs sent since schema 9: the estimate's are the reader's.
      expect(readerPatient(store, caseId, noHeader)).toEqual(adult);
      store.setPatientInputs(caseId, child);
      expect(readerPatient(store, caseId, noHeader)).toEqual(child);
      // "None given" sent is an answer too, not a gap for the estimate's to fill.
      store.setPatientInputs(caseId, null);
      expect(readerPatient(store, caseId, noHeader)).toBeNull();
    } finally {
      store.close();
    }
  });

  it("give way to the DICOM header's only on a case with no estimate yet", () => {
    const store = CaseStore.open(dir);
    try {
      const caseId = newCase(store);
      const header = { studyPatient: child };
      expect(readerPatient(store, caseId, header)).toEqual(child);
      // An estimate on record made with none given is not re-decided by the header (signed off,
      // it must show as signed).
      addEstimate(store, caseId, null);
      expect(readerPatient(store, caseId, header)).toBeNull();
      addEstimate(store, caseId, adult);
      expect(readerPatient(store, caseId, header)).toEqual(adult);
      // The reader's "none given" stands.
      store.setPatientInputs(caseId, null);
      expect(readerPatient(store, caseId, header)).toBeNull();
    } finally {
      store.close();
    }
  });

  it('are refused on a signed-off case, as every change is, and do not move its state', () => {
    const store = CaseStore.open(dir);
    try {
      const caseId = newCase(store);
      addEstimate(store, caseId, adult);
      const before = store.getCase(caseId);
      store.setPatientInputs(caseId, child);
      expect(store.getCase(caseId).updatedAt).toBe(before.updatedAt);
      expect(store.auditLog(caseId).map((a) => a.action)).not.toContain('case.patient');
      store.signOff(caseId, 'dr. a');
      expect(() => store.setPatientInputs(caseId, adult)).toThrow(/signed off by dr\. a/);
      expect(store.patientInputs(caseId)).toEqual(child);
    } finally {
      store.close();
    }
  });

  it("fall back to the latest estimate's in a database from before schema 9", () => {
    const old = openDatabase(databasePathFor(dir), { targetVersion: 8 });
    const t = '2026-01-01T00:00:00.000Z';
    old
      .prepare("INSERT INTO patients (patient_key, name, created_at) VALUES ('P-1', 'Doe^J', ?)")
      .run(t);
    old
      .prepare(
        "INSERT INTO cases (patient_id, title, status, created_at, updated_at) VALUES (1, 'old', 'in-review', ?, ?)",
      )
      .run(t, t);
    old.close();
    const store = CaseStore.open(dir);
    try {
      expect(store.patientInputs(1)).toBeUndefined();
      addEstimate(store, 1, child);
      expect(readerPatient(store, 1, noHeader)).toEqual(child);
    } finally {
      store.close();
    }
  });
});
