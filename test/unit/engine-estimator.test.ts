import { describe, it, expect } from 'vitest';
import { VolumeEstimator } from '../../src/engine/estimator';
import { lengthsFromMasks, mergeCaliperLengths } from '../../src/engine/lengths';
import type { Inference, RvaeMode } from '../../src/inference/types';
import { ManifestSchema, type Manifest } from '../../src/models/manifest';
import { populationStd } from '../../src/models/interval';
import { standardNormalMatrix } from '../../src/models/rng';

const D = 4;
const G = 16;
const GRID_MM = 4;

/**
 * A small analytic RVAE, a real implementation of the Inference interface that the engine cannot
 * tell from the ONNX one: mu[0] is the grid's covered area in cm², the other mu are 0, σ = 0.5;
 * the head is linear (y = 0.1·z0 + 0.2·z1); the decoder returns z0 everywhere.
 */
class AnalyticInference implements Inference {
  headBatches: number[] = [];
  async info() {
    return { provider: 'cpu', providersTried: [{ provider: 'cpu', ok: true }] };
  }
  async segment(image: Float32Array) {
    return image;
  }
  async encode(_mode: RvaeMode, grid: Float32Array, batch: number) {
    const mu = new Float32Array(batch * D);
    const logvar = new Float32Array(batch * D).fill(Math.log(0.25));
    const cells = grid.length / batch;
    for (let n = 0; n < batch; n++) {
      let area = 0;
      for (let i = 0; i < cells; i++) area += grid[n * cells + i];
      mu[n * D] = (area * GRID_MM * GRID_MM) / 100;
    }
    return { mu, logvar };
  }
  async head(_mode: RvaeMode, z: Float32Array, batch: number) {
    this.headBatches.push(batch);
    const y = new Float32Array(batch);
    for (let k = 0; k < batch; k++) y[k] = 0.1 * z[k * D] + 0.2 * z[k * D + 1];
    return y;
  }
  async decode(_mode: RvaeMode, z: Float32Array, batch: number) {
    return new Float32Array(batch * G * G).fill(z[0]);
  }
  async close() {}
}

function manifest(): Manifest {
  const file = {
    file: 'x.onnx',
    sha256: '0'.repeat(64),
    inputs: [{ name: 'a', shape: [1] }],
    outputs: [{ name: 'b', shape: [1] }],
  };
  return ManifestSchema.parse({
    schema_version: 1,
    model_version: 'analytic-1',
    segmenter: {
      file: 's.onnx',
      sha256: '0'.repeat(64),
      input_size: 32,
      input: { name: 'image', shape: ['batch', 1, 32, 32] },
      output: { name: 'logits', shape: ['batch', 1, 32, 32] },
      normalization: { mean: 0, std: 1 },
      threshold: 0.5,
    },
    grid: { size: G, spacing_mm: GRID_MM },
    rvae: {
      single: {
        channels: ['coronal'],
        latent_dim: D,
        encoder: file,
        head: file,
        decoder: file,
        volume: { transform: 'log', mean: 5, std: 0.5 },
        interval: { samples: 64, seed: 20251127, calibration_factor: 1.5 },
        latent: {
          mean: [0, 0, 0, 0],
          precision: [
            [1, 0, 0, 0],
            [0, 1, 0, 0],
            [0, 0, 1, 0],
            [0, 0, 0, 1],
          ],
          distance_threshold: 20,
          pca: {
            mean: [0, 0, 0, 0],
            components: [
              [1, 0, 0, 0],
              [0, 1, 0, 0],
            ],
            explained_variance: [1, 1],
          },
          cloud: [[1, 2, 150]],
        },
      },
    },
    formulas: { length_only: { intercept_ml: -250, slope_ml_per_cm: 40 } },
  });
}

/** A w×h image with a filled rectangle [x0, x1) × [y0, y1). */
function rectangle(
  w: number,
  h: number,
  x0: number,
  y0: number,
  x1: number,
  y1: number,
): Uint8Array {
  const mask = new Uint8Array(w * h);
  for (let y = y0; y < y1; y++) mask.fill(1, y * w + x0, y * w + x1);
  return mask;
}

const info = { provider: 'cpu', providersTried: [{ provider: 'cpu', ok: true }] };
const spacing = { x: 0.5, y: 0.5 };

describe('VolumeEstimator', () => {
  it('computes the point estimate from head(mu) and the interval from K seeded samples in one head call', async () => {
    const inference = new AnalyticInference();
    const estimator = new VolumeEstimator(manifest(), inference, info);
    // 40×20 px at 0.5 mm = 20×10 mm = 2 cm²; mu0 = 2.
    const masks = {
      coronal: { mask: rectangle(64, 48, 10, 10, 50, 30), width: 64, height: 48, spacing },
    };
    const estimate = await estimator.estimate(masks);

    expect(inference.headBatches).toEqual([65]);
    expect(estimate.y0).toBeCloseTo(0.2, 6);
    expect(estimate.volumeMl).toBeCloseTo(Math.exp(5 + 0.5 * 0.2), 4);

    // The same samples by hand: z = mu + 0.5·ε, y = 0.1·z0 + 0.2·z1.
    const eps = standardNormalMatrix(20251127, 64, D);
    const ys = Array.from(
      { length: 64 },
      (_, k) => 0.1 * (2 + 0.5 * eps[k * D]) + 0.2 * (0.5 * eps[k * D + 1]),
    );
    const h = 1.5 * 1.96 * populationStd(ys);
    expect(estimate.ci95Ml[0]).toBeCloseTo(Math.exp(5 + 0.5 * (0.2 - h)), 3);
    expect(estimate.ci95Ml[1]).toBeCloseTo(Math.exp(5 + 0.5 * (0.2 + h)), 3);
    expect(estimate.model).toBe('single');
    // A 2-cm "spleen" is questioned (src/engine/input-doubts.ts), and that is all.
    expect(estimate.warnings).toEqual([
      expect.stringMatching(/coronal outline measures 2\.2 cm, outside 3–30 cm/),
    ]);
    expect(estimate.inputDoubts).toEqual(['length implausible']);
  });

  it('gives the same numbers for the same mask, call after call (buffers are reused safely)', async () => {
    const estimator = new VolumeEstimator(manifest(), new AnalyticInference(), info);
    const masks = {
      coronal: { mask: rectangle(64, 48, 10, 10, 50, 30), width: 64, height: 48, spacing },
    };
    const first = await estimator.estimate(masks);
    const other = {
      coronal: { mask: rectangle(64, 48, 5, 5, 20, 40), width: 64, height: 48, spacing },
    };
    const between = await estimator.estimate(other);
    const again = await estimator.estimate(masks);
    expect(again.volumeMl).toBe(first.volumeMl);
    expect(again.ci95Ml).toEqual(first.ci95Ml);
    expect(between.volumeMl).not.toBe(first.volumeMl);
  });

  it('measures lengths on the mask, computes the formulas and lets caliper lengths win', async () => {
    const estimator = new VolumeEstimator(manifest(), new AnalyticInference(), info);
    const masks = {
      coronal: { mask: rectangle(64, 48, 10, 10, 50, 30), width: 64, height: 48, spacing },
    };
    const estimate = await estimator.estimate(masks, {
      caliperLengths: { width: 7, thickness: 4 },
    });
    // Feret length of a 20×10 mm rectangle of pixel squares: diagonal of the centres + one pixel's projection.
    expect(estimate.lengths.length).toBeGreaterThan(2.0);
    expect(estimate.lengths.craniocaudal).toBeCloseTo(2.0, 10);
    const ellipsoid = estimate.formulas.find((f) => f.id === 'ellipsoid');
    expect(ellipsoid?.volumeMl).toBeCloseTo(0.523 * (estimate.lengths.length ?? 0) * 7 * 4, 10);
  });

  it('warns when the mask touches the border and when the case is far from the training data', async () => {
    const m = manifest();
    m.rvae.single.latent.distance_threshold = 1;
    const estimator = new VolumeEstimator(m, new AnalyticInference(), info);
    const masks = {
      coronal: { mask: rectangle(64, 48, 0, 10, 40, 30), width: 64, height: 48, spacing },
    };
    const estimate = await estimator.estimate(masks);
    expect(estimate.warnings.join('\n')).toMatch(/coronal mask touches the image border/);
    expect(estimate.warnings.join('\n')).toMatch(
      /far from the training data \(latent distance 2\.0 > 1\.0\)/,
    );
    // And asked to be checked before the verdicts are trusted (beside them, and at sign-off).
    expect(estimate.inputDoubts).toContain('unlike the training data');
  });

  it("warns about an uncertain AI outline only for an unedited AI mask below the manifest's level", async () => {
    const m = manifest();
    const estimator = new VolumeEstimator(m, new AnalyticInference(), info);
    const view = (aiConfidence?: number) => ({
      coronal: {
        mask: rectangle(64, 48, 10, 10, 50, 30),
        width: 64,
        height: 48,
        // 1 mm/px: a 4.5-cm outline, so that no doubt about its length joins the warnings.
        spacing: { x: 1, y: 1 },
        aiConfidence,
      },
    });
    const uncertain = /AI's coronal outline is uncertain \(confidence 0\.900, below 0\.950/;
    // An older manifest without the block never warns.
    expect((await estimator.estimate(view(0.9))).warnings.join('\n')).not.toMatch(/uncertain/);
    m.segmenter.confidence = { statistic: 'mean probability', flag_below: 0.95 };
    expect((await estimator.estimate(view(0.9))).warnings.join('\n')).toMatch(uncertain);
    expect((await estimator.estimate(view(0.97))).warnings).toEqual([]);
    // A mask the reader edited or drew carries no AI confidence: no warning.
    expect((await estimator.estimate(view())).warnings).toEqual([]);
  });

  it('warns when a GPU provider failed and the engine fell back', async () => {
    const fellBack = {
      provider: 'cpu',
      providersTried: [
        { provider: 'cuda', ok: false, error: 'CUDA failure 100' },
        { provider: 'cpu', ok: true },
      ],
    };
    const estimator = new VolumeEstimator(manifest(), new AnalyticInference(), fellBack);
    const masks = {
      coronal: { mask: rectangle(64, 48, 10, 10, 50, 30), width: 64, height: 48, spacing },
    };
    expect((await estimator.estimate(masks)).warnings).toContain(
      'The cuda execution provider failed to start; running on cpu.',
    );
  });

  it('refuses an empty mask and a mask larger than the grid, naming the view', async () => {
    const estimator = new VolumeEstimator(manifest(), new AnalyticInference(), info);
    const empty = { coronal: { mask: new Uint8Array(64 * 48), width: 64, height: 48, spacing } };
    await expect(estimator.estimate(empty)).rejects.toThrow(/coronal view: The mask is empty/);
    // 64 mm grid; a 60×40 px mask at 2 mm/px is 120 mm across.
    const huge = {
      coronal: {
        mask: rectangle(64, 48, 2, 4, 62, 44),
        width: 64,
        height: 48,
        spacing: { x: 2, y: 2 },
      },
    };
    await expect(estimator.estimate(huge)).rejects.toMatchObject({ code: 'out-of-range' });
  });

  it('explains with the decoder reconstruction, the PCA position and the distance', async () => {
    const estimator = new VolumeEstimator(manifest(), new AnalyticInference(), info);
    const masks = {
      coronal: { mask: rectangle(64, 48, 10, 10, 50, 30), width: 64, height: 48, spacing },
    };
    const explanation = await estimator.explain(masks);
    expect(explanation.reconstruction).toHaveLength(1);
    expect(explanation.reconstruction[0].values[0]).toBeCloseTo(1 / (1 + Math.exp(-2)), 6);
    expect(explanation.pcaPosition).toEqual([2, 0]);
    expect(explanation.mahalanobis).toBeCloseTo(2, 6);
    expect(explanation.outOfDistribution).toBe(false);
    expect(explanation.trainingCloud).toEqual([[1, 2, 150]]);
  });
});

describe('lengths', () => {
  it('takes width and thickness from the transverse mask', () => {
    const coronal = { mask: rectangle(64, 48, 10, 10, 50, 30), width: 64, height: 48, spacing };
    const transverse = {
      mask: rectangle(64, 48, 10, 10, 30, 18),
      width: 64,
      height: 48,
      spacing: { x: 1, y: 1 },
    };
    const lengths = lengthsFromMasks(coronal, transverse);
    expect(lengths.craniocaudal).toBeCloseTo(2, 10);
    expect(lengths.width).toBeGreaterThan(2.0); // Feret of a 20×8 mm rectangle
    expect(lengths.thickness).toBeGreaterThan(0.7);
    expect(lengthsFromMasks(coronal, null).width).toBeNull();
  });

  it('merges caliper lengths over the measured ones, ignoring empty values', () => {
    const measured = { length: 11, width: null, thickness: null, craniocaudal: 10 };
    expect(mergeCaliperLengths(measured, { length: 12, width: 7, thickness: null })).toEqual({
      length: 12,
      width: 7,
      thickness: null,
      craniocaudal: 10,
    });
  });
});
