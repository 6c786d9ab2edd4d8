import { describe, expect, it } from 'vitest';
import { maskConfidence } from '../../src/imaging/confidence';

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

describe('maskConfidence (PIPELINE §3b)', () => {
  it('is the mean probability over the mask pixels only', () => {
    const logits = Float32Array.from([4, 4, 0.5, 9, -3, -3]);
    const mask = Uint8Array.from([1, 1, 1, 0, 0, 0]);
    expect(maskConfidence(logits, mask)).toBeCloseTo((2 * sigmoid(4) + sigmoid(0.5)) / 3, 7);
  });

  it('is 0 for an empty mask and refuses logits of another size', () => {
    expect(maskConfidence(new Float32Array(4), new Uint8Array(4))).toBe(0);
    expect(() => maskConfidence(new Float32Array(3), new Uint8Array(4))).toThrow(/3 logits/);
  });

  it('falls when the same outline is drawn hesitantly', () => {
    const mask = Uint8Array.from([1, 1, 1, 1]);
    const sure = maskConfidence(Float32Array.from([6, 6, 6, 6]), mask);
    const unsure = maskConfidence(Float32Array.from([0.4, 0.4, 6, 6]), mask);
    expect(sure).toBeGreaterThan(0.99);
    expect(unsure).toBeLessThan(0.85);
  });
});
