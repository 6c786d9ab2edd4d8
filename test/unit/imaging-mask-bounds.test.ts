/**
 * maskBounds (src/imaging/mask-bounds.ts), the one bounding-box scan of a mask, and its callers:
 * outlineDefects must count as on the whole image, and maskToGrid must give the very bytes it gave
 * with its own scan (the hash below was taken from the grid code before maskBounds existed).
 */
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeImageFile } from '../../src/decode';
import { fillHoles, maskArea, outlineDefects } from '../../src/imaging/components';
import { maskToGrid } from '../../src/imaging/grid';
import { maskBounds } from '../../src/imaging/mask-bounds';

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/** A w × h mask of a few random blobs (values 1 or 255, some sparse noise), from a seed. */
function blobMask(seed: number, w: number, h: number): Uint8Array {
  const rnd = lcg(seed);
  const m = new Uint8Array(w * h);
  const value = rnd() < 0.5 ? 1 : 255;
  const blobs = 1 + Math.floor(rnd() * 3);
  for (let b = 0; b < blobs; b++) {
    const cx = rnd() * w;
    const cy = rnd() * h;
    const r = 1 + rnd() * Math.min(w, h) * 0.3;
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++)
        if (Math.hypot(x + 0.5 - cx, y + 0.5 - cy) <= r) m[y * w + x] = value;
  }
  for (let k = 0; k < (w * h) / 50; k++) if (rnd() < 0.5) m[Math.floor(rnd() * w * h)] = 0;
  return m;
}

/** The bounding box and sums by the plainest scan there is: the reference maskBounds must match. */
function naiveBounds(mask: Uint8Array, w: number, h: number) {
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < w * h; i++)
    if (mask[i] !== 0) {
      xs.push(i % w);
      ys.push(Math.floor(i / w));
    }
  if (xs.length === 0) return null;
  return {
    x0: Math.min(...xs),
    y0: Math.min(...ys),
    x1: Math.max(...xs),
    y1: Math.max(...ys),
    count: xs.length,
    sumX: xs.reduce((s, x) => s + x + 0.5, 0),
    sumY: ys.reduce((s, y) => s + y + 0.5, 0),
    zeroOne: [...mask].every((v) => v === 0 || v === 1),
  };
}

/** Pieces (8-connected) and hole pixels counted on the whole image, without any bounding box. */
function wholeImageDefects(mask: Uint8Array, w: number, h: number) {
  const seen = new Uint8Array(w * h);
  let pieces = 0;
  for (let i = 0; i < w * h; i++) {
    if (mask[i] === 0 || seen[i]) continue;
    pieces++;
    const stack = [i];
    seen[i] = 1;
    while (stack.length) {
      const p = stack.pop()!;
      const px = p % w;
      const py = Math.floor(p / w);
      for (let dy = -1; dy <= 1; dy++)
        for (let dx = -1; dx <= 1; dx++) {
          const x = px + dx;
          const y = py + dy;
          const q = y * w + x;
          if (x < 0 || y < 0 || x >= w || y >= h || seen[q] || mask[q] === 0) continue;
          seen[q] = 1;
          stack.push(q);
        }
    }
  }
  // Holes: background not 4-connected to the outside, with the image border counting as outside.
  const framed = new Uint8Array((w + 2) * (h + 2));
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) framed[(y + 1) * (w + 2) + x + 1] = mask[y * w + x] ? 1 : 0;
  const holePixels = maskArea(fillHoles(framed, w + 2, h + 2)) - maskArea(framed);
  return { pieces, holePixels };
}

describe('maskBounds', () => {
  it('is null for an empty mask and for a zero-sized one', () => {
    expect(maskBounds(new Uint8Array(12), 4, 3)).toBeNull();
    expect(maskBounds(new Uint8Array(0), 0, 0)).toBeNull();
  });

  it('gives the inclusive box, pixel count and pixel-centre sums in one pass', () => {
    const w = 5;
    const h = 4;
    const m = new Uint8Array(w * h);
    m[1 * w + 3] = 1;
    m[2 * w + 1] = 1;
    expect(maskBounds(m, w, h)).toEqual({
      x0: 1,
      y0: 1,
      x1: 3,
      y1: 2,
      count: 2,
      sumX: 3.5 + 1.5,
      sumY: 1.5 + 2.5,
      zeroOne: true,
    });
  });

  it('reaches the image corners and says when the mask is not 0/1', () => {
    const w = 3;
    const h = 2;
    const m = new Uint8Array(w * h);
    m[0] = 255;
    m[w * h - 1] = 1;
    expect(maskBounds(m, w, h)).toMatchObject({ x0: 0, y0: 0, x1: 2, y1: 1, zeroOne: false });
    const one = new Uint8Array(w * h);
    one[w * h - 1] = 7;
    expect(maskBounds(one, w, h)).toMatchObject({ x0: 2, y0: 1, x1: 2, y1: 1, count: 1 });
  });

  it('agrees with the plainest scan on random masks', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const w = 5 + (seed % 23);
      const h = 3 + ((seed * 7) % 19);
      const m = blobMask(seed, w, h);
      expect(maskBounds(m, w, h), `seed ${seed}`).toEqual(naiveBounds(m, w, h));
    }
  });
});

describe('outlineDefects on the bounding box', () => {
  it('counts pieces and hole pixels as on the whole image', () => {
    for (let seed = 1; seed <= 60; seed++) {
      const w = 6 + (seed % 29);
      const h = 4 + ((seed * 5) % 21);
      const m = blobMask(seed * 31, w, h);
      expect(outlineDefects(m, w, h), `seed ${seed}`).toEqual(wholeImageDefects(m, w, h));
    }
  });
});

describe('one maskBounds shared by outlineDefects and maskToGrid', () => {
  it('gives the same results as letting each scan the mask', () => {
    const w = 60;
    const h = 40;
    for (let seed = 1; seed <= 10; seed++) {
      const m = blobMask(seed * 17, w, h);
      const bounds = maskBounds(m, w, h);
      expect(outlineDefects(m, w, h, bounds)).toEqual(outlineDefects(m, w, h));
      if (!bounds) continue;
      const spacing = { x: 0.5, y: 0.6 };
      expect(maskToGrid(m, w, h, spacing, 32, 3.5, bounds)).toEqual(
        maskToGrid(m, w, h, spacing, 32, 3.5),
      );
    }
  });

  it('still refuses a mask of the wrong size before using the bounds', () => {
    const m = new Uint8Array(10).fill(1);
    expect(() => maskToGrid(m, 4, 4, { x: 1, y: 1 }, 8, 2, maskBounds(m, 5, 2))).toThrowError(
      /10 pixels but the image is 4×4/,
    );
    expect(() => maskToGrid(new Uint8Array(16), 4, 4, { x: 1, y: 1 }, 8, 2, null)).toThrowError(
      /The mask is empty/,
    );
  });
});

describe('maskToGrid with maskBounds', () => {
  it('gives the same bytes as before on the sample and golden masks, 0/1 and 0/255', async () => {
    const samples = join(__dirname, '..', '..', 'models', 'samples');
    const golden = join(__dirname, '..', 'fixtures', 'golden');
    const files = [
      ...readdirSync(samples)
        .filter((n) => n.endsWith('_mask.png'))
        .sort()
        .map((n) => join(samples, n)),
      ...['grid_mask.png', 'grid_mask_tr.png', 'measure_mask.png'].map((n) => join(golden, n)),
    ];
    expect(files.length).toBeGreaterThanOrEqual(19);
    const hash = createHash('sha256');
    let refused = 0;
    for (const [k, file] of files.entries()) {
      const { grey } = await decodeImageFile(file);
      const { width, height } = grey;
      // Spacings that put the masks at various places on the grid, and one too coarse for it (the
      // refusal's numbers come from the bounding box too).
      const spacings = [
        { x: 0.25 + 0.05 * (k % 5), y: 0.3 + 0.04 * (k % 3) },
        { x: 2.5, y: 2.5 },
      ];
      for (const [spacing, on] of spacings.flatMap((s) => [[s, 1] as const, [s, 255] as const])) {
        const mask = Uint8Array.from(grey.data, (v) => (v > 0 ? on : 0));
        try {
          const { grid, centroidMm } = maskToGrid(mask, width, height, spacing, 96, 3.5);
          hash.update(Buffer.from(grid.buffer, grid.byteOffset, grid.byteLength));
          hash.update(new Uint8Array(Float64Array.from(centroidMm).buffer));
        } catch (error) {
          hash.update(`refused: ${(error as Error).message}`);
          refused++;
        }
      }
    }
    expect(refused).toBeGreaterThan(0);
    expect(refused).toBeLessThan(2 * files.length);
    expect(hash.digest('hex')).toBe(
      'c14706817ebfe568f3c49813ced5611c7a44156d574fd7e0664f0be99b1fb171',
    );
  });
});
