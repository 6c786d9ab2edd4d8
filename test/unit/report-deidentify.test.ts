import { describe, expect, it } from 'vitest';
import {
  blankAroundSpleen,
  deidentifiedFigureNote,
  keptBox,
} from '../../src/reports/deidentify-figure';

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
  it('keeps the spleen and a margin around it, blanks the burned-in corner, and says how much', () => {
    const mask = square(45, 35, 10);
    const { grey: out, blankedShare } = blankAroundSpleen(image(), {
      width: W,
      height: H,
      mask,
      points: [],
    });
    // The box 45..54 × 35..44 widened by the 16-px minimum margin: 42 × 42 of 100 × 80 kept.
    expect(keptBox({ width: W, height: H, mask, points: [] })).toEqual({
      x0: 29,
      y0: 19,
      x1: 70,
      y1: 60,
    });
    expect(blankedShare).toBeCloseTo(1 - (42 * 42) / (W * H), 12);
    expect(at(out, 50, 40)).toBe(120);
    expect(at(out, 29, 19)).toBe(120);
    expect(at(out, 28, 19)).toBe(0);
    expect(at(out, 71, 60)).toBe(0);
    for (let y = 2; y < 8; y++) for (let x = 2; x < 40; x++) expect(at(out, x, y)).toBe(0);
  });

  it('widens the margin with the spleen, keeps the caliper ends, and stays inside the image', () => {
    // The spleen 20..60 and a caliper end at (95, 78): a box 75 px across; a tenth of it is under
    // the 16-px minimum margin, and the box is cut at the image's edges.
    const mask = square(20, 20, 41);
    const points = [[95, 78] as const];
    expect(keptBox({ width: W, height: H, mask, points })).toEqual({
      x0: 4,
      y0: 4,
      x1: 99,
      y1: 79,
    });
    const huge = new Uint8Array(400 * 400);
    for (let y = 100; y <= 300; y++) for (let x = 100; x <= 300; x++) huge[y * 400 + x] = 1;
    // 200 px across: a 20-px margin.
    expect(keptBox({ width: 400, height: 400, mask: huge, points: [] })).toEqual({
      x0: 80,
      y0: 80,
      x1: 320,
      y1: 320,
    });
  });

  it('keeps nothing outside the DICOM ultrasound regions, and nothing at all without a mask', () => {
    const mask = square(45, 35, 10);
    const regions = [{ x0: 0, y0: 30, x1: 99, y1: 79, spacingX: 0.3, spacingY: 0.3 }];
    const { grey: out } = blankAroundSpleen(image(), {
      width: W,
      height: H,
      mask,
      points: [],
      regions,
    });
    expect(at(out, 50, 25)).toBe(0); // in the box, above the region
    expect(at(out, 50, 30)).toBe(120);
    const none = blankAroundSpleen(image(), { width: W, height: H, mask: null, points: [] });
    expect(none.grey.every((v) => v === 0)).toBe(true);
    expect(none.blankedShare).toBe(1);
  });

  it('says per view how much was blanked and that text near the spleen stays', () => {
    const note = deidentifiedFigureNote([
      { label: 'Coronal', blankedShare: 0.624 },
      { label: 'Transverse', blankedShare: 0.05 },
    ]);
    expect(note).toMatch(/blanked: coronal 62%, transverse 5% of the image/);
    expect(note).toMatch(/Text burned in within that area is not removed/);
  });
});
