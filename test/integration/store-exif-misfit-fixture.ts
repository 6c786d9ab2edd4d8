/**
 * Stored cases whose saved outline no longer fits their image: a JPEG stored sideways with EXIF
 * orientation 6, and masks saved at its stored (unrotated) size, as before the decoder applied
 * EXIF rotation. Shared by the store's robust-EXIF tests.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { encodeMaskPng } from '../../src/store/mask-png';
import type { StoreService } from '../../src/store-service/service';
import { SAMPLES_DIR } from './cli-helpers';

/** The calibration written beside each sideways JPEG (mm per pixel, both axes). */
export const SPACING_MM = 0.375;

/** The stored JPEG's size (unrotated) and the EXIF orientation it carries. */
export interface SidewaysJpeg {
  w: number;
  h: number;
  orientation: number | undefined;
}

/**
 * The sample's coronal image turned a quarter and stored sideways as `<stem>_coronal.jpg` in
 * `folder`, with EXIF orientation 6 to set it upright, and its calibration beside it. Give each
 * case its own `quality`: two files with the same bytes would be one image (a duplicate).
 */
export async function writeSidewaysJpeg(
  folder: string,
  { sample, stem, quality }: { sample: string; stem: string; quality: number },
): Promise<SidewaysJpeg> {
  const sideways = await sharp(join(SAMPLES_DIR, `${sample}_coronal.png`))
    .rotate(270)
    .jpeg({ quality })
    .withMetadata({ orientation: 6 })
    .toBuffer();
  writeFileSync(join(folder, `${stem}_coronal.jpg`), sideways);
  writeFileSync(
    join(folder, `${stem}_coronal.json`),
    JSON.stringify({ spacing_mm: [SPACING_MM, SPACING_MM] }),
  );
  const meta = await sharp(sideways).metadata();
  return { w: meta.width!, h: meta.height!, orientation: meta.orientation };
}

/** An ellipse mask at the stored (unrotated) size: the outline saved before EXIF was applied. */
export async function oldMask(
  w: number,
  h: number,
): Promise<{ mask: Uint8Array; png: Buffer; area: number }> {
  const mask = new Uint8Array(w * h);
  let area = 0;
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      if (((x - w / 2) / (w / 4)) ** 2 + ((y - h / 2) / (h / 5)) ** 2 <= 1) {
        mask[y * w + x] = 1;
        area++;
      }
  return { mask, png: await encodeMaskPng(mask, w, h), area };
}

/**
 * Stores `old` as the case's coronal outline twice, as saved before EXIF rotation was applied:
 * the AI's (author "model") and then the reader's correction.
 */
export function addOutlinesSavedSideways(
  service: StoreService,
  caseId: number,
  stored: { w: number; h: number },
  old: { png: Buffer; area: number },
  reader: string,
): void {
  for (const source of ['ai', 'manual'] as const)
    service.store.addMask({
      caseId,
      view: 'coronal',
      source,
      author: source === 'ai' ? 'model' : reader,
      width: stored.w,
      height: stored.h,
      areaPx: old.area,
      png: old.png,
    });
}
