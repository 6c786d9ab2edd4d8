/**
 * Import reads each image file once (the bytes hashed are the bytes decoded) and lists each folder
 * once (the sidecar of every image is looked for in the listing the folder walk made), where it
 * used to read each file twice and list the folder again for every image. The file system is
 * wrapped only to count calls: every call goes through to the real one.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { decodeImageFile, decodeImageFileBytes, readImageFile } from '../../src/decode';
import { importPaths } from '../../src/store/import';
import { CaseStore } from '../../src/store/store';

/** Paths given to readFile and readdir since the last reset, one entry a call. */
const calls = vi.hoisted(() => ({ readFile: [] as string[], readdir: [] as string[] }));

vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  const counted = {
    ...real,
    readFile: ((path: unknown, ...rest: unknown[]) => {
      calls.readFile.push(String(path));
      return (real.readFile as (...args: unknown[]) => unknown)(path, ...rest);
    }) as typeof real.readFile,
    readdir: ((path: unknown, ...rest: unknown[]) => {
      calls.readdir.push(String(path));
      return (real.readdir as (...args: unknown[]) => unknown)(path, ...rest);
    }) as typeof real.readdir,
  };
  return { ...counted, default: counted };
});

let dir: string;
let store: CaseStore;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'spv-import-leftover-'));
  store = CaseStore.open(join(dir, 'data'));
  calls.readFile.length = 0;
  calls.readdir.length = 0;
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function writePng(path: string, seed: number): Promise<void> {
  const w = 40;
  const h = 30;
  const pixels = Buffer.alloc(w * h);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 29 + seed * 13) % 251;
  await sharp(pixels, { raw: { width: w, height: h, channels: 1 } })
    .png()
    .toFile(path);
}

/** Ten pairs (20 images), each image with a sidecar; pair 0's named in upper case. */
async function folderOfTwentyImages(): Promise<{ folder: string; images: string[] }> {
  const folder = join(dir, 'images');
  mkdirSync(folder);
  const images: string[] = [];
  for (let pair = 0; pair < 10; pair++)
    for (const view of ['coronal', 'transverse']) {
      const stem = pair === 0 ? `SCAN-${pair}_${view.toUpperCase()}` : `scan-${pair}_${view}`;
      const image = join(folder, `${stem}.png`);
      await writePng(image, pair * 2 + images.length);
      const sidecar = pair === 0 ? `${stem}.JSON` : `${stem}.json`;
      writeFileSync(join(folder, sidecar), JSON.stringify({ spacing_mm: [0.4, 0.4] }));
      images.push(image);
    }
  return { folder, images };
}

const count = (list: string[], path: string): number => list.filter((p) => p === path).length;

describe('import reads each image once and lists its folder once', () => {
  it('a folder of 20 images: one read per image, one listing of the folder', async () => {
    const { folder, images } = await folderOfTwentyImages();
    calls.readFile.length = 0;
    calls.readdir.length = 0;

    const report = await importPaths(store, [folder]);

    expect(report.failed).toEqual([]);
    expect(report.skipped).toEqual([]);
    expect(report.imported).toHaveLength(20);
    expect(images.map((image) => count(calls.readFile, image))).toEqual(images.map(() => 1));
    expect(count(calls.readdir, folder)).toBe(1);
    expect(calls.readdir).toHaveLength(1);
    // Each image still has its sidecar's calibration, the one named in other letter case included.
    for (const case_ of store.listCases())
      expect(store.images(case_.id).map((i) => i.calibration?.source)).toEqual([
        'sidecar',
        'sidecar',
      ]);
  });

  it('images named one by one: their folder is listed once, each image read once', async () => {
    const { folder, images } = await folderOfTwentyImages();
    const given = images.slice(0, 4);
    calls.readFile.length = 0;
    calls.readdir.length = 0;

    const report = await importPaths(store, given);

    expect(report.imported).toHaveLength(4);
    expect(given.map((image) => count(calls.readFile, image))).toEqual([1, 1, 1, 1]);
    expect(calls.readdir).toEqual([folder]);
    expect(store.images(Number(report.caseIds[0])).map((i) => i.calibration?.detail)).toEqual([
      'SCAN-0_CORONAL.JSON: 0.4 × 0.4 mm/px',
      'SCAN-0_TRANSVERSE.JSON: 0.4 × 0.4 mm/px',
    ]);
  });

  it('decodeImageFileBytes decodes as decodeImageFile does, with or without a folder listing', async () => {
    const { images } = await folderOfTwentyImages();
    const image = images[0];
    const fromFile = await decodeImageFile(image, { spacing: { x: 0.3, y: 0.3 } });
    const bytes = await readImageFile(image);
    const listed = await decodeImageFileBytes(bytes, image, {
      spacing: { x: 0.3, y: 0.3 },
      folderNames: ['SCAN-0_CORONAL.JSON', 'SCAN-0_CORONAL.png'],
    });
    const unlisted = await decodeImageFileBytes(bytes, image, { spacing: { x: 0.3, y: 0.3 } });
    for (const decoded of [listed, unlisted]) {
      expect(decoded.calibration).toEqual(fromFile.calibration);
      expect(decoded.notices).toEqual(fromFile.notices);
      expect(decoded.meta).toEqual(fromFile.meta);
      expect(decoded.grey.data).toEqual(fromFile.grey.data);
    }
    expect(fromFile.notices).toEqual([
      expect.stringMatching(/given spacing 0.3 × 0.3 .* not used/),
    ]);
    // The listing given is the one searched: a folder listed without the sidecar finds none.
    calls.readdir.length = 0;
    const without = await decodeImageFileBytes(bytes, image, {
      folderNames: ['SCAN-0_CORONAL.png'],
    });
    expect(without.calibration).toBeNull();
    expect(calls.readdir).toEqual([]);
  });
});
