/** The input checks on their own: swapped views, an implausible scale, an implausible length. */
import { describe, expect, it } from 'vitest';
import { inputDoubts, SWAP_RATIO, trainingDataDoubt } from '../../src/engine/input-doubts';
import { lengthsFromMasks } from '../../src/engine/lengths';
import type { ViewMask } from '../../src/engine/types';

/** A filled ellipse of the given axes (px) in a 400 × 300 image at `mm` per pixel. */
function ellipse(rx: number, ry: number, mm: number): ViewMask {
  const width = 400;
  const height = 300;
  const mask = new Uint8Array(width * height);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      if (((x + 0.5 - 200) / rx) ** 2 + ((y + 0.5 - 150) / ry) ** 2 <= 1) mask[y * width + x] = 1;
  return { mask, width, height, spacing: { x: mm, y: mm } };
}

const doubtsOf = (coronal: ViewMask, transverse: ViewMask | null) =>
  inputDoubts({ coronal, transverse }, lengthsFromMasks(coronal, transverse));

describe('input doubts', () => {
  it('raises none for a usual spleen: 11 cm long, 7 cm wide, at 0.4 mm/px', () => {
    expect(doubtsOf(ellipse(137, 60, 0.4), ellipse(87, 50, 0.4))).toEqual([]);
  });

  it('takes a transverse outline longer than the coronal one for swapped views', () => {
    const doubts = doubtsOf(ellipse(87, 50, 0.4), ellipse(137, 60, 0.4));
    expect(doubts.map((d) => d.phrase)).toEqual(['views look swapped']);
    expect(doubts[0].warning).toMatch(
      /transverse outline is longer \(11\.0 cm\) than the coronal one \(7\.0 cm\)/,
    );
  });

  it('leaves a globular spleen alone up to the margin', () => {
    // Width 1.05 × length: within SWAP_RATIO (1.1), so not called swapped.
    expect(SWAP_RATIO).toBe(1.1);
    expect(doubtsOf(ellipse(120, 90, 0.5), ellipse(126, 70, 0.5))).toEqual([]);
  });

  it('questions a scale outside 0.06–1.5 mm/px and a length outside 3–30 cm', () => {
    // A distance typed in cm as if mm: a tenth of the real scale, so a 1.1-cm "spleen".
    const tenth = doubtsOf(ellipse(137, 60, 0.04), null);
    expect(tenth.map((d) => d.phrase)).toEqual(['coronal scale implausible', 'length implausible']);
    expect(tenth[0].warning).toMatch(
      /coronal view's scale \(0\.040 mm per pixel\) is outside 0\.06–1\.5 mm\/px/,
    );
    expect(tenth[1].warning).toMatch(/coronal outline measures 1\.1 cm, outside 3–30 cm/);
    // A transverse view at 2 mm/px: its scale alone.
    const coarse = doubtsOf(ellipse(137, 60, 0.4), ellipse(20, 12, 2));
    expect(coarse.map((d) => d.phrase)).toEqual(['transverse scale implausible']);
  });

  it('asks to check a case far from the training data, and only then', () => {
    expect(trainingDataDoubt(12.8, 12.8)).toBeNull();
    expect(trainingDataDoubt(Number.NaN, 12.8)).toBeNull();
    const far = trainingDataDoubt(19.04, 12.8);
    expect(far?.phrase).toBe('unlike the training data');
    expect(far?.warning).toMatch(
      /far from the training data \(latent distance 19\.0 > 12\.8\).*compare it with the length-based formulas/,
    );
  });
});
