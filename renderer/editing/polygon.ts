/**
 * Polygon and lasso fill: every pixel whose centre lies inside the polygon (even–odd rule) is set
 * to the given value — add (1) or cut (0). Scanline over the polygon's rows; O(rows × edges).
 */
import type { DirtyRect } from './brush';
import type { StrokeRecorder } from './delta';

export type Point = readonly [number, number];

export function fillPolygon(
  recorder: StrokeRecorder,
  width: number,
  height: number,
  points: readonly Point[],
  value: 0 | 1,
): DirtyRect | null {
  if (points.length < 3) return null;
  let minY = Infinity;
  let maxY = -Infinity;
  for (const [, y] of points) {
    minY = Math.min(minY, y);
    maxY = Math.max(maxY, y);
  }
  const y0 = Math.max(0, Math.ceil(minY - 0.5));
  const y1 = Math.min(height - 1, Math.floor(maxY - 0.5));
  let dirty: DirtyRect | null = null;
  const crossings: number[] = [];
  for (let y = y0; y <= y1; y++) {
    const cy = y + 0.5;
    crossings.length = 0;
    for (let k = 0; k < points.length; k++) {
      const [xa, ya] = points[k];
      const [xb, yb] = points[(k + 1) % points.length];
      // Half-open rule on y so a vertex exactly on the scanline is counted once.
      if ((ya <= cy && yb > cy) || (yb <= cy && ya > cy)) {
        crossings.push(xa + ((cy - ya) / (yb - ya)) * (xb - xa));
      }
    }
    crossings.sort((p, q) => p - q);
    for (let k = 0; k + 1 < crossings.length; k += 2) {
      // Pixel centres x + 0.5 inside [left, right).
      const xs = Math.max(0, Math.ceil(crossings[k] - 0.5));
      const xe = Math.min(width - 1, Math.ceil(crossings[k + 1] - 0.5) - 1);
      for (let x = xs; x <= xe; x++) recorder.set(y * width + x, value);
      if (xs <= xe) {
        dirty = dirty
          ? {
              x0: Math.min(dirty.x0, xs),
              y0: Math.min(dirty.y0, y),
              x1: Math.max(dirty.x1, xe),
              y1: Math.max(dirty.y1, y),
            }
          : { x0: xs, y0: y, x1: xe, y1: y };
      }
    }
  }
  return dirty;
}
