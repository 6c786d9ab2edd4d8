/**
 * The engine's opened cases are bounded by the bytes they hold (decoded pixels and AI masks) as
 * well as by their count: a few very large images must not pile up in memory. The case used last
 * is never forgotten, even when it alone is over the bound.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { createEngine, type Engine } from '../../src/engine/engine';
import { HAVE_MODELS, MODELS_DIR } from './cli-helpers';

const W = 400;
const H = 300;
/** A decoded image is held as 32-bit floats. */
const CASE_BYTES = W * H * 4;

async function writeImage(path: string, seed: number): Promise<void> {
  const pixels = Buffer.alloc(W * H);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 31 + seed * 97) % 251;
  await sharp(pixels, { raw: { width: W, height: H, channels: 1 } })
    .png()
    .toFile(path);
}

describe.skipIf(!HAVE_MODELS)('the engine forgets opened cases by bytes (robust cache)', () => {
  let dir: string;
  const paths: string[] = [];
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'spv-cache-'));
    for (let k = 0; k < 3; k++) {
      paths.push(join(dir, `case${k}.png`));
      await writeImage(paths[k], k);
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Whether the engine still holds the case (a calibration needs it open, and changes nothing else). */
  async function isOpen(engine: Engine, caseId: string): Promise<boolean> {
    try {
      await engine.calibrate({
        caseId,
        view: 'coronal',
        pointA: [0, 0],
        pointB: [100, 0],
        distanceMm: 40,
      });
      return true;
    } catch (error) {
      if ((error as { code?: string }).code === 'not-found') return false;
      throw error;
    }
  }

  it('forgets the case used longest ago once the images exceed the byte bound', async () => {
    // Room for two cases' images, far below the count bound.
    const engine = await createEngine({
      modelsDir: MODELS_DIR,
      host: 'web',
      sessionOptions: { preferredProviders: ['cpu'] },
      maxOpenCaseBytes: 2 * CASE_BYTES + 1000,
    });
    try {
      const ids: string[] = [];
      for (const path of paths) ids.push((await engine.openCase({ coronalPath: path })).caseId);
      expect(await isOpen(engine, ids[0])).toBe(false);
      expect(await isOpen(engine, ids[1])).toBe(true);
      expect(await isOpen(engine, ids[2])).toBe(true);
    } finally {
      await engine.close();
    }
  });

  it('counts the AI masks too, and keeps the case whose mask was just computed', async () => {
    // Room for two images and one mask (1 byte a pixel), not for two of each.
    const engine = await createEngine({
      modelsDir: MODELS_DIR,
      host: 'web',
      sessionOptions: { preferredProviders: ['cpu'] },
      maxOpenCaseBytes: 2 * CASE_BYTES + W * H + 1000,
    });
    try {
      const a = (await engine.openCase({ coronalPath: paths[0] })).caseId;
      const b = (await engine.openCase({ coronalPath: paths[1] })).caseId;
      await engine.segment({ caseId: a, view: 'coronal' });
      expect(await isOpen(engine, b)).toBe(true); // two images and one mask fit
      await engine.segment({ caseId: b, view: 'coronal' });
      // The second mask is over the bound: a, used longest ago, goes; b, just segmented, stays.
      expect(await isOpen(engine, a)).toBe(false);
      expect(await isOpen(engine, b)).toBe(true);
    } finally {
      await engine.close();
    }
  });

  it('keeps a single case that alone is over the bound (it is the one in the viewer)', async () => {
    const engine = await createEngine({
      modelsDir: MODELS_DIR,
      host: 'web',
      sessionOptions: { preferredProviders: ['cpu'] },
      maxOpenCaseBytes: CASE_BYTES / 2,
    });
    try {
      const first = (await engine.openCase({ coronalPath: paths[0] })).caseId;
      const second = (await engine.openCase({ coronalPath: paths[1] })).caseId;
      expect(await isOpen(engine, first)).toBe(false);
      expect(await isOpen(engine, second)).toBe(true);
      await engine.segment({ caseId: second, view: 'coronal' });
      expect(await isOpen(engine, second)).toBe(true);
    } finally {
      await engine.close();
    }
  });
});
