/**
 * Lengths a sonographer would report, measured on a mask (PIPELINE §7): the Feret length along
 * the direction of the two farthest pixel centres, the extent across it, the craniocaudal extent
 * along the image x axis, and the area. Extents count whole pixel squares, so a one-pixel mask is
 * one pixel long.
 */
import type { PixelPoint, Spacing } from './types';

export interface MaskMeasurements {
  /** Feret length (mm): extent along the direction of the farthest pair of pixel centres. */
  lengthMm: number;
  /** Extent (mm) along the perpendicular of the Feret direction. */
  widthMm: number;
  /** Extent (mm) along the image x axis (Yetter's cranio-caudal length on a coronal view). */
  craniocaudalMm: number;
  areaMm2: number;
  /** Unit Feret direction in mm space, [ux, uy], with ux > 0 (or ux = 0 and uy > 0). */
  direction: [number, number];
  /** The Feret pair as pixel-centre coordinates (pixel (i, j) → (i + 0.5, j + 0.5)), from → to along `direction`. */
  endpoints: [PixelPoint, PixelPoint];
}

function cross(o: PixelPoint, a: PixelPoint, b: PixelPoint): number {
  return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
}

/**
 * Convex hull (Andrew's monotone chain), counter-clockwise in a y-up frame, without collinear
 * points. Returns the distinct points themselves when there are fewer than three.
 */
export function convexHull(points: readonly PixelPoint[]): PixelPoint[] {
  const sorted = [...points].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const unique: PixelPoint[] = [];
  for (const p of sorted) {
    const last = unique[unique.length - 1];
    if (!last || last[0] !== p[0] || last[1] !== p[1]) unique.push(p);
  }
  if (unique.length < 3) return unique;
  const lower: PixelPoint[] = [];
  for (const p of unique) {
    while (lower.length >= 2 && cross(lower[lower.length - 2], lower[lower.length - 1], p) <= 0)
      lower.pop();
    lower.push(p);
  }
  const upper: PixelPoint[] = [];
  for (let i = unique.length - 1; i >= 0; i--) {
    const p = unique[i];
    while (upper.length >= 2 && cross(upper[upper.length - 2], upper[upper.length - 1], p) <= 0)
      upper.pop();
    upper.push(p);
  }
  lower.pop();
  upper.pop();
  return lower.concat(upper);
}

/** Caliper distance in mm between two points given in pixel coordinates. */
export function distanceMm(a: PixelPoint, b: PixelPoint, spacing: Spacing): number {
  return Math.hypot((b[0] - a[0]) * spacing.x, (b[1] - a[1]) * spacing.y);
}

/**
 * Pixel centres that can be hull vertices: the leftmost and rightmost mask pixel of each row
 * (every other pixel of a row lies between them, so it is never a vertex).
 */
function rowExtremeCentres(mask: Uint8Array, w: number, h: number): PixelPoint[] {
  const points: PixelPoint[] = [];
  for (let y = 0; y < h; y++) {
    const row = y * w;
    let first = -1;
    let last = -1;
    for (let x = 0; x < w; x++) {
      if (mask[row + x] !== 0) {
        if (first < 0) first = x;
        last = x;
      }
    }
    if (first < 0) continue;
    points.push([first + 0.5, y + 0.5]);
    if (last !== first) points.push([last + 0.5, y + 0.5]);
  }
  return points;
}

/** Extent (mm) of the pixel squares centred on `points` (pixel units) along the unit mm-space direction u. */
export function extentAlong(
  points: readonly PixelPoint[],
  u: [number, number],
  spacing: Spacing,
): number {
  let lo = Infinity;
  let hi = -Infinity;
  for (const p of points) {
    const t = p[0] * spacing.x * u[0] + p[1] * spacing.y * u[1];
    if (t < lo) lo = t;
    if (t > hi) hi = t;
  }
  return hi - lo + spacing.x * Math.abs(u[0]) + spacing.y * Math.abs(u[1]);
}

/** Measures a 0/1 mask (non-zero = spleen); null when the mask is empty. */
export function measureMask(
  mask: Uint8Array,
  w: number,
  h: number,
  spacing: Spacing,
): MaskMeasurements | null {
  const candidates = rowExtremeCentres(mask, w, h);
  if (candidates.length === 0) return null;
  const hull = convexHull(candidates);

  // The farthest pair lies on the hull; hulls of masks have few vertices, so all pairs are cheap.
  let best = -1;
  let a = hull[0];
  let b = hull[0];
  for (let i = 0; i < hull.length; i++) {
    for (let j = i + 1; j < hull.length; j++) {
      const dx = (hull[j][0] - hull[i][0]) * spacing.x;
      const dy = (hull[j][1] - hull[i][1]) * spacing.y;
      const d2 = dx * dx + dy * dy;
      if (d2 > best) {
        best = d2;
        a = hull[i];
        b = hull[j];
      }
    }
  }
  let direction: [number, number] = [1, 0]; // a single pixel: measure along the image x axis
  if (best > 0) {
    // One sign convention on both sides (Python's measure_mask too): ux > 0, or ux = 0 and uy > 0.
    if (b[0] < a[0] || (b[0] === a[0] && b[1] < a[1])) [a, b] = [b, a];
    const length = Math.sqrt(best);
    direction = [((b[0] - a[0]) * spacing.x) / length, ((b[1] - a[1]) * spacing.y) / length];
  }
  const perpendicular: [number, number] = [-direction[1], direction[0]];

  let area = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i] !== 0) area++;

  return {
    lengthMm: extentAlong(hull, direction, spacing),
    widthMm: extentAlong(hull, perpendicular, spacing),
    craniocaudalMm: extentAlong(hull, [1, 0], spacing),
    areaMm2: area * spacing.x * spacing.y,
    direction,
    endpoints: [
      [a[0], a[1]],
      [b[0], b[1]],
    ],
  };
}
