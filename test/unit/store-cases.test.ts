import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CaseStore } from '../../src/store/store';
import { decodeMaskPng, encodeMaskPng } from '../../src/store/mask-png';
import { maskArea } from '../../src/imaging/components';
import { SpvError } from '../../src/api/errors';
import { ellipseMask, sampleEstimate } from './store-fixtures';

let dir: string;
let store: CaseStore;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'spv-store-'));
  store = CaseStore.open(dir);
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

function newCase(title = 'sample-03'): number {
  const patientId = store.upsertPatient({ key: 'SYNTH-0003', name: 'Synthetic^Three' });
  return store.createCase(
    {
      patientId,
      studyInstanceUid: `1.2.3.${title.length}.${Math.random()}`,
      studyDate: '20260101',
      title,
    },
    'importer',
  );
}

describe('mask PNG blobs', () => {
  it('round-trip exactly and stay compact', async () => {
    const mask = ellipseMask(384, 320, 120, 60);
    const png = await encodeMaskPng(mask, 384, 320);
    expect(png.length).toBeLessThan(2000);
    const back = await decodeMaskPng(png);
    expect([back.width, back.height]).toEqual([384, 320]);
    expect(Buffer.from(back.mask).equals(Buffer.from(mask))).toBe(true);
  });

  it('round-trip empty and full masks', async () => {
    for (const fill of [0, 1]) {
      const mask = new Uint8Array(50 * 40).fill(fill);
      const back = await decodeMaskPng(await encodeMaskPng(mask, 50, 40));
      expect(maskArea(back.mask)).toBe(fill * 2000);
    }
  });

  it('refuse a buffer of the wrong size', async () => {
    await expect(encodeMaskPng(new Uint8Array(10), 4, 4)).rejects.toThrow(
      /4×4 mask needs 16 pixels, got 10/,
    );
  });
});

describe('case store', () => {
  it('round-trips patients, cases, images, masks, estimates and measurements', async () => {
    const caseId = newCase();
    const calibration = {
      spacingX: 0.42,
      spacingY: 0.42,
      source: 'sidecar' as const,
      detail: 'sample.json',
    };
    store.addImage(
      {
        caseId,
        view: 'coronal',
        contentHash: 'abc',
        sopInstanceUid: '1.2.9',
        originalPath: '/x/c.png',
        format: 'png',
        width: 384,
        height: 320,
        calibration,
        meta: { patientId: 'SYNTH-0003' },
      },
      'importer',
    );
    expect(store.images(caseId)).toMatchObject([
      { view: 'coronal', calibration, meta: { patientId: 'SYNTH-0003' }, width: 384 },
    ]);
    expect(store.imageByHashOrSop('abc', null)?.caseId).toBe(caseId);
    expect(store.imageByHashOrSop('other', '1.2.9')?.caseId).toBe(caseId);
    expect(store.imageByHashOrSop('other', null)).toBeNull();

    const mask = ellipseMask(384, 320, 100, 50);
    const png = await encodeMaskPng(mask, 384, 320);
    const ai = store.addMask({
      caseId,
      view: 'coronal',
      source: 'ai',
      author: 'model',
      width: 384,
      height: 320,
      areaPx: maskArea(mask),
      png,
    });
    const manual = store.addMask({
      caseId,
      view: 'coronal',
      source: 'manual',
      author: 'dr. a',
      width: 384,
      height: 320,
      areaPx: 10,
      png,
    });
    expect([ai.version, manual.version]).toEqual([1, 2]);
    expect(store.latestMask(caseId, 'coronal')?.id).toBe(manual.id);
    expect(store.latestMask(caseId, 'coronal', 'ai')?.id).toBe(ai.id);
    const stored = store.maskById(ai.id)!;
    expect(Buffer.from((await decodeMaskPng(stored.png)).mask).equals(Buffer.from(mask))).toBe(
      true,
    );

    // Which lengths were the reader's calipers is kept: not known (absent, as on estimates saved
    // before schema 4), some, or none (null).
    for (const caliperLengths of [undefined, { length: 10.8, thickness: 4.2 }, null]) {
      const estimate = sampleEstimate(
        212.4,
        caliperLengths === undefined ? {} : { caliperLengths },
      );
      store.addEstimate({
        caseId,
        source: 'ai',
        coronalMaskId: ai.id,
        transverseMaskId: null,
        modelHash: 'deadbeef',
        author: 'model',
        estimate,
      });
      const back = store.latestEstimate(caseId)!;
      expect(back.estimate).toEqual(estimate);
      expect(back.modelHash).toBe('deadbeef');
    }
    expect(store.estimates(caseId).map((e) => e.estimate.caliperLengths)).toEqual([
      undefined,
      { length: 10.8, thickness: 4.2 },
      null,
    ]);

    store.addMeasurement({
      caseId,
      view: 'coronal',
      kind: 'length',
      valueCm: 10.8,
      points: [
        [10, 20],
        [200, 40],
      ],
      author: 'dr. a',
    });
    expect(store.measurements(caseId)).toMatchObject([
      {
        kind: 'length',
        valueCm: 10.8,
        points: [
          [10, 20],
          [200, 40],
        ],
      },
    ]);
  });

  it('keeps one patient per patient key', () => {
    const a = store.upsertPatient({ key: 'P1', name: 'A' });
    const b = store.upsertPatient({ key: 'P1', name: 'A again' });
    expect(a).toBe(b);
  });

  it('lists cases by status', () => {
    const a = newCase('a');
    newCase('bb');
    store.setStatus(a, 'ai-ready', 'model');
    expect(store.listCases('ai-ready').map((c) => c.id)).toEqual([a]);
    expect(store.listCases()).toHaveLength(2);
  });

  it('makes the audit log append-only in the database itself', () => {
    const caseId = newCase();
    expect(store.auditLog(caseId).map((e) => e.action)).toEqual(['case.create']);
    expect(() => store.db.prepare("UPDATE audit_log SET actor = 'mallory'").run()).toThrow(
      /append-only/,
    );
    expect(() => store.db.prepare('DELETE FROM audit_log').run()).toThrow(/append-only/);
    expect(store.auditLog(caseId)[0].actor).toBe('importer');
  });

  it('locks a signed-off case and needs an unlock with a reason, which bumps the version', async () => {
    const caseId = newCase();
    expect(() => store.signOff(caseId, 'dr. a')).toThrow(/has no estimate yet/);
    store.addEstimate({
      caseId,
      source: 'ai',
      coronalMaskId: null,
      transverseMaskId: null,
      modelHash: 'h',
      author: 'model',
      estimate: sampleEstimate(),
    });
    store.signOff(caseId, 'dr. a');
    const signed = store.getCase(caseId);
    expect(signed).toMatchObject({ status: 'signed-off', signedOffBy: 'dr. a', version: 1 });
    const png = await encodeMaskPng(new Uint8Array(4).fill(1), 2, 2);
    const edit = () =>
      store.addMask({
        caseId,
        view: 'coronal',
        source: 'manual',
        author: 'dr. b',
        width: 2,
        height: 2,
        areaPx: 4,
        png,
      });
    expect(edit).toThrow(SpvError);
    expect(edit).toThrow(/signed off by dr\. a .* unlock it with a reason/);
    expect(() => store.flag(caseId, 'dr. b', 'looks odd')).toThrow(/unlock/);

    store.unlock(caseId, 'dr. b', 'hilum missed');
    expect(store.getCase(caseId)).toMatchObject({
      status: 'in-review',
      version: 2,
      signedOffAt: null,
    });
    expect(edit().version).toBe(1);
    const unlockEntry = store.auditLog(caseId).find((e) => e.action === 'case.unlock')!;
    expect(unlockEntry).toMatchObject({
      actor: 'dr. b',
      detail: { reason: 'hilum missed', previousVersion: 1, signedOffBy: 'dr. a' },
    });
    expect(() => store.unlock(caseId, 'dr. b', 'again')).toThrow(/not signed off/);
  });

  it('runs review sessions with ordered worklists and accumulated time', () => {
    const a = newCase('a');
    const b = newCase('bb');
    const sessionId = store.createSession('dr. a', [b, a, b], 'Monday list');
    expect(store.sessionCases(sessionId).map((r) => r.caseId)).toEqual([b, a]);
    store.addTimeSpent(sessionId, a, 1500, 'dr. a');
    expect(store.addTimeSpent(sessionId, a, 500, 'dr. a').timeSpentMs).toBe(2000);
    expect(() => store.addTimeSpent(sessionId, 999, 5, 'dr. a')).toThrow(/not in review session/);
    expect(() => store.createSession('dr. a', [999], 'x')).toThrow(/no case 999/);
    expect(store.getSession(sessionId)).toMatchObject({ title: 'Monday list', reader: 'dr. a' });
  });

  it('survives close and reopen with everything committed', () => {
    const caseId = newCase();
    store.flag(caseId, 'dr. a', 'poor window');
    store.close();
    store = CaseStore.open(dir);
    expect(store.getCase(caseId)).toMatchObject({ status: 'flagged', flagComment: 'poor window' });
    expect(store.db.pragma('integrity_check', { simple: true })).toBe('ok');
  });
});
