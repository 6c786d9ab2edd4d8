/**
 * Brush and eraser rasterisation with hard binary edges: a pixel is painted when its centre lies
 * inside the brush ellipse (round in millimetres, so elliptic in pixels when the spacing is
 * anisotropic). A pointer move paints the swept capsule between two positions so fast strokes
 * leave no gaps.
 */
import type { StrokeRecorder } from './delta';

export interface BrushShape {
  /** Brush radius in pixels along x and y (radius in mm / spacing). */
  rx: number;
  ry: number;
}

export function brushShape(diameterMm: number, spacingX: number, spacingY: number): BrushShape {
  return {
    rx: Math.max(0.5, diameterMm / 2 / spacingX),
    ry: Math.max(0.5, diameterMm / 2 / spacingY),
  };
}

/** Pixel bounds touched by a segment, for a partial overlay redraw. */
export interface DirtyRect {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/**
 * Paints (value 1) or erases (value 0) the capsule swept by the brush from `a` to `b` (image pixel
 * coordinates, continuous: pixel (i, j) has its centre at (i + 0.5, j + 0.5)).
 * Returns the dirty rectangle (inclusive), or null when it lies outside the image.
 */
export function paintSegment(
  recorder: StrokeRecorder,
  width: number,
  height: number,
  a: readonly [number, number],
  b: readonly [number, number],
  shape: BrushShape,
  value: 0 | 1,
): DirtyRect | null {
  const { rx, ry } = shape;
  const x0 = Math.max(0, Math.floor(Math.min(a[0], b[0]) - rx));
  const x1 = Math.min(width - 1, Math.ceil(Math.max(a[0], b[0]) + rx));
  const y0 = Math.max(0, Math.floor(Math.min(a[1], b[1]) - ry));
  const y1 = Math.min(height - 1, Math.ceil(Math.max(a[1], b[1]) + ry));
  if (x0 > x1 || y0 > y1) return null;
  // Work in a space where the brush is a unit circle: distance from the pixel centre to the segment.
  const ax = a[0] / rx;
  const ay = a[1] / ry;
  const dx = b[0] / rx - ax;
  const dy = b[1] / ry - ay;
  const len2 = dx * dx + dy * dy;
  for (let y = y0; y <= y1; y++) {
    const py = (y + 0.5) / ry - ay;
    const row = y * width;
    for (let x = x0; x <= x1; x++) {
      const px = (x + 0.5) / rx - ax;
      let t = len2 > 0 ? (px * dx + py * dy) / len2 : 0;
      t = t < 0 ? 0 : t > 1 ? 1 : t;
      const ex = px - t * dx;
      const ey = py - t * dy;
      if (ex * ex + ey * ey <= 1) recorder.set(row + x, value);
    }
  }
  return { x0, y0, x1, y1 };
}
