import { describe, it, expect } from 'vitest';
import sharp from 'sharp';
import { viewFigurePng } from '../../src/reports/figures';
import { ellipseMask } from './store-fixtures';

const [W, H] = [200, 160];

/**
 * Is the caliper colour (#00e5ff: little red, strong green and blue) within 3 px of each point?
 * (The 2-px line is anti-aliased and may sit half a pixel either side.)
 */
async function caliperColourNear(png: Buffer, points: [number, number][]): Promise<boolean[]> {
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  const isCaliper = (x: number, y: number) => {
    const i = (y * info.width + x) * info.channels;
    return data[i] < 80 && data[i + 1] > 160 && data[i + 2] > 180;
  };
  return points.map(([x, y]) => {
    for (let dy = -3; dy <= 3; dy++)
      for (let dx = -3; dx <= 3; dx++) if (isCaliper(x + dx, y + dy)) return true;
    return false;
  });
}

describe('report view figure', () => {
  // A horizontal ellipse: its Feret line is horizontal through the centre row.
  const base = {
    label: 'Coronal',
    grey: new Uint8Array(W * H).fill(30),
    width: W,
    height: H,
    mask: ellipseMask(W, H, 80, 30),
    calibration: { spacingX: 0.5, spacingY: 0.5, source: 'caller' as const },
    maskSpacing: { x: 0.5, y: 0.5 },
  };

  it("draws the mask's Feret caliper when the reader drew none", async () => {
    const png = await viewFigurePng(base);
    expect(
      await caliperColourNear(png, [
        [60, 80],
        [140, 80],
      ]),
    ).toEqual([true, true]);
  });

  it("draws the reader's own caliper instead of the mask's", async () => {
    const png = await viewFigurePng({ ...base, calipers: [{ a: [100, 20], b: [100, 140] }] });
    // Along the reader's vertical line, away from the label; nothing on the Feret line's ends.
    expect(
      await caliperColourNear(png, [
        [100, 40],
        [100, 120],
      ]),
    ).toEqual([true, true]);
    expect(
      await caliperColourNear(png, [
        [40, 80],
        [160, 80],
      ]),
    ).toEqual([false, false]);
  });
});
