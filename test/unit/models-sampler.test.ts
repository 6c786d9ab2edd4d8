import { describe, it, expect } from 'vitest';
import { boxMullerNormals, mulberry32, standardNormalMatrix } from '../../src/models/rng';
import {
  estimateVolume,
  populationStd,
  sampleLatents,
  volumeFromY,
} from '../../src/models/interval';
import { mahalanobisDistance, pcaPosition } from '../../src/models/latent';

// Reference values from an independent Python implementation of PIPELINE §5 (arbitrary-precision
// integers masked to 32 bits), seed 20251127.
const SEED = 20251127;
const FIRST_UNIFORMS = [
  0.24011361505836248, 0.9308605256956071, 0.4748151970561594, 0.13482072204351425,
];
const FIRST_NORMALS = [0.672229035980917, 0.7514848364805584, 0.8390147415512118];

describe('mulberry32 and Box–Muller', () => {
  it('reproduces the reference uniforms bit for bit', () => {
    const next = mulberry32(SEED);
    expect(FIRST_UNIFORMS.map(() => next())).toEqual(FIRST_UNIFORMS);
  });

  it('draws one normal per pair of uniforms, cosine branch, u1 as 1 − u', () => {
    const normals = boxMullerNormals(mulberry32(SEED), 3);
    FIRST_NORMALS.forEach((value, i) => expect(normals[i]).toBeCloseTo(value, 14));
    const u = mulberry32(SEED);
    const u1 = 1 - u();
    const u2 = u();
    expect(normals[0]).toBe(Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2));
  });

  it('is deterministic per seed and different across seeds', () => {
    expect(standardNormalMatrix(7, 4, 3)).toEqual(standardNormalMatrix(7, 4, 3));
    expect(standardNormalMatrix(7, 4, 3)).not.toEqual(standardNormalMatrix(8, 4, 3));
  });

  it('gives standard normals in distribution', () => {
    const values = standardNormalMatrix(SEED, 200, 100);
    let mean = 0;
    values.forEach((v) => (mean += v / values.length));
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(populationStd(values)).toBeGreaterThan(0.97);
    expect(populationStd(values)).toBeLessThan(1.03);
  });
});

describe('interval maths', () => {
  const scaling = { transform: 'log' as const, mean: 5, std: 0.5 };

  it('maps y back to mL through the log transform', () => {
    expect(volumeFromY(0, scaling)).toBeCloseTo(Math.exp(5), 10);
    expect(volumeFromY(2, scaling)).toBeCloseTo(Math.exp(6), 10);
  });

  it('uses the population standard deviation', () => {
    expect(populationStd([1, 3])).toBe(1);
    expect(populationStd([2, 4, 4, 4, 5, 5, 7, 9])).toBe(2);
  });

  it('widens the interval by c · 1.96 · s around y0, in log space', () => {
    // y samples 1 and 3: s = 1; c = 1.5 → h = 2.94; y0 = 0.2.
    const estimate = estimateVolume(0.2, [1, 3], scaling, { calibration_factor: 1.5 });
    expect(estimate.halfWidth).toBeCloseTo(2.94, 12);
    expect(estimate.volumeMl).toBeCloseTo(Math.exp(5 + 0.5 * 0.2), 9);
    expect(estimate.ci95Ml[0]).toBeCloseTo(Math.exp(5 + 0.5 * (0.2 - 2.94)), 9);
    expect(estimate.ci95Ml[1]).toBeCloseTo(Math.exp(5 + 0.5 * (0.2 + 2.94)), 9);
  });

  it('samples z = mu + exp(logvar/2)·ε sample-major', () => {
    const mu = [1, -2];
    const logvar = [0, Math.log(4)]; // σ = 1 and 2
    const eps = new Float64Array([0.5, 1, -1, 0.25]); // ε[0] = (0.5, 1), ε[1] = (−1, 0.25)
    const z = sampleLatents(mu, logvar, eps, 2, new Float32Array(4));
    expect(Array.from(z)).toEqual([1.5, 0, 0, -1.5]);
  });
});

describe('latent position and distance', () => {
  it('projects on the principal components after centring', () => {
    const pca = {
      mean: [1, 1],
      components: [
        [1, 0],
        [0.6, 0.8],
      ],
      explained_variance: [2, 1],
    };
    expect(pcaPosition([4, 5], pca)).toEqual([3, 0.6 * 3 + 0.8 * 4]);
  });

  it('computes the Mahalanobis distance with the precision matrix', () => {
    // Precision diag(1/4, 1): distance of (2, 3) from (0, 0) = sqrt(4/4 + 9) = sqrt(10).
    expect(
      mahalanobisDistance(
        [2, 3],
        [0, 0],
        [
          [0.25, 0],
          [0, 1],
        ],
      ),
    ).toBeCloseTo(Math.sqrt(10), 12);
    expect(
      mahalanobisDistance(
        [0, 0],
        [0, 0],
        [
          [1, 0],
          [0, 1],
        ],
      ),
    ).toBe(0);
  });
});
