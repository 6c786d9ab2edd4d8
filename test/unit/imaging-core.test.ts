import { describe, expect, it } from 'vitest';
import { SpvError } from '../../src/api/errors';
import {
  cleanMask,
  fillHoles,
  largestComponent,
  maskArea,
  outlineDefects,
  touchesBorder,
} from '../../src/imaging/components';
import { maskToGrid } from '../../src/imaging/grid';
import { decodeMaskRle, encodeMaskRle } from '../../src/imaging/mask-codec';
import { convexHull, distanceMm, measureMask } from '../../src/imaging/measure';
import {
  areaResampleWeights,
  letterbox,
  letterboxBox,
  normaliseForSegmenter,
  thresholdLogits,
  unletterboxLogits,
} from '../../src/imaging/resample';

/** A w × h mask with the axis-aligned rectangle [x0, x1) × [y0, y1) set. */
function rectMask(
  w: number,
  h: number,
  x0: number,
  y0: number,
  x1: number,
  y1: number,
): Uint8Array {
  const m = new Uint8Array(w * h);
  for (let y = y0; y < y1; y++) m.fill(1, y * w + x0, y * w + x1);
  return m;
}

/** A w × h mask of the pixels whose centres lie within radius r of (cx, cy) (pixel units). */
function diskMask(w: number, h: number, cx: number, cy: number, r: number): Uint8Array {
  const m = new Uint8Array(w * h);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) if (Math.hypot(x + 0.5 - cx, y + 0.5 - cy) <= r) m[y * w + x] = 1;
  return m;
}

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

describe('mask RLE', () => {
  it('round-trips random masks, including ones starting with foreground', () => {
    const rand = lcg(7);
    for (let t = 0; t < 20; t++) {
      const w = 1 + Math.floor(rand() * 40);
      const h = 1 + Math.floor(rand() * 30);
      const m = new Uint8Array(w * h);
      for (let i = 0; i < m.length; i++) m[i] = rand() < 0.3 + 0.4 * (t % 2) ? 1 : 0;
      const rle = encodeMaskRle(m, w, h);
      expect(rle.runs.reduce((a, b) => a + b, 0)).toBe(w * h);
      expect(decodeMaskRle(rle)).toEqual(m);
    }
    const firstSet = encodeMaskRle(Uint8Array.from([1, 1, 0]), 3, 1);
    expect(firstSet.runs).toEqual([0, 2, 1]);
  });

  it('refuses runs that do not cover the image, with bad-input', () => {
    expect(() => decodeMaskRle({ width: 3, height: 2, runs: [1, 2] })).toThrowError(SpvError);
    try {
      decodeMaskRle({ width: 3, height: 2, runs: [1, 2, 4] });
      expect.unreachable();
    } catch (e) {
      expect((e as SpvError).code).toBe('bad-input');
      expect((e as SpvError).message).toContain('7 pixels');
    }
    expect(() => decodeMaskRle({ width: 2, height: 1, runs: [1.5, 0.5] })).toThrowError(
      /whole numbers/,
    );
  });
});

describe('area resampling and letterbox', () => {
  it('weights of each output sum to one and conserve the total', () => {
    for (const [n, m] of [
      [300, 171],
      [7, 3],
      [3, 7],
      [200, 256],
    ]) {
      const r = areaResampleWeights(n, m);
      const columnSum = new Float64Array(n);
      for (let j = 0; j < m; j++) {
        let s = 0;
        for (let k = r.offset[j]; k < r.offset[j + 1]; k++) {
          s += r.weights[k];
          columnSum[r.first[j] + k - r.offset[j]] += r.weights[k];
        }
        expect(s).toBeCloseTo(1, 12);
      }
      // Each source sample spreads m/n of itself in total.
      for (let i = 0; i < n; i++) expect(columnSum[i]).toBeCloseTo(m / n, 12);
    }
  });

  it('computes the letterbox box of PIPELINE §2', () => {
    expect(letterboxBox(300, 200, 256)).toEqual({
      size: 256,
      nw: 256,
      nh: 171,
      ox: 0,
      oy: 42,
      srcWidth: 300,
      srcHeight: 200,
    });
    expect(letterboxBox(200, 300, 128)).toEqual({
      size: 128,
      nw: 85,
      nh: 128,
      ox: 21,
      oy: 0,
      srcWidth: 200,
      srcHeight: 300,
    });
    // 5·(4/10) = 2 exactly; 3·(4/8)=1.5 rounds away from zero to 2.
    expect(letterboxBox(8, 3, 4)).toMatchObject({ nw: 4, nh: 2, ox: 0, oy: 1 });
    expect(letterboxBox(1000, 1, 16)).toMatchObject({ nw: 16, nh: 1 });
  });

  it('letterboxes a constant image to that constant inside the box and zero outside', () => {
    const img = { width: 300, height: 200, data: new Float32Array(300 * 200).fill(137) };
    const { canvas, box } = letterbox(img, 64);
    for (let y = 0; y < 64; y++)
      for (let x = 0; x < 64; x++) {
        const inside = x >= box.ox && x < box.ox + box.nw && y >= box.oy && y < box.oy + box.nh;
        expect(canvas[y * 64 + x]).toBeCloseTo(inside ? 137 : 0, 3);
      }
  });

  it('area-averages a 2× downscale exactly', () => {
    const data = Float32Array.from([0, 2, 4, 6, 10, 12, 14, 16]); // 4 wide, 2 high
    const { canvas, box } = letterbox({ width: 4, height: 2, data }, 2);
    expect(box).toMatchObject({ nw: 2, nh: 1, ox: 0, oy: 0 });
    expect(Array.from(canvas)).toEqual([6, 10, 0, 0]);
  });

  it('normalises g/255 then (x − mean)/std', () => {
    const t = normaliseForSegmenter(Float32Array.from([0, 255, 127.5]), 0.5, 0.25);
    expect(Array.from(t)).toEqual([-2, 2, 0]);
  });

  it('unletterboxes logits: constant stays constant, a step stays at its place', () => {
    const box = letterboxBox(300, 200, 64);
    const constant = unletterboxLogits(new Float32Array(64 * 64).fill(3.5), box);
    expect(constant.length).toBe(300 * 200);
    expect(constant.every((v) => v === 3.5)).toBe(true);
    // Left half of the content box positive, right half negative → left half of the image.
    const logits = new Float32Array(64 * 64).fill(-100); // padding must never leak in
    for (let y = box.oy; y < box.oy + box.nh; y++)
      for (let x = box.ox; x < box.ox + box.nw; x++)
        logits[y * 64 + x] = x - box.ox < box.nw / 2 ? 1 : -1;
    const mask = thresholdLogits(unletterboxLogits(logits, box), 0.5);
    expect(maskArea(mask)).toBe(150 * 200);
    expect(mask[0]).toBe(1);
    expect(mask[149]).toBe(1);
    expect(mask[150]).toBe(0);
    expect(mask[199 * 300 + 299]).toBe(0);
  });

  it('thresholds at logit(p)', () => {
    const m = thresholdLogits(Float32Array.from([-1, 0, 0.01, 2, 1.3]), 0.75); // logit(0.75) ≈ 1.0986
    expect(Array.from(m)).toEqual([0, 0, 0, 1, 1]);
    expect(() => thresholdLogits(new Float32Array(1), 1)).toThrow();
  });
});

describe('components and holes', () => {
  it('keeps the largest 8-connected component (diagonals connect)', () => {
    const w = 10;
    const h = 6;
    const m = rectMask(w, h, 0, 0, 2, 2); // 4 px
    m[2 * w + 2] = 1; // diagonal neighbour of (1,1): joins → 5 px
    m[3 * w + 3] = 1; // diagonal again → 6 px
    const other = rectMask(w, h, 6, 1, 9, 3); // 6 px, separate, found later in raster order
    for (let i = 0; i < m.length; i++) m[i] |= other[i];
    m[5 * w + 9] = 1;
    const kept = largestComponent(m, w, h);
    expect(maskArea(kept)).toBe(6);
    expect(kept[0]).toBe(1); // the raster-first of the two equal components
    expect(kept[1 * w + 6]).toBe(0);
    m[4 * w + 0] = 1;
    m[3 * w + 7] = 1; // grow the right one to 7
    expect(largestComponent(m, w, h)[1 * w + 6]).toBe(1);
    expect(maskArea(largestComponent(new Uint8Array(12), 4, 3))).toBe(0);
  });

  it('counts the pieces and hole pixels that keep a mask from being one solid outline', () => {
    const w = 12;
    const h = 9;
    const solid = rectMask(w, h, 2, 2, 9, 7);
    expect(outlineDefects(solid, w, h)).toEqual({ pieces: 1, holePixels: 0 });
    // A hole of 4 px, and a notch open to the outside (not a hole).
    const holed = solid.slice();
    for (const [x, y] of [
      [4, 4],
      [5, 4],
      [4, 5],
      [5, 5],
    ])
      holed[y * w + x] = 0;
    holed[2 * w + 7] = 0;
    expect(outlineDefects(holed, w, h)).toEqual({ pieces: 1, holePixels: 4 });
    // A second piece (diagonal contact joins pieces: 8-connectivity), even at the image's edge.
    const split = solid.slice();
    split[0] = 1;
    expect(outlineDefects(split, w, h)).toEqual({ pieces: 2, holePixels: 0 });
    split[1 * w + 1] = 1;
    expect(outlineDefects(split, w, h).pieces).toBe(1);
    // A mask touching the border: the frame keeps its outside connected, so no false hole.
    const edge = rectMask(w, h, 0, 0, w, 3);
    expect(outlineDefects(edge, w, h)).toEqual({ pieces: 1, holePixels: 0 });
    expect(outlineDefects(new Uint8Array(w * h), w, h)).toEqual({ pieces: 0, holePixels: 0 });
  });

  it('fills holes but not background 4-connected to the border', () => {
    const w = 9;
    const h = 7;
    const ring = rectMask(w, h, 1, 1, 8, 6);
    for (let y = 2; y < 5; y++) for (let x = 2; x < 7; x++) ring[y * w + x] = 0; // 15 px hole
    expect(maskArea(ring)).toBe(35 - 15);
    expect(maskArea(fillHoles(ring, w, h))).toBe(35);
    // Open the ring at the top: the hole now reaches the border → nothing filled.
    ring[1 * w + 4] = 0;
    expect(maskArea(fillHoles(ring, w, h))).toBe(34 - 15);
    // A hole connected to the outside only diagonally is still a hole (4-connectivity).
    const diag = rectMask(5, 5, 0, 0, 3, 3);
    diag[1 * 5 + 1] = 0;
    diag[2 * 5 + 2] = 0;
    diag[3 * 5 + 3] = 0;
    const filled = fillHoles(diag, 5, 5);
    expect(filled[1 * 5 + 1]).toBe(1);
    expect(filled[2 * 5 + 2]).toBe(0);
  });

  it('cleanMask and touchesBorder', () => {
    const m = diskMask(40, 30, 20, 15, 8);
    const holed = m.slice();
    holed[15 * 40 + 20] = 0;
    holed[2 * 40 + 2] = 1; // speck
    expect(cleanMask(holed, 40, 30)).toEqual(m);
    expect(touchesBorder(m, 40, 30)).toBe(false);
    expect(touchesBorder(diskMask(40, 30, 2, 15, 5), 40, 30)).toBe(true);
    expect(touchesBorder(diskMask(40, 30, 20, 29, 3), 40, 30)).toBe(true);
  });
});

describe('physical grid', () => {
  it('conserves area: Σ grid · g² = area · sx · sy, with values in [0, 1]', () => {
    const w = 260;
    const h = 200;
    const m = diskMask(w, h, 120.3, 95.7, 60);
    const spacing = { x: 0.9, y: 1.1 };
    const { grid, centroidMm } = maskToGrid(m, w, h, spacing, 64, 3.5);
    let sum = 0;
    for (const v of grid) {
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(1 + 1e-6);
      sum += v;
    }
    expect(sum * 3.5 * 3.5).toBeCloseTo(maskArea(m) * 0.9 * 1.1, 2);
    expect(centroidMm[0]).toBeCloseTo(120.3 * 0.9, 0);
    expect(centroidMm[1]).toBeCloseTo(95.7 * 1.1, 0);
  });

  it('puts a rectangle aligned with the cells exactly on them, centred', () => {
    // 8 × 4 px of 1 mm, grid of 2 mm cells, G = 8: the rectangle covers cells 2..5 × 3..4.
    const m = rectMask(20, 10, 4, 3, 12, 7);
    const { grid, centroidMm } = maskToGrid(m, 20, 10, { x: 1, y: 1 }, 8, 2);
    expect(centroidMm).toEqual([8, 5]);
    for (let r = 0; r < 8; r++)
      for (let c = 0; c < 8; c++)
        expect(grid[r * 8 + c]).toBeCloseTo(c >= 2 && c < 6 && r >= 3 && r < 5 ? 1 : 0, 12);
  });

  it('treats any non-zero value as spleen', () => {
    const m = rectMask(20, 10, 4, 3, 12, 7);
    const m255 = m.map((v) => v * 255);
    expect(maskToGrid(m255, 20, 10, { x: 1, y: 1 }, 8, 2).grid).toEqual(
      maskToGrid(m, 20, 10, { x: 1, y: 1 }, 8, 2).grid,
    );
  });

  it('refuses an empty mask and a mask larger than the grid', () => {
    expect(() => maskToGrid(new Uint8Array(100), 10, 10, { x: 1, y: 1 }, 8, 2)).toThrowError(
      /empty/,
    );
    const big = rectMask(500, 100, 10, 10, 468, 60); // 458 px × 0.9 mm = 41.2 cm
    try {
      maskToGrid(big, 500, 100, { x: 0.9, y: 0.9 }, 96, 3.5);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(SpvError);
      expect((e as SpvError).code).toBe('out-of-range');
      expect((e as SpvError).message).toContain('41.2 cm across');
      expect((e as SpvError).message).toContain('33.6 cm grid');
      expect((e as SpvError).message).toContain('outside the validated range');
    }
  });
});

describe('measurements', () => {
  it('measures a rectangle: Feret length along its diagonal, craniocaudal along x', () => {
    const spacing = { x: 0.5, y: 0.8 };
    const m = rectMask(50, 40, 5, 10, 35, 30); // 30 × 20 px = 15 × 16 mm
    const r = measureMask(m, 50, 40, spacing)!;
    const u = r.direction;
    expect(Math.hypot(u[0], u[1])).toBeCloseTo(1, 12);
    // The diagonal between opposite corner centres, plus one pixel's projection.
    const d = Math.hypot(29 * 0.5, 19 * 0.8);
    expect(distanceMm(r.endpoints[0], r.endpoints[1], spacing)).toBeCloseTo(d, 10);
    expect(r.lengthMm).toBeCloseTo(d + 0.5 * Math.abs(u[0]) + 0.8 * Math.abs(u[1]), 10);
    expect(r.craniocaudalMm).toBeCloseTo(15, 10);
    expect(r.areaMm2).toBeCloseTo(600 * 0.4, 10);
    // The whole rectangle lies within [length × width] in the Feret frame.
    expect(r.widthMm).toBeGreaterThan(0);
    expect(r.widthMm).toBeLessThan(r.lengthMm);
  });

  it('measures a disk: length ≈ width ≈ diameter; a pixel is one pixel long', () => {
    const r = measureMask(diskMask(101, 101, 50.5, 50.5, 40), 101, 101, { x: 0.7, y: 0.7 })!;
    expect(r.lengthMm).toBeGreaterThan(80 * 0.7 - 0.7);
    expect(r.lengthMm).toBeLessThan(80 * 0.7 + 1.5 * 0.7);
    expect(Math.abs(r.lengthMm - r.widthMm)).toBeLessThan(2 * 0.7);
    const one = new Uint8Array(9);
    one[4] = 1;
    const p = measureMask(one, 3, 3, { x: 0.4, y: 0.6 })!;
    expect(p.lengthMm).toBeCloseTo(0.4, 12);
    expect(p.widthMm).toBeCloseTo(0.6, 12);
    expect(measureMask(new Uint8Array(9), 3, 3, { x: 1, y: 1 })).toBeNull();
  });

  it('orients the Feret direction with ux > 0 and endpoints from → to', () => {
    // An anti-diagonal staircase from bottom-left to top-right.
    const w = 20;
    const m = new Uint8Array(w * w);
    for (let i = 0; i < w; i++) m[(w - 1 - i) * w + i] = 1;
    const r = measureMask(m, w, w, { x: 1, y: 1 })!;
    expect(r.direction[0]).toBeCloseTo(Math.SQRT1_2, 12);
    expect(r.direction[1]).toBeCloseTo(-Math.SQRT1_2, 12);
    expect(r.endpoints).toEqual([
      [0.5, 19.5],
      [19.5, 0.5],
    ]);
  });

  it('a horizontal line: length = n·sx, width = one pixel', () => {
    const r = measureMask(rectMask(30, 5, 3, 2, 23, 3), 30, 5, { x: 0.3, y: 2 })!;
    expect(r.lengthMm).toBeCloseTo(6, 12);
    expect(r.widthMm).toBeCloseTo(2, 12);
    expect(r.direction[1]).toBeCloseTo(0, 12);
  });

  it('convex hull drops interior and collinear points', () => {
    const hull = convexHull([
      [0, 0],
      [2, 0],
      [1, 0],
      [2, 2],
      [0, 2],
      [1, 1],
      [0, 0],
    ]);
    expect(hull).toHaveLength(4);
  });
});
