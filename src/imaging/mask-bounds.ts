/**
 * The bounding box of a mask's foreground (non-zero pixels), found in one pass, with what that
 * same pass gets for free: the pixel count, the sums of the pixel centres (for a centroid) and
 * whether the mask holds only 0 and 1. One scan for every caller, so that a live re-estimate does
 * not scan the image once per helper.
 */

export interface MaskBounds {
  /** The box, inclusive, in pixels: x0 ≤ x ≤ x1, y0 ≤ y ≤ y1. */
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  /** Foreground pixels. */
  count: number;
  /**
   * Σ (x + 0.5) and Σ (y + 0.5) over the foreground: the centroid is sumX / count, sumY / count
   * (pixel units). Sums of half-integers, so exact in a double for any image size we accept.
   */
  sumX: number;
  sumY: number;
  /** True when every foreground pixel is exactly 1 (a 0/1 mask, not 0/255). */
  zeroOne: boolean;
}

/** The foreground's bounds of a w × h row-major mask; null when the mask has no foreground. */
export function maskBounds(mask: Uint8Array, w: number, h: number): MaskBounds | null {
  let x0 = w;
  let x1 = -1;
  let y0 = h;
  let y1 = -1;
  let count = 0;
  let sumX = 0;
  let sumY = 0;
  let zeroOne = true;
  for (let y = 0; y < h; y++) {
    const row = y * w;
    let rowCount = 0;
    for (let x = 0; x < w; x++) {
      const v = mask[row + x];
      if (v === 0) continue;
      if (v !== 1) zeroOne = false;
      rowCount++;
      sumX += x + 0.5;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
    }
    // Rows are per-row work only when they hold foreground: y bounds and sums need no per-pixel test.
    if (rowCount > 0) {
      count += rowCount;
      sumY += rowCount * (y + 0.5);
      if (y < y0) y0 = y;
      y1 = y;
    }
  }
  return count === 0 ? null : { x0, y0, x1, y1, count, sumX, sumY, zeroOne };
}
