/**
 * The engine links each check-first item to its warning (Estimate.checkFirstWarnings): with the
 * shipped models, swapped views, a stripe drawn as the coronal outline, a case unlike the training
 * data and an uncertain AI outline each give an entry whose phrase is the item checkFirst lists and
 * whose warning is, word for word, one of the estimate's warnings. The report marks a checked
 * warning by this link (src/reports/checked-warnings.ts), not by its wording.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import sharp from 'sharp';
import { EstimateSchema, type Estimate } from '../../src/api/contract';
import { checkFirst } from '../../src/clinical/check-first';
import { createEngine, type Engine } from '../../src/engine/engine';
import { encodeMaskRle } from '../../src/imaging/mask-codec';
import { HAVE_MODELS, HAVE_SAMPLES, MODELS_DIR, SAMPLES_DIR } from './cli-helpers';

/** Every check-first item has exactly one link, and each link's warning is one of the warnings. */
function expectLinked(estimate: Estimate): void {
  const links = estimate.checkFirstWarnings ?? [];
  expect(links.map((link) => link.phrase).sort()).toEqual([...checkFirst(estimate)].sort());
  for (const link of links) expect(estimate.warnings).toContain(link.warning);
}

describe.skipIf(!(HAVE_MODELS && HAVE_SAMPLES))(
  'check-first warnings with the shipped models',
  () => {
    let engine: Engine;
    beforeAll(async () => {
      engine = await createEngine({ modelsDir: MODELS_DIR, samplesDir: SAMPLES_DIR, host: 'web' });
    });
    afterAll(async () => engine?.close());

    async function aiEstimate(coronalPath: string, transversePath: string): Promise<Estimate> {
      const view = await engine.openCase({ coronalPath, transversePath });
      const coronal = await engine.segment({ caseId: view.caseId, view: 'coronal' });
      const transverse = await engine.segment({ caseId: view.caseId, view: 'transverse' });
      return EstimateSchema.parse(
        await engine.estimate({ caseId: view.caseId, masks: { coronal, transverse } }),
      );
    }

    it('links nothing when there is nothing to check', async () => {
      const estimate = await aiEstimate(
        join(SAMPLES_DIR, 'sample-01_coronal.png'),
        join(SAMPLES_DIR, 'sample-01_transverse.png'),
      );
      expect(checkFirst(estimate)).toEqual([]);
      expect(estimate.checkFirstWarnings).toEqual([]);
    });

    it('links "views look swapped" to the swap warning', async () => {
      const estimate = await aiEstimate(
        join(SAMPLES_DIR, 'sample-01_transverse.png'),
        join(SAMPLES_DIR, 'sample-01_coronal.png'),
      );
      const link = estimate.checkFirstWarnings?.find((l) => l.phrase === 'views look swapped');
      expect(link?.warning).toMatch(/^The transverse outline is longer .*look swapped/);
      expectLinked(estimate);
    });

    it('links "coronal outline implausible" (and any other doubt) for a stripe outline', async () => {
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
      const link = estimate.checkFirstWarnings?.find(
        (l) => l.phrase === 'coronal outline implausible',
      );
      expect(link?.warning).toMatch(/^The coronal outline is on average .*stripe or a sliver/);
      expectLinked(estimate);
    });

    it('links "unlike the training data" with a manifest that takes every case for unlike', async () => {
      const { mkdtemp, readdir, readFile, rm, symlink, writeFile } =
        await import('node:fs/promises');
      const { tmpdir } = await import('node:os');
      // The shipped models, their manifest's dual-view distance threshold lowered below any case's.
      const dir = await mkdtemp(join(tmpdir(), 'spv-doubt-warnings-models-'));
      let strict: Engine | undefined;
      try {
        for (const name of await readdir(MODELS_DIR))
          if (name.endsWith('.onnx')) await symlink(join(MODELS_DIR, name), join(dir, name));
        const manifest = JSON.parse(await readFile(join(MODELS_DIR, 'manifest.json'), 'utf8')) as {
          rvae: { dual: { latent: { distance_threshold: number } } };
        };
        manifest.rvae.dual.latent.distance_threshold = 0.5;
        await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest));
        strict = await createEngine({ modelsDir: dir, samplesDir: SAMPLES_DIR, host: 'web' });
        const view = await strict.openCase({
          coronalPath: join(SAMPLES_DIR, 'sample-01_coronal.png'),
          transversePath: join(SAMPLES_DIR, 'sample-01_transverse.png'),
        });
        const coronal = await strict.segment({ caseId: view.caseId, view: 'coronal' });
        const transverse = await strict.segment({ caseId: view.caseId, view: 'transverse' });
        const estimate = EstimateSchema.parse(
          await strict.estimate({ caseId: view.caseId, masks: { coronal, transverse } }),
        );
        expect(estimate.checkFirstWarnings).toEqual([
          {
            phrase: 'unlike the training data',
            warning: expect.stringMatching(
              /^This case is far from the training data \(latent distance [\d.]+ > 0\.5\)/,
            ),
          },
        ]);
        expectLinked(estimate);
      } finally {
        await strict?.close();
        await rm(dir, { recursive: true, force: true });
      }
    });

    it('links "uncertain AI transverse outline" to the uncertain-outline warning', async () => {
      const { mkdtemp, rm, writeFile, readFile } = await import('node:fs/promises');
      const { tmpdir } = await import('node:os');
      const dir = await mkdtemp(join(tmpdir(), 'spv-doubt-warnings-'));
      try {
        // A grey-inverted transverse image: the U-Net outlines it hesitantly (engine-api.test.ts).
        const inverted = join(dir, 'inverted_transverse.png');
        await sharp(join(SAMPLES_DIR, 'sample-01_transverse.png'))
          .negate({ alpha: false })
          .toFile(inverted);
        await writeFile(
          join(dir, 'inverted_transverse.json'),
          await readFile(join(SAMPLES_DIR, 'sample-01_transverse.json')),
        );
        const estimate = await aiEstimate(join(SAMPLES_DIR, 'sample-01_coronal.png'), inverted);
        expect(estimate.uncertainOutline).toEqual(['transverse']);
        const link = estimate.checkFirstWarnings?.find(
          (l) => l.phrase === 'uncertain AI transverse outline',
        );
        expect(link?.warning).toMatch(/^The AI's transverse outline is uncertain/);
        expectLinked(estimate);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  },
);
