/**
 * An outline no spleen has reaches the reader: with the shipped models, a 6-pixel stripe given as
 * the coronal outline of a sample case (beside the AI's real transverse outline) is estimated, and
 * the estimate says "coronal outline implausible" beside the verdicts (inputDoubts, checkFirst) and
 * why in its warnings. The AI's own outlines of every sample raising no doubt is
 * engine-input-doubts.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { EstimateSchema } from '../../src/api/contract';
import { checkFirst, OUTLINE_IMPLAUSIBLE } from '../../src/clinical/check-first';
import { createEngine, type Engine } from '../../src/engine/engine';
import { encodeMaskRle } from '../../src/imaging/mask-codec';
import { HAVE_MODELS, HAVE_SAMPLES, MODELS_DIR, SAMPLES_DIR } from './cli-helpers';

describe.skipIf(!(HAVE_MODELS && HAVE_SAMPLES))(
  'outline shape doubts with the shipped models',
  () => {
    let engine: Engine;
    beforeAll(async () => {
      engine = await createEngine({ modelsDir: MODELS_DIR, samplesDir: SAMPLES_DIR, host: 'web' });
    });
    afterAll(async () => engine?.close());

    it('a stripe for the coronal outline is estimated, and questioned', async () => {
      const view = await engine.openCase({
        coronalPath: join(SAMPLES_DIR, 'sample-03_coronal.png'),
        transversePath: join(SAMPLES_DIR, 'sample-03_transverse.png'),
      });
      const transverse = await engine.segment({ caseId: view.caseId, view: 'transverse' });
      const { width, height } = view.coronal;
      const stripe = new Uint8Array(width * height);
      const top = Math.floor(height / 2) - 3;
      stripe.fill(1, top * width, (top + 6) * width);

      const estimate = EstimateSchema.parse(
        await engine.estimate({
          caseId: view.caseId,
          masks: { coronal: encodeMaskRle(stripe, width, height), transverse },
        }),
      );
      expect(estimate.volumeMl).toBeGreaterThan(0);
      expect(estimate.inputDoubts).toContain(OUTLINE_IMPLAUSIBLE.coronal);
      expect(estimate.inputDoubts).not.toContain(OUTLINE_IMPLAUSIBLE.transverse);
      expect(checkFirst(estimate)).toContain('coronal outline implausible');
      expect(estimate.warnings.join('\n')).toMatch(
        /The coronal outline is on average 0\.\d cm wide along its \d+\.\d cm long axis \(2%\).*stripe or a sliver/,
      );
    });
  },
);
