/**
 * Sign-off records what the reader confirmed checking: an estimate that asks the reader to check
 * something first (checkFirst: an uncertain AI outline, views that look swapped) is signed off
 * only when the sign-off confirms every item, and the audit says which. The estimate's check-first
 * items survive the round trip through the database (schema 7), so the worklist sees them too.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignOffRequestSchema } from '../../src/api/store-contract';
import { CaseStore } from '../../src/store/store';
import { caseSummary } from '../../src/store-service/summaries';
import { sampleEstimate } from './store-fixtures';

const SWAPPED = 'views look swapped';

let dir: string;
let store: CaseStore;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'spv-swap-signoff-'));
  store = CaseStore.open(dir);
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

function caseWithEstimate(overrides: Parameters<typeof sampleEstimate>[1] = {}): number {
  const patientId = store.upsertPatient({ key: 'SYNTH-SWAP' });
  const caseId = store.createCase(
    { patientId, studyInstanceUid: null, studyDate: null, title: 'swap' },
    'importer',
  );
  store.addEstimate({
    caseId,
    source: 'ai',
    coronalMaskId: null,
    transverseMaskId: null,
    modelHash: 'h',
    author: 'model',
    estimate: sampleEstimate(212, overrides),
  });
  return caseId;
}

describe('sign-off of an estimate with check-first items', () => {
  it("keeps an estimate's uncertain outlines and input doubts, so the worklist lists them", () => {
    const caseId = caseWithEstimate({ uncertainOutline: ['coronal'], inputDoubts: [SWAPPED] });
    expect(store.latestEstimate(caseId)?.estimate).toMatchObject({
      uncertainOutline: ['coronal'],
      inputDoubts: [SWAPPED],
    });
    expect(caseSummary(store, store.getCase(caseId)).checkFirst).toEqual([
      SWAPPED,
      'uncertain AI coronal outline',
    ]);
  });

  it('keeps which warning belongs to which item (schema 8), and has none for an older estimate', () => {
    const warning = 'The transverse outline is longer (9.0 cm) than the coronal one (7.0 cm)…';
    const linked = caseWithEstimate({
      inputDoubts: [SWAPPED],
      warnings: [warning],
      checkFirstWarnings: [{ phrase: SWAPPED, warning }],
    });
    expect(store.latestEstimate(linked)?.estimate.checkFirstWarnings).toEqual([
      { phrase: SWAPPED, warning },
    ]);
    const older = caseWithEstimate({ inputDoubts: [SWAPPED], warnings: [warning] });
    expect(store.latestEstimate(older)?.estimate).not.toHaveProperty('checkFirstWarnings');
  });

  it('refuses a sign-off that does not confirm every item, naming the missing ones', () => {
    const caseId = caseWithEstimate({ uncertainOutline: ['coronal'], inputDoubts: [SWAPPED] });
    expect(() => store.signOff(caseId, 'dr. a')).toThrow(
      /asks you to check first: "views look swapped", "uncertain AI coronal outline".*sign off confirming them/,
    );
    expect(() => store.signOff(caseId, 'dr. a', undefined, [SWAPPED])).toThrow(
      /check first: "uncertain AI coronal outline", and the sign-off did not confirm it/,
    );
    expect(store.getCase(caseId).status).not.toBe('signed-off');
    expect(store.auditLog(caseId).map((e) => e.action)).not.toContain('case.sign-off');
  });

  it('signs off once every item is confirmed, and the audit records what was checked', () => {
    const caseId = caseWithEstimate({ uncertainOutline: ['coronal'], inputDoubts: [SWAPPED] });
    const checked = SignOffRequestSchema.parse({
      caseId: String(caseId),
      reader: 'dr. a',
      checked: [SWAPPED, 'uncertain AI coronal outline'],
    }).checked;
    store.signOff(caseId, 'dr. a', undefined, checked);
    expect(store.getCase(caseId).status).toBe('signed-off');
    const entry = store.auditLog(caseId).find((e) => e.action === 'case.sign-off');
    expect(entry?.detail).toMatchObject({
      checkFirst: [SWAPPED, 'uncertain AI coronal outline'],
      checked: [SWAPPED, 'uncertain AI coronal outline'],
    });
  });

  it('records only the phrases its estimate asked about', () => {
    const caseId = caseWithEstimate({ inputDoubts: [SWAPPED] });
    store.signOff(caseId, 'dr. a', undefined, ['length implausible', SWAPPED]);
    const entry = store.auditLog(caseId).find((e) => e.action === 'case.sign-off');
    expect(entry?.detail).toMatchObject({ checkFirst: [SWAPPED], checked: [SWAPPED] });
  });

  it('refuses an estimate saved before estimates said what to check first (schema 7)', () => {
    // As such a row reads back: neither list.
    const caseId = caseWithEstimate({ uncertainOutline: undefined, inputDoubts: undefined });
    expect(store.latestEstimate(caseId)?.estimate.inputDoubts).toBeUndefined();
    expect(() => store.signOff(caseId, 'dr. a')).toThrow(
      /made before this version checked an estimate's inputs.*Open the case in the viewer so that it is estimated again/,
    );
    expect(store.getCase(caseId).status).not.toBe('signed-off');
  });

  it('signs off as before when the estimate has nothing to check', () => {
    const caseId = caseWithEstimate();
    store.signOff(caseId, 'dr. a');
    expect(store.getCase(caseId).status).toBe('signed-off');
    const entry = store.auditLog(caseId).find((e) => e.action === 'case.sign-off');
    expect(entry?.detail).toMatchObject({ checkFirst: [], checked: [] });
  });

  it('takes at most 20 checked phrases in a request', () => {
    const tooMany = Array.from({ length: 21 }, (_, i) => `item ${i}`);
    expect(
      SignOffRequestSchema.safeParse({ caseId: '1', reader: 'dr. a', checked: tooMany }).success,
    ).toBe(false);
  });
});
