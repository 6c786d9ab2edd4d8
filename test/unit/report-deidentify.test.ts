import { describe, expect, it } from 'vitest';
import { blankAroundSpleen, keptBox } from '../../src/reports/deidentify-figure';

const W = 100;
const H = 80;

/** A uniformly grey image with "burned-in text" (white) in its top-left corner. */
function image(): Uint8Array {
  const grey = new Uint8Array(W * H).fill(120);
  for (let y = 2; y < 8; y++) for (let x = 2; x < 40; x++) grey[y * W + x] = 255;
  return grey;
}

/** A mask holding the square [x0, x0 + n) × [y0, y0 + n). */
function square(x0: number, y0: number, n: number): Uint8Array {
  const mask = new Uint8Array(W * H);
  for (let y = y0; y < y0 + n; y++) for (let x = x0; x < x0 + n; x++) mask[y * W + x] = 1;
  return mask;
}

const at = (img: Uint8Array, x: number, y: number) => img[y * W + x];

describe('anonymised report figures', () => {
  it('keeps the spleen and a margin around it, and blanks the burned-in corner', () => {
    const mask = square(45, 35, 10);
    const out = blankAroundSpleen(image(), { width: W, height: H, mask, points: [] });
    // The box 45..54 × 35..44 widened by the 16-px minimum margin.
    expect(keptBox({ width: W, height: H, mask, points: [] })).toEqual({
      x0: 29,
      y0: 19,
      x1: 70,
      y1: 60,
    });
    expect(at(out, 50, 40)).toBe(120);
    expect(at(out, 29, 19)).toBe(120);
    expect(at(out, 28, 19)).toBe(0);
    expect(at(out, 71, 60)).toBe(0);
    for (let y = 2; y < 8; y++) for (let x = 2; x < 40; x++) expect(at(out, x, y)).toBe(0);
  });

  it('widens the margin with the spleen, keeps the caliper ends, and stays inside the image', () => {
    // The spleen 20..60 and a caliper end at (95, 78): a box 75 px across, so a 19-px margin,
    // cut at the image's edges.
    const mask = square(20, 20, 41);
    const points = [[95, 78] as const];
    expect(keptBox({ width: W, height: H, mask, points })).toEqual({
      x0: 1,
      y0: 1,
      x1: 99,
      y1: 79,
    });
    const huge = new Uint8Array(300 * 300);
    for (let y = 100; y <= 200; y++) for (let x = 100; x <= 200; x++) huge[y * 300 + x] = 1;
    // 100 px across: a 25-px margin.
    expect(keptBox({ width: 300, height: 300, mask: huge, points: [] })).toEqual({
      x0: 75,
      y0: 75,
      x1: 225,
      y1: 225,
    });
  });

  it('keeps nothing outside the DICOM ultrasound regions, and nothing at all without a mask', () => {
    const mask = square(45, 35, 10);
    const regions = [{ x0: 0, y0: 30, x1: 99, y1: 79, spacingX: 0.3, spacingY: 0.3 }];
    const out = blankAroundSpleen(image(), { width: W, height: H, mask, points: [], regions });
    expect(at(out, 50, 25)).toBe(0); // in the box, above the region
    expect(at(out, 50, 30)).toBe(120);
    const none = blankAroundSpleen(image(), { width: W, height: H, mask: null, points: [] });
    expect(none.every((v) => v === 0)).toBe(true);
  });
});
