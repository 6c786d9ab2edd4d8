/**
 * Connected components and holes of binary masks (PIPELINE §3): the segmentation keeps its
 * largest 8-connected island and fills holes (background not 4-connected to the image border).
 * Flood fills use one explicit Int32Array stack: no recursion, no per-pixel allocation.
 */
import { maskBounds, type MaskBounds } from './mask-bounds';

/** Number of foreground (non-zero) pixels. */
export function maskArea(mask: Uint8Array): number {
  let count = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i] !== 0) count++;
  return count;
}

/**
 * Flood-fills from `seed` over unlabelled pixels whose mask value is non-zero (`foreground`) or
 * zero (background), with 8- or 4-connectivity, writing `label` into `labels`. Returns the region
 * size. Neighbours are written out rather than looped over: this runs once per pixel.
 */
function floodFrom(
  mask: Uint8Array,
  labels: Int32Array,
  stack: Int32Array,
  seed: number,
  label: number,
  w: number,
  h: number,
  foreground: boolean,
  eight: boolean,
): number {
  let top = 0;
  let size = 0;
  const visit = (q: number): void => {
    if (labels[q] === 0 && (mask[q] !== 0) === foreground) {
      labels[q] = label;
      stack[top++] = q;
    }
  };
  labels[seed] = label;
  stack[top++] = seed;
  while (top > 0) {
    const p = stack[--top];
    size++;
    const x = p % w;
    const up = p >= w;
    const down = p < (h - 1) * w;
    const left = x > 0;
    const right = x < w - 1;
    if (up) visit(p - w);
    if (down) visit(p + w);
    if (left) visit(p - 1);
    if (right) visit(p + 1);
    if (eight) {
      if (up && left) visit(p - w - 1);
      if (up && right) visit(p - w + 1);
      if (down && left) visit(p + w - 1);
      if (down && right) visit(p + w + 1);
    }
  }
  return size;
}

/** Keeps the largest 8-connected component (the first in raster order on a tie); 0/1 output. */
export function largestComponent(mask: Uint8Array, w: number, h: number): Uint8Array {
  const n = w * h;
  const labels = new Int32Array(n);
  const stack = new Int32Array(n);
  let bestLabel = 0;
  let bestSize = 0;
  let label = 0;
  for (let i = 0; i < n; i++) {
    if (mask[i] === 0 || labels[i] !== 0) continue;
    label++;
    const size = floodFrom(mask, labels, stack, i, label, w, h, true, true);
    if (size > bestSize) {
      bestSize = size;
      bestLabel = label;
    }
  }
  const out = new Uint8Array(n);
  if (bestLabel === 0) return out;
  for (let i = 0; i < n; i++) out[i] = labels[i] === bestLabel ? 1 : 0;
  return out;
}

/** Fills holes: background pixels not 4-connected to the image border become foreground; 0/1 output. */
export function fillHoles(mask: Uint8Array, w: number, h: number): Uint8Array {
  const n = w * h;
  const reached = new Int32Array(n);
  const stack = new Int32Array(n);
  const seed = (i: number): void => {
    if (reached[i] === 0 && mask[i] === 0)
      floodFrom(mask, reached, stack, i, 1, w, h, false, false);
  };
  for (let x = 0; x < w; x++) {
    seed(x);
    seed((h - 1) * w + x);
  }
  for (let y = 0; y < h; y++) {
    seed(y * w);
    seed(y * w + w - 1);
  }
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = reached[i] === 0 ? 1 : 0;
  return out;
}

/** True when any foreground pixel lies on the first/last row or column (the organ may be cut off). */
export function touchesBorder(mask: Uint8Array, w: number, h: number): boolean {
  for (let x = 0; x < w; x++) if (mask[x] !== 0 || mask[(h - 1) * w + x] !== 0) return true;
  for (let y = 0; y < h; y++) if (mask[y * w] !== 0 || mask[y * w + w - 1] !== 0) return true;
  return false;
}

/** The post-processing of PIPELINE §3 in one call: largest 8-connected island, then holes filled. */
export function cleanMask(mask: Uint8Array, w: number, h: number): Uint8Array {
  return fillHoles(largestComponent(mask, w, h), w, h);
}

/**
 * What keeps a mask from being one solid outline: its number of 8-connected pieces and the pixels
 * of its holes (background not 4-connected to the outside). The RVAE learnt from solid single
 * outlines, so an edit that leaves either changes the volume in ways it was never trained for
 * (erasing a hole can raise it). Computed on the mask's bounding box widened by one pixel, so a
 * live re-estimate pays for the spleen, not for the whole image. `bounds`, when given, must be
 * maskBounds of this very mask (the estimator's one scan, shared with maskToGrid).
 */
export function outlineDefects(
  mask: Uint8Array,
  w: number,
  h: number,
  bounds: MaskBounds | null = maskBounds(mask, w, h),
): { pieces: number; holePixels: number } {
  if (!bounds) return { pieces: 0, holePixels: 0 };
  const { x0, y0, x1, y1 } = bounds;
  // The box with a one-pixel empty frame: the outside stays connected all around.
  const bw = x1 - x0 + 3;
  const bh = y1 - y0 + 3;
  const box = new Uint8Array(bw * bh);
  for (let y = y0; y <= y1; y++)
    for (let x = x0; x <= x1; x++) box[(y - y0 + 1) * bw + (x - x0 + 1)] = mask[y * w + x] ? 1 : 0;
  const labels = new Int32Array(bw * bh);
  const stack = new Int32Array(bw * bh);
  let pieces = 0;
  for (let i = 0; i < box.length; i++)
    if (box[i] !== 0 && labels[i] === 0)
      floodFrom(box, labels, stack, i, ++pieces, bw, bh, true, true);
  return { pieces, holePixels: maskArea(fillHoles(box, bw, bh)) - maskArea(box) };
}
