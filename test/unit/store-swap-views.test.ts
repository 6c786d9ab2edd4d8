/**
 * CaseStore.swapViews: the two images change labels, each keeping its file and calibration; each
 * image's outlines are copied as new versions under its new label; nothing earlier is rewritten;
 * sign-off refuses an estimate made before the swap; refused on a signed-off or one-view case.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CaseStore } from '../../src/store/store';
import { encodeMaskPng } from '../../src/store/mask-png';
import type { ViewName } from '../../src/store/types';
import { ellipseMask, sampleEstimate } from './store-fixtures';

let dir: string;
let store: CaseStore;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'spv-store-swap-'));
  store = CaseStore.open(dir);
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const calibrationOf = (mm: number) => ({
  spacingX: mm,
  spacingY: mm,
  source: 'sidecar' as const,
  detail: `${mm} mm/px`,
});

function newCase(views: readonly ViewName[]): number {
  const patientId = store.upsertPatient({ key: 'SYNTH-SWAP' });
  const caseId = store.createCase(
    { patientId, studyInstanceUid: null, studyDate: null, title: 'swapped' },
    'importer',
  );
  for (const view of views)
    store.addImage(
      {
        caseId,
        view,
        contentHash: `${caseId}-${view}`,
        sopInstanceUid: null,
        originalPath: `/in/${view}.png`,
        format: 'png',
        width: 40,
        height: 30,
        calibration: calibrationOf(view === 'coronal' ? 0.4 : 0.5),
        meta: {},
      },
      'importer',
    );
  return caseId;
}

async function addMask(caseId: number, view: ViewName, source: 'ai' | 'manual', rx: number) {
  const png = await encodeMaskPng(ellipseMask(40, 30, rx, 8), 40, 30);
  return store.addMask({
    caseId,
    view,
    source,
    author: source === 'ai' ? 'model' : 'dr. a',
    width: 40,
    height: 30,
    areaPx: rx,
    png,
  });
}

describe('swapping the views of a stored case', () => {
  it("relabels the images and copies each one's outlines under its new label", async () => {
    const caseId = newCase(['coronal', 'transverse']);
    const aiCoronal = await addMask(caseId, 'coronal', 'ai', 15);
    const aiTransverse = await addMask(caseId, 'transverse', 'ai', 10);
    const corrected = await addMask(caseId, 'transverse', 'manual', 9);
    const old = store.addEstimate({
      caseId,
      source: 'manual',
      coronalMaskId: aiCoronal.id,
      transverseMaskId: corrected.id,
      modelHash: 'h',
      author: 'dr. a',
      estimate: sampleEstimate(167, { inputDoubts: ['views look swapped'] }),
    });
    const masksBefore = store.masks(caseId);

    const swap = store.swapViews(caseId, 'dr. b');

    const images = Object.fromEntries(store.images(caseId).map((i) => [i.view, i]));
    expect(images.coronal).toMatchObject({
      originalPath: '/in/transverse.png',
      calibration: calibrationOf(0.5),
    });
    expect(images.transverse).toMatchObject({
      originalPath: '/in/coronal.png',
      calibration: calibrationOf(0.4),
    });
    // The new coronal view: the AI's outline of its image, then the reader's correction of it.
    const png = (id: number) => store.maskById(id)!.png;
    expect(store.latestMask(caseId, 'coronal', 'ai')!.png).toEqual(png(aiTransverse.id));
    expect(store.latestMask(caseId, 'coronal')).toMatchObject({
      source: 'manual',
      author: 'dr. a',
    });
    expect(store.latestMask(caseId, 'coronal')!.png).toEqual(png(corrected.id));
    expect(store.latestMask(caseId, 'transverse')).toMatchObject({ source: 'ai', version: 3 });
    expect(store.latestMask(caseId, 'transverse')!.png).toEqual(png(aiCoronal.id));
    // Nothing earlier rewritten: old masks keep their labels, the old estimate its masks.
    expect(store.masks(caseId).filter((m) => masksBefore.some((b) => b.id === m.id))).toEqual(
      masksBefore,
    );
    expect(store.latestEstimate(caseId)).toMatchObject({
      id: old.id,
      coronalMaskId: aiCoronal.id,
      transverseMaskId: corrected.id,
    });
    expect(swap.estimateIdBefore).toBe(old.id);
    expect(swap.masks.map((m) => [m.from, m.to, m.fromMaskId])).toEqual([
      ['coronal', 'transverse', aiCoronal.id],
      ['transverse', 'coronal', aiTransverse.id],
      ['transverse', 'coronal', corrected.id],
    ]);
    const log = store.auditLog(caseId);
    expect(log.at(-1)).toMatchObject({ actor: 'dr. b', action: 'case.swap-views' });
    expect(log.filter((e) => e.action === 'mask.save').slice(-3)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          actor: 'dr. b',
          detail: expect.objectContaining({ by: 'case.swap-views' }),
        }),
      ]),
    );
    expect(store.lastViewSwap(caseId)?.firstVersions).toEqual({ coronal: 2, transverse: 3 });

    // The estimate made before the swap is of the old labelling: sign-off refuses it.
    expect(() => store.signOff(caseId, 'dr. b')).toThrow(
      /views were swapped after its latest estimate/,
    );
  });

  it('refuses a signed-off case and a case with one view, changing nothing', async () => {
    const signed = newCase(['coronal', 'transverse']);
    store.addEstimate({
      caseId: signed,
      source: 'ai',
      coronalMaskId: null,
      transverseMaskId: null,
      modelHash: 'h',
      author: 'model',
      estimate: sampleEstimate(),
    });
    store.signOff(signed, 'dr. a');
    expect(() => store.swapViews(signed, 'dr. b')).toThrow(/unlock it with a reason/);
    expect(store.images(signed).find((i) => i.view === 'coronal')?.originalPath).toBe(
      '/in/coronal.png',
    );

    const single = newCase(['coronal']);
    expect(() => store.swapViews(single, 'dr. b')).toThrow(
      /has only a coronal image: there is no other view to swap it with/,
    );
    expect(store.auditLog(single).map((e) => e.action)).not.toContain('case.swap-views');
  });
});
