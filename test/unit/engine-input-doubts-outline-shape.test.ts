/**
 * An outline no spleen has is questioned: a thin stripe or a contour on the coronal view, a sliver
 * or a blob on the transverse one. Built on the sample cases' real ground-truth masks (which raise
 * no doubt), at their real spacing.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OUTLINE_IMPLAUSIBLE } from '../../src/clinical/check-first';
import { readBinaryMaskFile } from '../../src/decode';
import { inputDoubts, NARROWEST_TRANSVERSE, THINNEST_OUTLINE } from '../../src/engine/input-doubts';
import { lengthsFromMasks } from '../../src/engine/lengths';
import type { ViewMask } from '../../src/engine/types';

const SAMPLES_DIR = join(__dirname, '..', '..', 'models', 'samples');
const SAMPLES = ['01', '02', '03', '04', '05', '06', '07', '08'].map((n) => `sample-${n}`);

/** A sample's ground-truth mask of one view, at the spacing of its sidecar. */
async function sampleMask(id: string, view: 'coronal' | 'transverse'): Promise<ViewMask> {
  const file = join(SAMPLES_DIR, `${id}_${view}_mask.png`);
  const { mask, width, height } = await readBinaryMaskFile(file);
  const sidecar = JSON.parse(readFileSync(file.replace(/\.png$/, '.json'), 'utf8')) as {
    spacing_mm: [number, number];
  };
  const [x, y] = sidecar.spacing_mm;
  return { mask, width, height, spacing: { x, y } };
}

/** A mask of `view`'s size and spacing with only the pixels `keep` says. */
function redrawn(view: ViewMask, keep: (x: number, y: number) => boolean): ViewMask {
  const mask = new Uint8Array(view.width * view.height);
  for (let y = 0; y < view.height; y++)
    for (let x = 0; x < view.width; x++) if (keep(x, y)) mask[y * view.width + x] = 1;
  return { ...view, mask };
}

const on = (view: ViewMask, x: number, y: number) =>
  x >= 0 && y >= 0 && x < view.width && y < view.height && view.mask[y * view.width + x] !== 0;

const doubtsOf = (coronal: ViewMask, transverse: ViewMask | null) =>
  inputDoubts({ coronal, transverse }, lengthsFromMasks(coronal, transverse));

const phrases = (coronal: ViewMask, transverse: ViewMask | null) =>
  doubtsOf(coronal, transverse).map((d) => d.phrase);

describe('outline shape doubts', () => {
  it('keeps the limits the derivation gives', () => {
    expect(THINNEST_OUTLINE).toEqual({ coronal: 0.05, transverse: 0.07 });
    expect(NARROWEST_TRANSVERSE).toBe(0.17);
  });

  it.each(SAMPLES)('%s: its real outlines raise no doubt, with either view alone', async (id) => {
    const coronal = await sampleMask(id, 'coronal');
    const transverse = await sampleMask(id, 'transverse');
    expect(doubtsOf(coronal, transverse)).toEqual([]);
    expect(doubtsOf(coronal, null)).toEqual([]);
  });

  it('questions a 6-pixel stripe across the coronal image, and says why and what to do', async () => {
    const real = await sampleMask('sample-03', 'coronal');
    const transverse = await sampleMask('sample-03', 'transverse');
    const top = Math.floor(real.height / 2) - 3;
    const stripe = redrawn(real, (_x, y) => y >= top && y < top + 6);
    const doubts = doubtsOf(stripe, transverse);
    // Its length (the image's width) is plausible: nothing but its shape gives it away.
    expect(doubts.map((d) => d.phrase)).toEqual([OUTLINE_IMPLAUSIBLE.coronal]);
    expect(doubts[0].phrase).toBe('coronal outline implausible');
    const cm = (real.width * real.spacing.x) / 10;
    expect(doubts[0].warning).toContain(
      `on average ${((6 * real.spacing.y) / 10).toFixed(1)} cm wide along its ${cm.toFixed(1)} cm long axis (2%)`,
    );
    expect(doubts[0].warning).toMatch(/at least 5% as wide as it is long/);
    expect(doubts[0].warning).toMatch(/stripe or a sliver.*correct it before using the estimate/);
    // The same stripe drawn on a slant is as thin.
    const slant = redrawn(real, (x, y) => Math.abs(y - (60 + 0.5 * x)) < 3);
    expect(phrases(slant, transverse)).toEqual([OUTLINE_IMPLAUSIBLE.coronal]);
  });

  it('does not blame the real transverse outline for being narrow beside a coronal stripe', async () => {
    const real = await sampleMask('sample-03', 'coronal');
    const transverse = await sampleMask('sample-03', 'transverse');
    const stripe = (mm: number) => ({
      ...redrawn(real, (_x, y) => y >= 150 && y < 156),
      spacing: { x: mm, y: mm },
    });
    // A 28.8-cm stripe beside a 3.3-cm transverse outline (a ratio of 0.11, below 0.17).
    const small = { ...transverse, spacing: { x: 0.25, y: 0.25 } };
    expect(phrases(stripe(0.75), small)).toEqual([OUTLINE_IMPLAUSIBLE.coronal]);
    // A 53.8-cm stripe (a coronal scale or outline gone wrong) beside the real 6.6-cm one.
    expect(phrases(stripe(1.4), transverse)).toEqual([
      'length implausible',
      OUTLINE_IMPLAUSIBLE.coronal,
    ]);
  });

  it('questions a coronal outline drawn as a contour and not filled in', async () => {
    const real = await sampleMask('sample-03', 'coronal');
    // The real outline's rim, two pixels deep: a spleen's length, a line's area.
    const rim = redrawn(
      real,
      (x, y) => on(real, x, y) && [-2, 2].some((d) => !on(real, x + d, y) || !on(real, x, y + d)),
    );
    expect(phrases(rim, null)).toEqual([OUTLINE_IMPLAUSIBLE.coronal]);
  });

  it('questions a thin sliver along the edge of the real transverse outline', async () => {
    const coronal = await sampleMask('sample-03', 'coronal');
    const real = await sampleMask('sample-03', 'transverse');
    // The top 5 pixels of the outline in each column: a curved sliver as wide as the spleen.
    const tops = Array.from({ length: real.width }, (_, x) => {
      for (let y = 0; y < real.height; y++) if (on(real, x, y)) return y;
      return -1;
    });
    const sliver = redrawn(real, (x, y) => tops[x] >= 0 && y >= tops[x] && y < tops[x] + 5);
    const doubts = doubtsOf(coronal, sliver);
    expect(doubts.map((d) => d.phrase)).toEqual(['transverse outline implausible']);
    expect(doubts[0].warning).toMatch(/The transverse outline is on average 0\.\d cm wide/);
  });

  it('questions a tiny blob: on the transverse view as too narrow, on the coronal by its length', async () => {
    const coronal = await sampleMask('sample-03', 'coronal');
    const transverse = await sampleMask('sample-03', 'transverse');
    const blob = (view: ViewMask) =>
      redrawn(view, (x, y) => (x + 0.5 - 190) ** 2 + (y + 0.5 - 160) ** 2 <= 8 ** 2);

    const smallTransverse = doubtsOf(coronal, blob(transverse));
    expect(smallTransverse.map((d) => d.phrase)).toEqual([OUTLINE_IMPLAUSIBLE.transverse]);
    expect(smallTransverse[0].warning).toMatch(
      /The transverse outline is 0\.\d cm wide against a coronal length of \d+\.\d cm \(\d%\), where a spleen's transverse section is at least 17% as wide/,
    );
    // A round blob is not thin: on the coronal view its length gives it away (and the real
    // transverse outline is then longer than it: the views look swapped).
    expect(phrases(blob(coronal), transverse)).toEqual([
      'views look swapped',
      'length implausible',
    ]);
    expect(phrases(blob(coronal), null)).toEqual(['length implausible']);
  });
});
