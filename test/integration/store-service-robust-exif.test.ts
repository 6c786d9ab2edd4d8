/**
 * A stored case whose JPEG carries EXIF orientation 6, with masks saved before the decoder applied
 * EXIF rotation (so at the unrotated size, width and height swapped against the image as decoded
 * now). Reopening it must never draw or estimate those masks, must keep them, and must say what
 * happened and what to do; a signed-off case says so and is not changed.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EstimateSchema, type Estimate } from '../../src/api/contract';
import type { Engine } from '../../src/engine';
import { encodeMaskRle } from '../../src/imaging/mask-codec';
import type { StoreService } from '../../src/store-service/service';
import { pdfText } from '../pdf-text-harness';
import {
  addOutlinesSavedSideways,
  oldMask,
  SPACING_MM,
  writeSidewaysJpeg,
} from './store-exif-misfit-fixture';
import {
  HAVE_MODELS_AND_SAMPLES,
  startStoreHarness,
  type StoreHarness,
} from './store-engine-harness';

const READER = 'Dr. Exif';

describe.skipIf(!HAVE_MODELS_AND_SAMPLES)(
  'reopening a case whose saved outline no longer fits its image (robust EXIF)',
  () => {
    let harness: StoreHarness;
    let dir: string;
    let engine: Engine;
    let service: StoreService;
    let stored: { w: number; h: number };
    /** One real estimate, to record as an old one (its numbers do not matter here). */
    let someEstimate: Estimate;

    beforeAll(async () => {
      harness = await startStoreHarness('spv-exif-');
      ({ dir, engine } = harness);
      service = harness.openService();
      for (const stem of ['open', 'signed']) {
        mkdirSync(join(dir, stem));
        const jpeg = await writeSidewaysJpeg(join(dir, stem), {
          sample: 'sample-01',
          stem,
          quality: stem === 'open' ? 95 : 90,
        });
        expect(jpeg.orientation).toBe(6);
        stored = jpeg;
      }
      const report = await service.importPaths({ paths: [join(dir, 'open'), join(dir, 'signed')] });
      expect(report.failed).toEqual([]);
      const old = await oldMask(stored.w, stored.h);
      someEstimate = EstimateSchema.parse(
        await engine.estimateFromMasks({
          coronal: {
            mask: old.mask,
            width: stored.w,
            height: stored.h,
            spacing: { x: SPACING_MM, y: SPACING_MM },
          },
        }),
      );
      // Saved before EXIF rotation was applied: the AI's outline and the reader's correction.
      for (const c of await service.listCases({}))
        addOutlinesSavedSideways(service, Number(c.caseId), stored, old, READER);
    });
    afterAll(() => harness?.close());

    /** Records `someEstimate` as the reader's estimate of `coronalMaskId`: one made before the refit. */
    const addOldEstimate = (caseId: number, coronalMaskId: number) =>
      service.store.addEstimate({
        caseId,
        source: 'manual',
        coronalMaskId,
        transverseMaskId: null,
        modelHash: service.modelHash,
        author: READER,
        estimate: someEstimate,
        calibration: service.store.calibrationOf(caseId),
        patient: null,
        caliperLines: [],
      });

    const caseIdOf = async (title: string) =>
      (await service.listCases({})).find((c) => c.title.startsWith(title))!.caseId;

    it('opens with the AI outline at the image size, keeps the old masks and says why', async () => {
      const caseId = await caseIdOf('open');
      const before = service.store.masks(Number(caseId));
      expect(before.map((m) => [m.source, m.width, m.height])).toEqual([
        ['ai', stored.w, stored.h],
        ['manual', stored.w, stored.h],
      ]);

      const opened = await service.openStoredCase({ caseId, reader: READER });
      // The image now reads upright: a quarter turn, width and height swapped.
      const image = opened.view.coronal;
      expect([image.width, image.height]).toEqual([stored.h, stored.w]);
      for (const masks of [opened.aiMasks, opened.currentMasks])
        expect([masks!.coronal.width, masks!.coronal.height]).toEqual([stored.h, stored.w]);
      const savedAt = before[1].createdAt.slice(0, 16).replace('T', ' ');
      expect(image.notices).toEqual([
        `The outline saved on ${savedAt} (${stored.w}×${stored.h} px) no longer fits this image, which now reads as ${stored.h}×${stored.w} px: its size changed since (e.g. the JPEG's EXIF rotation is now applied), so that outline would be misaligned. It is kept in the case's history; the AI's outline is shown instead. Check it against the image and correct it before relying on the volume.`,
      ]);

      // The old records are untouched; the AI's outline of the upright image is a new version.
      const after = service.store.masks(Number(caseId));
      expect(after.slice(0, 2)).toEqual(before);
      expect(after.slice(2).map((m) => [m.source, m.author, m.width, m.height])).toEqual([
        ['ai', 'model', stored.h, stored.w],
      ]);
      expect(service.store.auditLog(Number(caseId)).map((a) => a.action)).toContain('mask.refit');

      // The viewer's estimate of what it shows works, and is saved against the AI's new version.
      const estimate = await service.estimate({
        caseId: opened.view.caseId,
        masks: opened.currentMasks!,
      });
      expect(estimate.volumeMl).toBeGreaterThan(0);
      expect(service.store.latestEstimate(Number(caseId))!.coronalMaskId).toBe(after[2].id);

      // Until the reader saves an outline of their own, reopening says so again (and adds nothing).
      const again = await service.openStoredCase({ caseId, reader: READER });
      expect(again.view.coronal.notices).toHaveLength(1);
      expect(service.store.masks(Number(caseId))).toHaveLength(3);
      await service.saveCorrection({
        caseId,
        reader: READER,
        masks: opened.currentMasks!,
        masksOnly: true,
      });
      // An unchanged outline saved by the reader reuses the version: still the AI's, still noted.
      expect(
        (await service.openStoredCase({ caseId, reader: READER })).view.coronal.notices,
      ).toHaveLength(1);
    });

    it('the notice goes once the reader saves a corrected outline', async () => {
      const caseId = await caseIdOf('open');
      const opened = await service.openStoredCase({ caseId, reader: READER });
      const { width, height } = opened.currentMasks!.coronal;
      const mask = new Uint8Array(width * height);
      for (let y = height / 3; y < (2 * height) / 3; y++)
        for (let x = width / 4; x < (3 * width) / 4; x++)
          mask[Math.floor(y) * width + Math.floor(x)] = 1;
      await service.saveCorrection({
        caseId,
        reader: READER,
        masks: { coronal: encodeMaskRle(mask, width, height), transverse: null },
        masksOnly: true,
      });
      const reopened = await service.openStoredCase({ caseId, reader: READER });
      expect(reopened.view.coronal.notices ?? []).toEqual([]);
      expect(reopened.currentMasks!.coronal.width).toBe(width);
    });

    it('a signed-off case says so read-only, changes nothing, and is refitted once unlocked', async () => {
      const caseId = await caseIdOf('signed');
      const id = Number(caseId);
      const masks = service.store.masks(id);
      addOldEstimate(id, masks[1].id);
      service.store.signOff(id, READER);

      const opened = await service.openStoredCase({ caseId, reader: READER });
      expect(opened.locked).toBe(true);
      expect(opened.estimate!.volumeMl).toBe(someEstimate.volumeMl);
      expect([opened.currentMasks!.coronal.width, opened.currentMasks!.coronal.height]).toEqual([
        stored.h,
        stored.w,
      ]);
      expect(opened.view.coronal.notices).toHaveLength(1);
      expect(opened.view.coronal.notices![0]).toMatch(
        /no longer fits this image.*The AI's outline is shown for reference only, and the signed-off volume stands as recorded: to redo the outline, unlock the case with a reason\.$/,
      );
      expect(service.store.masks(id)).toEqual(masks);
      expect(service.store.getCase(id).status).toBe('signed-off');

      await service.unlockCase({ caseId, reader: READER, reason: 'redo the outline' });
      const unlocked = await service.openStoredCase({ caseId, reader: READER });
      expect(unlocked.view.coronal.notices![0]).toMatch(/the AI's outline is shown instead/);
      const now = service.store.masks(id);
      expect(now.slice(0, 2)).toEqual(masks);
      expect(now.slice(2).map((m) => [m.source, m.width, m.height])).toEqual([
        ['ai', stored.h, stored.w],
      ]);
    });

    it('a report draws no outline that no longer fits its image, and says why', async () => {
      const caseId = await caseIdOf('signed');
      const id = Number(caseId);
      // Recorded before, against the sideways mask: its report must not draw it scrambled.
      addOldEstimate(id, service.store.masks(id)[1].id);
      const { bytes } = await service.renderReport(id, 'pdf', false);
      const pdf = join(dir, 'misfit-report.pdf');
      writeFileSync(pdf, bytes);
      const text = pdfText(pdf);
      expect(text).toContain(
        `outline not drawn: saved at ${stored.w}×${stored.h} px, it no longer fits this ${stored.h}×${stored.w}-px image`,
      );
    });
  },
);
