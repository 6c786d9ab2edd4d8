/**
 * Swapped views are noticed: on every sample case, the AI's outlines in the right order raise no
 * doubt, and the same two images given the other way round (the transverse image as the coronal
 * view) are said to look swapped, beside the verdicts and in the warnings.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { EstimateSchema } from '../../src/api/contract';
import { createEngine, type Engine } from '../../src/engine/engine';
import { HAVE_MODELS, HAVE_SAMPLES, MODELS_DIR, SAMPLES_DIR } from './cli-helpers';

const SAMPLES = ['01', '02', '03', '04', '05', '06', '07', '08'].map((n) => `sample-${n}`);

describe.skipIf(!(HAVE_MODELS && HAVE_SAMPLES))('input doubts with the shipped models', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await createEngine({ modelsDir: MODELS_DIR, samplesDir: SAMPLES_DIR, host: 'web' });
  });
  afterAll(async () => engine?.close());

  async function estimateOf(coronalFile: string, transverseFile: string) {
    const view = await engine.openCase({
      coronalPath: join(SAMPLES_DIR, coronalFile),
      transversePath: join(SAMPLES_DIR, transverseFile),
    });
    const coronal = await engine.segment({ caseId: view.caseId, view: 'coronal' });
    const transverse = await engine.segment({ caseId: view.caseId, view: 'transverse' });
    return EstimateSchema.parse(
      await engine.estimate({ caseId: view.caseId, masks: { coronal, transverse } }),
    );
  }

  it.each(SAMPLES)(
    '%s: no doubt in the right order, "views look swapped" the other way',
    async (id) => {
      const right = await estimateOf(`${id}_coronal.png`, `${id}_transverse.png`);
      expect(right.inputDoubts).toEqual([]);
      expect(right.warnings.join('\n')).not.toMatch(/look swapped/);

      const swapped = await estimateOf(`${id}_transverse.png`, `${id}_coronal.png`);
      expect(swapped.inputDoubts).toContain('views look swapped');
      expect(swapped.warnings.join('\n')).toMatch(
        /The transverse outline is longer \([\d.]+ cm\) than the coronal one \([\d.]+ cm\).*look swapped/,
      );
    },
  );
});
