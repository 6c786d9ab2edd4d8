/**
 * The report's latent (explanation) figure keeps every training point, the case's cross and its
 * label inside the plot's frame: the strips just outside the frame stay white however far out the
 * case and the training cases lie. Read from the rendered figure's pixels.
 */
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { latentFigurePng, type LatentFigureInput } from '../../src/reports/figures';

// The figure's frame (figures.ts latentFigureSvg: 420×326 px, margins 46 / 16 / 28 / 66).
const FRAME = { left: 46, right: 404, top: 28, bottom: 260 };

/** The training cases: a spread with points at each extreme of both components. */
const cloud: [number, number, number][] = [
  ...Array.from({ length: 40 }, (_, i): [number, number, number] => [
    Math.cos(i) * 4,
    Math.sin(i * 1.3) * 3,
    60 + i * 35,
  ]),
  [-5, 0, 80],
  [5, 0, 1400],
  [0, -4, 300],
  [0, 4, 500],
];

/** The non-white pixels of the figure in the strip x0..x1 × y0..y1 (inclusive), as "x,y". */
async function inkIn(
  input: LatentFigureInput,
  [x0, x1]: [number, number],
  [y0, y1]: [number, number],
): Promise<string[]> {
  const { data, info } = await sharp(await latentFigurePng(input))
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const ink: string[] = [];
  for (let y = y0; y <= y1; y++)
    for (let x = x0; x <= x1; x++) {
      const i = (y * info.width + x) * info.channels;
      if (Math.min(data[i], data[i + 1], data[i + 2]) < 245) ink.push(`${x},${y}`);
    }
  return ink;
}

/** The ink just outside each side of the frame (its own stroke's antialiasing left out). */
async function inkOutsideFrame(input: LatentFigureInput) {
  const { left, right, top, bottom } = FRAME;
  return {
    // Left of the frame, right of the y tick labels (they end 4 px left of it).
    left: await inkIn(input, [left - 2, left - 2], [top, bottom]),
    right: await inkIn(input, [right + 2, right + 12], [top, bottom]),
    // Under the title, above the frame.
    top: await inkIn(input, [left, right], [top - 5, top - 2]),
    // Above the x tick labels.
    bottom: await inkIn(input, [left, right], [bottom + 2, bottom + 3]),
  };
}

const NONE = { left: [], right: [], top: [], bottom: [] };

describe('the latent figure', () => {
  it('keeps the points, the case and its label inside the frame with the case at the top right', async () => {
    expect(await inkOutsideFrame({ cloud, position: [5, 4], volumeMl: 1453 })).toEqual(NONE);
  });

  it('keeps them inside with the case at the bottom left', async () => {
    expect(await inkOutsideFrame({ cloud, position: [-5, -4], volumeMl: 62 })).toEqual(NONE);
  });

  it('keeps a case far beyond the training cases inside, with its label', async () => {
    expect(await inkOutsideFrame({ cloud, position: [12, 9], volumeMl: 2480 })).toEqual(NONE);
  });
});
