/**
 * A stored case whose saved outline no longer fits its image (a JPEG with EXIF orientation 6, its
 * masks saved before the rotation was applied) opens with the AI's outline at the image's size and
 * a notice. Accepting that outline (Accept AI) makes it the reader's: the notice goes, as it does
 * when the reader saves a corrected outline. An acceptance from before the refit, of the outline
 * that no longer fits, does not count.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { createEngine, type Engine } from '../../src/engine';
import { encodeMaskPng } from '../../src/store/mask-png';
import { createStoreService, type StoreService } from '../../src/store-service/service';
import { HAVE_MODELS, HAVE_SAMPLES, MODELS_DIR, SAMPLES_DIR } from './cli-helpers';

const READER = 'Dr. Accept';
const SPACING_MM = 0.375;

/** The sample image turned a quarter and stored sideways, with EXIF orientation 6 to set it upright. */
async function writeSidewaysJpeg(
  folder: string,
  quality: number,
): Promise<{ w: number; h: number }> {
  const sideways = await sharp(join(SAMPLES_DIR, 'sample-02_coronal.png'))
    .rotate(270)
    // Another quality per case: two files with the same bytes would be one image (a duplicate).
    .jpeg({ quality })
    .withMetadata({ orientation: 6 })
    .toBuffer();
  writeFileSync(join(folder, 'scan_coronal.jpg'), sideways);
  writeFileSync(
    join(folder, 'scan_coronal.json'),
    JSON.stringify({ spacing_mm: [SPACING_MM, SPACING_MM] }),
  );
  const meta = await sharp(sideways).metadata();
  return { w: meta.width!, h: meta.height! };
}

/** An ellipse mask at the stored (unrotated) size: the outline saved before EXIF was applied. */
async function oldMaskPng(w: number, h: number): Promise<{ png: Buffer; area: number }> {
  const mask = new Uint8Array(w * h);
  let area = 0;
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      if (((x - w / 2) / (w / 4)) ** 2 + ((y - h / 2) / (h / 5)) ** 2 <= 1) {
        mask[y * w + x] = 1;
        area++;
      }
  return { png: await encodeMaskPng(mask, w, h), area };
}

describe.skipIf(!HAVE_MODELS || !HAVE_SAMPLES)(
  'accepting the AI outline of a case whose saved outline no longer fits (exif accept leftover)',
  () => {
    let dir: string;
    let engine: Engine;
    let service: StoreService;
    const caseIds = new Map<string, string>();

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'spv-exif-accept-leftover-'));
      engine = await createEngine({ modelsDir: MODELS_DIR, host: 'web' });
      service = createStoreService({ dataDir: join(dir, 'data'), engine });
      for (const [name, quality] of [
        ['accepted', 93],
        ['accepted-before', 88],
      ] as const) {
        const folder = join(dir, name);
        mkdirSync(folder);
        const stored = await writeSidewaysJpeg(folder, quality);
        const report = await service.importPaths({ paths: [folder] });
        expect(report.failed).toEqual([]);
        const caseId = report.caseIds[0];
        caseIds.set(name, caseId);
        const { png, area } = await oldMaskPng(stored.w, stored.h);
        for (const source of ['ai', 'manual'] as const)
          service.store.addMask({
            caseId: Number(caseId),
            view: 'coronal',
            source,
            author: source === 'ai' ? 'model' : READER,
            width: stored.w,
            height: stored.h,
            areaPx: area,
            png,
          });
      }
    });
    afterAll(async () => {
      service?.close();
      await engine?.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    // Fails until outlineMisfits (src/store-service/saved-masks.ts) counts an Accept AI after the
    // refit as the reader's outline: `.fails` keeps the suite green meanwhile. Turn it into `it`
    // with that change (the change and this test were checked together on a copy of the tree).
    it('the notice goes once the reader accepts the AI outline of the image', async () => {
      const caseId = caseIds.get('accepted')!;
      const opened = await service.openStoredCase({ caseId, reader: READER });
      expect(opened.view.coronal.notices).toEqual([
        expect.stringMatching(/no longer fits this image.*the AI's outline is shown instead/),
      ]);
      const versions = service.store.masks(Number(caseId));
      expect(versions.map((m) => [m.source, m.author])).toEqual([
        ['ai', 'model'],
        ['manual', READER],
        ['ai', 'model'],
      ]);

      const summary = await service.acceptAi({ caseId, reader: READER });
      expect(summary.status).toBe('in-review');
      // Accepting reuses the AI's refitted version: no new mask, the estimate made from it.
      expect(service.store.masks(Number(caseId))).toEqual(versions);
      expect(service.store.latestEstimate(Number(caseId))!.coronalMaskId).toBe(versions[2].id);

      const reopened = await service.openStoredCase({ caseId, reader: READER });
      expect(reopened.view.coronal.notices ?? []).toEqual([]);
      const image = reopened.view.coronal;
      expect([reopened.currentMasks!.coronal.width, reopened.currentMasks!.coronal.height]).toEqual(
        [image.width, image.height],
      );
      // Nothing else changed by reopening: no refit again.
      expect(service.store.masks(Number(caseId))).toEqual(versions);
    });

    it('an acceptance from before the refit (of the outline that no longer fits) does not count', async () => {
      const caseId = caseIds.get('accepted-before')!;
      // The reader accepted the AI's outline back when the image read sideways.
      service.store.audit(READER, 'case.accept-ai', Number(caseId), { volumeMl: 150 });
      const opened = await service.openStoredCase({ caseId, reader: READER });
      expect(opened.view.coronal.notices).toHaveLength(1);
      const again = await service.openStoredCase({ caseId, reader: READER });
      expect(again.view.coronal.notices).toHaveLength(1);
    });
  },
);
