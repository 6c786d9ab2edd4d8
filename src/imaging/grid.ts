/**
 * The mask on the RVAE's physical grid (PIPELINE §4): G × G cells of g mm, centred on the mask's
 * centroid, each holding the fraction of its area the mask covers. Absolute size survives (volume
 * depends on it), so a mask too large for the grid is refused, never scaled.
 */
import { SpvError } from '../api/errors';
import { maskBounds, type MaskBounds } from './mask-bounds';
import { applySeparable, overlapWeights } from './resample';
import type { Spacing } from './types';

export interface GridResult {
  /** G × G, row-major (row = depth), values in [0, 1]. */
  grid: Float32Array;
  /** The mask's centroid in mm from the image's top-left corner, [x, y]. */
  centroidMm: [number, number];
}

function formatCm(mm: number): string {
  return (mm / 10).toFixed(1);
}

/**
 * Resamples a 0/1 mask (non-zero = spleen) with pixel spacing `spacing` onto the G × G grid of
 * `gridSpacingMm` mm cells. Throws SpvError('bad-input') for an empty mask and
 * SpvError('out-of-range') when any mask pixel lies, even partly, outside the grid. `bounds`, when
 * given, must be maskBounds of this very mask: a caller that also needs it (outlineDefects on the
 * same view) scans the mask once for both.
 */
export function maskToGrid(
  mask: Uint8Array,
  w: number,
  h: number,
  spacing: Spacing,
  gridSize: number,
  gridSpacingMm: number,
  bounds?: MaskBounds | null,
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
  // Scanned here rather than as a default parameter: only once the size is known to be right.
  const fg = bounds === undefined ? maskBounds(mask, w, h) : bounds;
  if (!fg) {
    throw new SpvError(
      'bad-input',
      'The mask is empty: draw the spleen (or run the segmentation) before estimating its volume.',
    );
  }
  const sx = spacing.x;
  const sy = spacing.y;
  const cx = (sx * fg.sumX) / fg.count;
  const cy = (sy * fg.sumY) / fg.count;
  const half = (gridSize / 2) * gridSpacingMm;

  // Fit check on the mask's bounding box of pixel squares, relative to the centred grid.
  const left = fg.x0 * sx;
  const right = (fg.x1 + 1) * sx;
  const top = fg.y0 * sy;
  const bottom = (fg.y1 + 1) * sy;
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
  if (!fg.zeroOne) {
    binaryMask = new Uint8Array(mask.length);
    for (let i = 0; i < mask.length; i++) binaryMask[i] = mask[i] !== 0 ? 1 : 0;
  }
  // Cell j along x covers [cx + (j − G/2)·g, …) mm = [(cx − G/2·g)/sx + j·g/sx, …) in pixel units.
  const wx = overlapWeights(w, gridSize, (cx - half) / sx, gridSpacingMm / sx);
  const wy = overlapWeights(h, gridSize, (cy - half) / sy, gridSpacingMm / sy);
  const grid = new Float32Array(gridSize * gridSize);
  applySeparable(binaryMask, wx, wy, grid, gridSize, 0, 0, fg.y0, fg.y1 + 1);
  return { grid, centroidMm: [cx, cy] };
}
