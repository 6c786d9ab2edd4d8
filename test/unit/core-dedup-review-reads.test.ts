/**
 * caseReview (src/reports/review-state.ts) reads a case's latest masks of both views at once
 * (CaseStore.latestMasks: one read per source, not one per view), and latestMasks gives, view by
 * view, what latestMask gives. A real store in a temporary folder; the store's methods are only
 * counted (they still run).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { maskArea } from '../../src/imaging/components';
import { caseReview } from '../../src/reports/review-state';
import { encodeMaskPng } from '../../src/store/mask-png';
import { CaseStore } from '../../src/store/store';
import { VIEWS, type MaskRow, type ViewName } from '../../src/store/types';
import { ellipseMask, sampleEstimate } from './store-fixtures';

const W = 80;
const H = 60;
const READER = 'dr. once';

let dir: string;
let store: CaseStore;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'spv-core-dedup-review-'));
  store = CaseStore.open(dir);
});
afterEach(() => {
  vi.restoreAllMocks();
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

function newCase(title: string): number {
  const patientId = store.upsertPatient({ key: `SYNTH-${title}`, name: null });
  return store.createCase({ patientId, studyInstanceUid: null, studyDate: null, title }, 'import');
}

async function addMask(
  caseId: number,
  view: ViewName,
  source: 'ai' | 'manual',
  rx: number,
): Promise<MaskRow> {
  const mask = ellipseMask(W, H, rx, 18);
  return store.addMask({
    caseId,
    view,
    source,
    author: source === 'ai' ? 'model' : READER,
    width: W,
    height: H,
    areaPx: maskArea(mask),
    png: await encodeMaskPng(mask, W, H),
  });
}

function addEstimate(
  caseId: number,
  source: 'ai' | 'manual',
  coronal: MaskRow,
  transverse: MaskRow,
) {
  store.addEstimate({
    caseId,
    source,
    coronalMaskId: coronal.id,
    transverseMaskId: transverse.id,
    modelHash: 'cafe',
    author: source === 'ai' ? 'model' : READER,
    estimate: sampleEstimate(210),
  });
}

describe('CaseStore.latestMasks', () => {
  it("is each view's latestMask, of any source or of one, in one read", async () => {
    const caseId = newCase('mixed');
    await addMask(caseId, 'coronal', 'ai', 30);
    await addMask(caseId, 'coronal', 'manual', 32);
    await addMask(caseId, 'coronal', 'ai', 31);
    await addMask(caseId, 'coronal', 'manual', 34);
    await addMask(caseId, 'transverse', 'ai', 25);
    const coronalOnly = newCase('coronal only');
    await addMask(coronalOnly, 'coronal', 'manual', 20);
    const none = newCase('none');
    for (const id of [caseId, coronalOnly, none])
      for (const source of [undefined, 'ai', 'manual'] as const) {
        const latest = store.latestMasks(id, source);
        for (const view of VIEWS)
          expect(latest[view] ?? null).toEqual(store.latestMask(id, view, source));
      }
    expect(Object.keys(store.latestMasks(coronalOnly))).toEqual(['coronal']);
    expect(store.latestMasks(none)).toEqual({});
  });
});

describe('caseReview mask reads', () => {
  it('reads the latest masks once per source, not once per view, and answers as before', async () => {
    const corrected = newCase('corrected');
    const resetToAi = newCase('reset to AI');
    for (const caseId of [corrected, resetToAi]) {
      const coronal = await addMask(caseId, 'coronal', 'ai', 30);
      const transverse = await addMask(caseId, 'transverse', 'ai', 25);
      addEstimate(caseId, 'ai', coronal, transverse);
      // The reader's version: a correction, or the AI's pixels again (Reset to AI).
      const edited = await addMask(caseId, 'coronal', 'manual', caseId === corrected ? 35 : 30);
      addEstimate(caseId, 'manual', edited, transverse);
    }
    const latestMask = vi.spyOn(store, 'latestMask');
    const latestMasks = vi.spyOn(store, 'latestMasks');
    expect(caseReview(store, corrected).masks).toBe('corrected');
    expect(caseReview(store, resetToAi).masks).toBe('ai-not-reviewed');
    expect(latestMask).not.toHaveBeenCalled();
    // Per case: the latest masks of any source (stale?) and the AI's (a reset is no correction).
    expect(latestMasks.mock.calls.map(([id, source]) => [id, source ?? 'any'])).toEqual([
      [corrected, 'any'],
      [corrected, 'ai'],
      [resetToAi, 'any'],
      [resetToAi, 'ai'],
    ]);
  });
});
