/**
 * A session summary reads each case's row and latest estimate once and hands them to caseReview
 * (review-state.ts), which then reads them no more; caseReview gives the same answer whether it
 * reads them itself or is handed them, and says whether the estimate is stale. A real store in a
 * temporary folder; the store's methods are only counted (they still run).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { maskArea } from '../../src/imaging/components';
import { caseReview } from '../../src/reports/review-state';
import { summariseSession } from '../../src/reports/session-summary';
import { encodeMaskPng } from '../../src/store/mask-png';
import { CaseStore } from '../../src/store/store';
import type { MaskRow, ViewName } from '../../src/store/types';
import { ellipseMask, sampleEstimate } from './store-fixtures';

const W = 120;
const H = 90;
const READER = 'dr. reads';

let dir: string;
let store: CaseStore;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'spv-session-reads-'));
  store = CaseStore.open(dir);
});
afterEach(() => {
  vi.restoreAllMocks();
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

function newCase(title: string): number {
  const patientId = store.upsertPatient({ key: `SYNTH-${title}`, name: null });
  return store.createCase(
    { patientId, studyInstanceUid: null, studyDate: null, title },
    'importer',
  );
}

async function addMask(
  caseId: number,
  view: ViewName,
  source: 'ai' | 'manual',
  rx: number,
): Promise<MaskRow> {
  const mask = ellipseMask(W, H, rx, 25);
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
  masks: { coronal: MaskRow; transverse: MaskRow },
  volumeMl: number,
): void {
  store.addEstimate({
    caseId,
    source,
    coronalMaskId: masks.coronal.id,
    transverseMaskId: masks.transverse.id,
    modelHash: 'cafe',
    author: source === 'ai' ? 'model' : READER,
    estimate: sampleEstimate(volumeMl),
  });
}

/** Cases in every review state a summary tells apart; returns the session's id and its cases. */
async function sessionOfEveryState(): Promise<{ sessionId: number; caseIds: number[] }> {
  const caseIds: number[] = [];
  for (const [k, state] of [
    'corrected',
    'accepted',
    'flagged',
    'never-opened',
    'edited-after-estimate',
    'reset-to-ai',
    'not-estimated',
  ].entries()) {
    const caseId = newCase(`case-${k}-${state}`);
    caseIds.push(caseId);
    if (state === 'not-estimated') continue;
    const ai = {
      coronal: await addMask(caseId, 'coronal', 'ai', 40),
      transverse: await addMask(caseId, 'transverse', 'ai', 30),
    };
    addEstimate(caseId, 'ai', ai, 200 + k);
    if (state === 'corrected' || state === 'edited-after-estimate' || state === 'reset-to-ai') {
      const manual = {
        coronal: await addMask(caseId, 'coronal', 'manual', state === 'reset-to-ai' ? 40 : 44),
        transverse: ai.transverse,
      };
      addEstimate(caseId, 'manual', manual, 180 + k);
      if (state === 'corrected') store.signOff(caseId, READER);
      // An edit after the estimate whose own estimate never came: the case is stale.
      if (state === 'edited-after-estimate') await addMask(caseId, 'coronal', 'manual', 47);
    }
    if (state === 'accepted') store.audit(READER, 'case.accept-ai', caseId);
    if (state === 'flagged') store.flag(caseId, READER, 'rib shadow');
  }
  const sessionId = store.createSession(READER, caseIds, 'reads');
  return { sessionId, caseIds };
}

describe('caseReview with what its caller already read', () => {
  it('answers as when it reads the case itself, and says which estimates are stale', async () => {
    const { caseIds } = await sessionOfEveryState();
    for (const caseId of caseIds) {
      const own = caseReview(store, caseId);
      const handed = caseReview(store, caseId, {
        row: store.getCase(caseId),
        latestEstimate: store.latestEstimate(caseId),
      });
      expect(handed).toEqual(own);
      expect(own.stale).toBe(caseId === caseIds[4]);
    }
    expect(caseReview(store, caseIds[0]).masks).toBe('corrected');
    expect(caseReview(store, caseIds[4]).notReviewedReason).toMatch(/edited after its latest/);
    expect(caseReview(store, caseIds[5]).masks).toBe('ai-not-reviewed');
  });

  it('reads neither the row nor the latest estimate again when handed them', async () => {
    const { caseIds } = await sessionOfEveryState();
    const row = store.getCase(caseIds[0]);
    const latestEstimate = store.latestEstimate(caseIds[0]);
    const getCase = vi.spyOn(store, 'getCase');
    const latest = vi.spyOn(store, 'latestEstimate');
    caseReview(store, caseIds[0], { row, latestEstimate });
    caseReview(store, caseIds[6], { latestEstimate: null, row: store.getCase(caseIds[6]) });
    expect(getCase).toHaveBeenCalledTimes(1); // the call in this test's own argument
    expect(latest).not.toHaveBeenCalled();
  });
});

describe('session summary reads', () => {
  it("reads each case's row and latest estimate once (plus its latest AI estimate)", async () => {
    const { sessionId, caseIds } = await sessionOfEveryState();
    const getCase = vi.spyOn(store, 'getCase');
    const latest = vi.spyOn(store, 'latestEstimate');
    const summary = await summariseSession(store, sessionId);
    expect(summary.rows.map((r) => r.caseId)).toEqual(caseIds.map(String));
    for (const caseId of caseIds) {
      expect(getCase.mock.calls.filter(([id]) => id === caseId)).toHaveLength(1);
      const reads = latest.mock.calls.filter(([id]) => id === caseId);
      expect(reads.map(([, source]) => source ?? 'latest').sort()).toEqual(['ai', 'latest']);
    }
    // What the reads feed: the corrected case's Dice, the stale and unreviewed cases left out.
    expect(summary.rows[0].diceCoronal).toBeGreaterThan(0.8);
    expect(summary.rows[0].diceCoronal).toBeLessThan(1);
    expect(summary.rows[0].diceTransverse).toBe(1);
    expect(summary.notReviewed.map((c) => Number(c.caseId))).toEqual([
      caseIds[2],
      caseIds[3],
      caseIds[4],
      caseIds[5],
      caseIds[6],
    ]);
  });
});
