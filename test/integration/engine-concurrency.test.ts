/**
 * Requests in flight at the same time, as a host sees them (a stroke's estimate still running when
 * the reader opens the next case, two windows, a batch): each must get its own answer. onnxruntime
 * reads an input buffer only when the run starts, on a later turn of the event loop, so a buffer
 * shared between calls gave one case the other's volume.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Estimate, Masks } from '../../src/api/contract';
import { createEngine, type Engine } from '../../src/engine/engine';
import { HAVE_MODELS, HAVE_SAMPLES, MODELS_DIR, SAMPLES_DIR } from './cli-helpers';

describe.skipIf(!(HAVE_MODELS && HAVE_SAMPLES))(
  'the engine with requests in flight at once',
  () => {
    let engine: Engine;
    beforeAll(async () => {
      engine = await createEngine({ modelsDir: MODELS_DIR, samplesDir: SAMPLES_DIR, host: 'web' });
    });
    afterAll(async () => engine?.close());

    /** A sample opened and segmented: its engine case id and its AI masks. */
    async function opened(sampleId: string): Promise<{ caseId: string; masks: Masks }> {
      const view = await engine.openSample({ sampleId });
      const coronal = await engine.segment({ caseId: view.caseId, view: 'coronal' });
      const transverse = view.transverse
        ? await engine.segment({ caseId: view.caseId, view: 'transverse' })
        : null;
      return { caseId: view.caseId, masks: { coronal, transverse } };
    }

    it('gives each of two overlapping estimates its own case’s volume', async () => {
      // A small and a massive spleen, so that a mix-up cannot hide in the interval.
      const small = await opened('sample-01');
      const large = await opened('sample-08');
      const alone: Estimate[] = [];
      for (const c of [small, large]) alone.push(await engine.estimate(c));
      expect(alone[1].volumeMl).toBeGreaterThan(3 * alone[0].volumeMl);

      // Both at once, single and dual view, and explanations alongside.
      const singleSmall = { caseId: small.caseId, masks: { ...small.masks, transverse: null } };
      const together = await Promise.all([
        engine.estimate(small),
        engine.estimate(large),
        engine.estimate(singleSmall),
        engine.explain(large),
        engine.estimate(small),
      ]);
      const [a, b, single, explanation, again] = together as [
        Estimate,
        Estimate,
        Estimate,
        Awaited<ReturnType<Engine['explain']>>,
        Estimate,
      ];
      expect(a.volumeMl).toBe(alone[0].volumeMl);
      expect(a.ci95Ml).toEqual(alone[0].ci95Ml);
      expect(b.volumeMl).toBe(alone[1].volumeMl);
      expect(b.ci95Ml).toEqual(alone[1].ci95Ml);
      expect(again.volumeMl).toBe(alone[0].volumeMl);
      expect(single.model).toBe('single');
      expect(single.volumeMl).toBe((await engine.estimate(singleSmall)).volumeMl);
      expect(explanation.pcaPosition).toEqual((await engine.explain(large)).pcaPosition);
    });

    it('forgets the case used longest ago, not the one in use, when too many are open', async () => {
      const few = await createEngine({
        modelsDir: MODELS_DIR,
        samplesDir: SAMPLES_DIR,
        host: 'web',
        maxOpenCases: 2,
      });
      try {
        const inUse = await few.openSample({ sampleId: 'sample-01' });
        const other = await few.openSample({ sampleId: 'sample-02' });
        // The reader works on the first case; then a third is opened.
        await few.segment({ caseId: inUse.caseId, view: 'coronal' });
        await few.openSample({ sampleId: 'sample-03' });
        await expect(few.segment({ caseId: inUse.caseId, view: 'coronal' })).resolves.toBeTruthy();
        await expect(few.segment({ caseId: other.caseId, view: 'coronal' })).rejects.toThrow(
          /is not open/,
        );
      } finally {
        await few.close();
      }
    });
  },
);

describe.skipIf(!(HAVE_MODELS && HAVE_SAMPLES))('an image in which the AI finds no spleen', () => {
  it('says so, naming the image, and keeps the generic message for an outline the reader erased', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'spv-blank-'));
    const engine = await createEngine({
      modelsDir: MODELS_DIR,
      samplesDir: SAMPLES_DIR,
      host: 'web',
    });
    try {
      const blank = join(dir, 'blank.png');
      await sharp(Buffer.alloc(320 * 240), { raw: { width: 320, height: 240, channels: 1 } })
        .png()
        .toFile(blank);
      const view = await engine.openCase({ coronalPath: blank, spacing: { x: 0.4, y: 0.4 } });
      const coronal = await engine.segment({ caseId: view.caseId, view: 'coronal' });
      expect(coronal.runs).toEqual([320 * 240]);
      await expect(
        engine.estimate({ caseId: view.caseId, masks: { coronal, transverse: null } }),
      ).rejects.toThrow(/The AI found no spleen in the coronal image blank\.png/);

      // A sample whose outline the reader erased: the generic message, not the AI's.
      const sample = await engine.openSample({ sampleId: 'sample-01' });
      const ai = await engine.segment({ caseId: sample.caseId, view: 'coronal' });
      const erased = { width: ai.width, height: ai.height, runs: [ai.width * ai.height] };
      await expect(
        engine.estimate({ caseId: sample.caseId, masks: { coronal: erased, transverse: null } }),
      ).rejects.toThrow(/empty/i);
      await expect(
        engine.estimate({ caseId: sample.caseId, masks: { coronal: erased, transverse: null } }),
      ).rejects.not.toThrow(/The AI found no spleen/);
    } finally {
      await engine.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
