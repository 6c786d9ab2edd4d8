/**
 * The mask on the RVAE's physical grid (PIPELINE §4): G × G cells of g mm, centred on the mask's
 * centroid, each holding the fraction of its area the mask covers. Absolute size survives (volume
 * depends on it), so a mask too large for the grid is refused, never scaled.
 */
import { SpvError } from '../api/errors';
import { applySeparable, overlapWeights } from './resample';
import type { Spacing } from './types';

export interface GridResult {
  /** G × G, row-major (row = depth), values in [0, 1]. */
  grid: Float32Array;
  /** The mask's centroid in mm from the image's top-left corner, [x, y]. */
  centroidMm: [number, number];
}

interface MaskStats {
  count: number;
  sumX: number;
  sumY: number;
  minX: number;
  maxX: number;
  minY: number;
  maxY: number;
  binary: boolean;
}

function maskStats(mask: Uint8Array, w: number, h: number): MaskStats {
  const stats: MaskStats = {
    count: 0,
    sumX: 0,
    sumY: 0,
    minX: w,
    maxX: -1,
    minY: h,
    maxY: -1,
    binary: true,
  };
  for (let y = 0; y < h; y++) {
    const row = y * w;
    let rowCount = 0;
    for (let x = 0; x < w; x++) {
      const v = mask[row + x];
      if (v === 0) continue;
      if (v !== 1) stats.binary = false;
      rowCount++;
      stats.sumX += x + 0.5;
      if (x < stats.minX) stats.minX = x;
      if (x > stats.maxX) stats.maxX = x;
    }
    if (rowCount > 0) {
      stats.count += rowCount;
      stats.sumY += rowCount * (y + 0.5);
      if (y < stats.minY) stats.minY = y;
      stats.maxY = y;
    }
  }
  return stats;
}

function formatCm(mm: number): string {
  return (mm / 10).toFixed(1);
}

/**
 * Resamples a 0/1 mask (non-zero = spleen) with pixel spacing `spacing` onto the G × G grid of
 * `gridSpacingMm` mm cells. Throws SpvError('bad-input') for an empty mask and
 * SpvError('out-of-range') when any mask pixel lies, even partly, outside the grid.
 */
export function maskToGrid(
  mask: Uint8Array,
  w: number,
  h: number,
  spacing: Spacing,
  gridSize: number,
  gridSpacingMm: number,
): GridResult {
  if (mask.length !== w * h) {
    throw new SpvError(
      'bad-input',
      `The mask has ${mask.length} pixels but the image is ${w}×${h}; resend a mask of the image's size.`,
    );
  }
  if (!(spacing.x > 0 && spacing.y > 0)) {
    throw new SpvError(
      'bad-input',
      `The pixel spacing ${spacing.x}×${spacing.y} mm is not positive; calibrate the image first.`,
    );
  }
  const stats = maskStats(mask, w, h);
  if (stats.count === 0) {
    throw new SpvError(
      'bad-input',
      'The mask is empty: draw the spleen (or run the segmentation) before estimating its volume.',
    );
  }
  const sx = spacing.x;
  const sy = spacing.y;
  const cx = (sx * stats.sumX) / stats.count;
  const cy = (sy * stats.sumY) / stats.count;
  const half = (gridSize / 2) * gridSpacingMm;

  // Fit check on the mask's bounding box of pixel squares, relative to the centred grid.
  const left = stats.minX * sx;
  const right = (stats.maxX + 1) * sx;
  const top = stats.minY * sy;
  const bottom = (stats.maxY + 1) * sy;
  if (left < cx - half || right > cx + half || top < cy - half || bottom > cy + half) {
    const across = Math.max(right - left, bottom - top);
    const reach = Math.max(cx - left, right - cx, cy - top, bottom - cy);
    throw new SpvError(
      'out-of-range',
      `The spleen mask is ${formatCm(across)} cm across and reaches ${formatCm(reach)} cm from its centre, ` +
        `outside the validated range (${formatCm(2 * half)} cm grid, ${formatCm(half)} cm each side of the centre). ` +
        'Check the calibration and the mask; the model is not used outside the range it was validated on.',
    );
  }

  let binaryMask = mask;
  if (!stats.binary) {
    binaryMask = new Uint8Array(mask.length);
    for (let i = 0; i < mask.length; i++) binaryMask[i] = mask[i] !== 0 ? 1 : 0;
  }
  // Cell j along x covers [cx + (j − G/2)·g, …) mm = [(cx − G/2·g)/sx + j·g/sx, …) in pixel units.
  const wx = overlapWeights(w, gridSize, (cx - half) / sx, gridSpacingMm / sx);
  const wy = overlapWeights(h, gridSize, (cy - half) / sy, gridSpacingMm / sy);
  const grid = new Float32Array(gridSize * gridSize);
  applySeparable(binaryMask, wx, wy, grid, gridSize, 0, 0, stats.minY, stats.maxY + 1);
  return { grid, centroidMm: [cx, cy] };
}
