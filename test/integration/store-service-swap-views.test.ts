/**
 * Swapping the views of a stored case imported the wrong way round (StoreApi.swapViews): the
 * estimate says the views look swapped, a re-import of the right names is refused as duplicates,
 * so the case is put right in place. Real store, real engine, sample-05's files under each
 * other's names.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { CaseDetail } from '../../src/api/store-contract';
import type { StoreService } from '../../src/store-service/service';
import { storedMasks } from '../../src/store-service/saved-masks';
import { SAMPLES_DIR } from './cli-helpers';
import {
  HAVE_MODELS_AND_SAMPLES,
  copySamples,
  copySwappedSample,
  startStoreHarness,
  warnWhenSkipped,
  type StoreHarness,
} from './store-engine-harness';
import { withoutLastRow } from './store-mask-edits-fixture';

const READER = 'Dr Swap';
const SWAPPED = 'views look swapped';
/** sample-05's true volume (models/samples/expected.json). */
const TRUE_VOLUME_ML = 365.56;

warnWhenSkipped('View swap');

const imageFile = (detail: CaseDetail, view: 'coronal' | 'transverse') =>
  basename(detail.images.find((i) => i.view === view)!.originalPath);

describe.skipIf(!HAVE_MODELS_AND_SAMPLES)('swapping the views of a stored case', () => {
  let harness: StoreHarness;
  let service: StoreService;
  let folder: string;
  let caseId: string;

  beforeAll(async () => {
    harness = await startStoreHarness('spv-swap-views-');
    folder = join(harness.dir, 'in');
    mkdirSync(folder);
    copySwappedSample(folder);
    service = harness.openService();
    caseId = (await service.importPaths({ paths: [folder] })).caseIds[0];
  }, 120_000);

  afterAll(async () => {
    await harness?.close();
  });

  it('puts the images, calibrations, outlines and estimate right, and keeps the history', async () => {
    const opened = await service.openStoredCase({ caseId, reader: READER });
    expect((await service.getCase({ caseId })).summary.checkFirst).toContain(SWAPPED);
    // The reader corrects the outline on the image labelled transverse (the true coronal one).
    await service.estimate({
      caseId: opened.view.caseId,
      masks: {
        ...opened.currentMasks!,
        transverse: withoutLastRow(opened.currentMasks!.transverse!),
      },
    });
    const store = service.store;
    const id = Number(caseId);
    const before = {
      detail: await service.getCase({ caseId }),
      calibration: Object.fromEntries(store.images(id).map((i) => [i.view, i.calibration])),
      ai: await storedMasks(store, id, 'ai'),
      final: await storedMasks(store, id),
      estimates: store.estimates(id),
    };
    expect(imageFile(before.detail, 'coronal')).toBe('sample-05_coronal.png');
    expect(before.calibration.coronal?.detail).toMatch(/^sample-05_coronal\.json/);
    // Re-importing the right names is no way out: the files are the same content.
    const rightNames = join(harness.dir, 'right');
    mkdirSync(rightNames);
    copySamples(rightNames, ['sample-05']);
    const reimport = await service.importPaths({ paths: [rightNames] });
    expect(reimport.imported).toEqual([]);
    expect(reimport.duplicates).toHaveLength(2);

    // An edit of the viewer sent just after the swap was asked for (drawn on the images the old
    // way round) waits behind it, and is then refused, not saved onto the other image.
    const swapping = service.swapViews({ caseId, reader: READER });
    const lateEdit = service.estimate({
      caseId: opened.view.caseId,
      masks: { ...opened.currentMasks!, coronal: withoutLastRow(opened.currentMasks!.coronal) },
    });
    const swapped = await swapping;
    await expect(lateEdit).rejects.toThrow(/views were swapped after this edit was drawn/);

    // Each image keeps its file and its calibration, under the other label.
    const after = await service.getCase({ caseId });
    expect(imageFile(after, 'coronal')).toBe('sample-05_transverse.png');
    expect(imageFile(after, 'transverse')).toBe('sample-05_coronal.png');
    const calibrations = Object.fromEntries(store.images(id).map((i) => [i.view, i.calibration]));
    expect(calibrations.coronal).toEqual(before.calibration.transverse);
    expect(calibrations.transverse).toEqual(before.calibration.coronal);
    // Each outline stays on its image: the AI's and the reader's correction.
    expect(await storedMasks(store, id, 'ai')).toEqual({
      coronal: before.ai!.transverse,
      transverse: before.ai!.coronal,
    });
    expect(await storedMasks(store, id)).toEqual({
      coronal: before.final!.transverse,
      transverse: before.final!.coronal,
    });
    // History appended, never rewritten: the earlier estimates name the masks they used, labelled
    // as they were, and still say the views looked swapped.
    expect(store.estimates(id).slice(0, before.estimates.length)).toEqual(before.estimates);
    for (const old of before.estimates) {
      expect(store.maskById(old.coronalMaskId!)?.view).toBe('coronal');
      expect(old.estimate.inputDoubts).toContain(SWAPPED);
    }
    // A fresh AI estimate of the swapped case, then the reader's outlines' (the latest).
    const fresh = store.estimates(id).slice(before.estimates.length);
    expect(fresh.map((e) => e.source)).toEqual(['ai', 'manual']);
    for (const estimate of fresh) {
      expect(estimate.estimate.inputDoubts ?? []).not.toContain(SWAPPED);
      const [low, high] = estimate.estimate.ci95Ml;
      expect(low).toBeLessThanOrEqual(TRUE_VOLUME_ML);
      expect(high).toBeGreaterThanOrEqual(TRUE_VOLUME_ML);
      expect(Math.abs(estimate.estimate.volumeMl - TRUE_VOLUME_ML)).toBeLessThan(
        0.15 * TRUE_VOLUME_ML,
      );
      expect(estimate.caliperLines).toEqual([]);
    }
    // The worklist sees the new estimate.
    expect(swapped.checkFirst).not.toContain(SWAPPED);
    expect(swapped.volumeMl).toBe(fresh[1].estimate.volumeMl);
    expect(swapped.estimateId).toBe(String(fresh[1].id));
    expect(swapped.views).toEqual(['coronal', 'transverse']);

    // The audit says who swapped and what moved where.
    const entry = after.audit.findLast((a) => a.action === 'case.swap-views');
    expect(entry).toMatchObject({ actor: READER });
    expect(entry!.detail).toMatchObject({
      images: [
        {
          path: expect.stringMatching(/sample-05_coronal\.png$/),
          from: 'coronal',
          to: 'transverse',
        },
        {
          path: expect.stringMatching(/sample-05_transverse\.png$/),
          from: 'transverse',
          to: 'coronal',
        },
      ],
      estimateIdBefore: before.estimates.at(-1)!.id,
    });

    // An edit the viewer sends under the case as it was opened before the swap is refused, saying
    // why (it was answered from the old copy, in silence), and not saved.
    const masksBefore = after.masks.length;
    await expect(
      service.estimate({ caseId: opened.view.caseId, masks: opened.currentMasks! }),
    ).rejects.toThrow(/views were swapped after this edit was drawn/);
    expect((await service.getCase({ caseId })).masks).toHaveLength(masksBefore);

    // The case reopens the new way round, with its own outlines.
    const reopened = await service.openStoredCase({ caseId, reader: READER });
    expect(reopened.view.coronal.sourceName).toMatch(/sample-05_transverse\.png$/);
    expect(reopened.currentMasks).toEqual(await storedMasks(store, id));
    expect(reopened.estimateId).toBe(String(fresh[1].id));
  });

  it('signs off only an estimate made after the swap, then refuses to swap until unlocked', async () => {
    const store = service.store;
    const id = Number(caseId);
    const beforeSwap = store.lastViewSwap(id)!.estimateIdBefore!;
    await expect(
      service.signOff({ caseId, reader: READER, estimateId: String(beforeSwap) }),
    ).rejects.toThrow(/no longer the latest/);
    const summary = (await service.getCase({ caseId })).summary;
    const signed = await service.signOff({
      caseId,
      reader: READER,
      estimateId: summary.estimateId,
      checked: summary.checkFirst,
    });
    expect(signed.status).toBe('signed-off');
    const auditBefore = (await service.getCase({ caseId })).audit.length;
    await expect(service.swapViews({ caseId, reader: READER })).rejects.toThrow(
      /signed off.*unlock it with a reason/,
    );
    expect((await service.getCase({ caseId })).audit).toHaveLength(auditBefore);
  });

  it('swaps a case never opened: the AI outlines and estimates it the new way round', async () => {
    const never = join(harness.dir, 'never');
    mkdirSync(never);
    copySwappedSample(never, 'sample-04');
    const [fresh] = (await service.importPaths({ paths: [never] })).caseIds;
    const viewer = 'page-1';
    const swapped = await service.swapViews({
      caseId: fresh,
      reader: READER,
      editOrder: { viewer, seq: 5 },
    });
    expect(swapped).toMatchObject({ status: 'ai-ready', views: ['coronal', 'transverse'] });
    // A save the same viewer sent before the swap (its edit order is older) is not saved.
    const masks = (await service.openStoredCase({ caseId: fresh, reader: READER })).currentMasks!;
    await service.saveCorrection({
      caseId: fresh,
      reader: READER,
      masks: { ...masks, coronal: withoutLastRow(masks.coronal) },
      masksOnly: true,
      editOrder: { viewer, seq: 4 },
    });
    expect(swapped.volumeMl).not.toBeNull();
    expect(swapped.checkFirst).not.toContain(SWAPPED);
    const detail = await service.getCase({ caseId: fresh });
    expect(imageFile(detail, 'coronal')).toBe('sample-04_transverse.png');
    expect(detail.masks.map((m) => [m.view, m.version, m.source])).toEqual([
      ['coronal', 1, 'ai'],
      ['transverse', 1, 'ai'],
    ]);
  });

  it('refuses to swap a case with one view', async () => {
    const single = join(harness.dir, 'single');
    mkdirSync(single);
    copyFileSync(join(SAMPLES_DIR, 'sample-01_coronal.png'), join(single, 'sample-01_coronal.png'));
    const [oneView] = (await service.importPaths({ paths: [single] })).caseIds;
    await expect(service.swapViews({ caseId: oneView, reader: READER })).rejects.toThrow(
      /has only a coronal image: there is no other view to swap it with/,
    );
  });
});
