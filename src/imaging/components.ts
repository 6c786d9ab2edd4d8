/**
 * Connected components and holes of binary masks (PIPELINE §3): the segmentation keeps its
 * largest 8-connected island and fills holes (background not 4-connected to the image border).
 * Flood fills use one explicit Int32Array stack: no recursion, no per-pixel allocation.
 */

/** Number of foreground (non-zero) pixels. */
export function maskArea(mask: Uint8Array): number {
  let count = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i] !== 0) count++;
  return count;
}

/**
 * Flood-fills from `seed` over unlabelled pixels for which `inside(i)` holds, with 4- or
 * 8-connectivity, writing `label` into `labels`. Returns the size of the region.
 */
function floodFrom(
  labels: Int32Array,
  stack: Int32Array,
  seed: number,
  label: number,
  w: number,
  h: number,
  inside: (i: number) => boolean,
  eight: boolean,
): number {
  let top = 0;
  let size = 0;
  stack[top++] = seed;
  labels[seed] = label;
  while (top > 0) {
    const p = stack[--top];
    size++;
    const x = p % w;
    const y = (p - x) / w;
    for (let dy = -1; dy <= 1; dy++) {
      const ny = y + dy;
      if (ny < 0 || ny >= h) continue;
      for (let dx = -1; dx <= 1; dx++) {
        if (dx === 0 && dy === 0) continue;
        if (!eight && dx !== 0 && dy !== 0) continue;
        const nx = x + dx;
        if (nx < 0 || nx >= w) continue;
        const q = ny * w + nx;
        if (labels[q] === 0 && inside(q)) {
          labels[q] = label;
          stack[top++] = q;
        }
      }
    }
  }
  return size;
}

/** Keeps the largest 8-connected component (the first in raster order on a tie); 0/1 output. */
export function largestComponent(mask: Uint8Array, w: number, h: number): Uint8Array {
  const n = w * h;
  const labels = new Int32Array(n);
  const stack = new Int32Array(n);
  const inside = (i: number): boolean => mask[i] !== 0;
  let bestLabel = 0;
  let bestSize = 0;
  let label = 0;
  for (let i = 0; i < n; i++) {
    if (mask[i] === 0 || labels[i] !== 0) continue;
    label++;
    const size = floodFrom(labels, stack, i, label, w, h, inside, true);
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
  const background = (i: number): boolean => mask[i] === 0;
  const seed = (i: number): void => {
    if (reached[i] === 0 && background(i)) floodFrom(reached, stack, i, 1, w, h, background, false);
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
