/**
 * Turns masks into the RGBA overlay the viewer draws over the image: a filled mask, its outline
 * only, or the AI mask against the current one (kept / added by the reader / removed by the
 * reader in three colours). Pure pixel work on an RGBA buffer, redrawn only inside a dirty
 * rectangle while painting so a stroke costs O(brush area) per pointer move.
 */
import type { DirtyRect } from './brush';

export type OverlayMode = 'fill' | 'outline' | 'compare';

export interface OverlayStyle {
  mode: OverlayMode;
  /** 0..1, the fill opacity slider. */
  opacity: number;
}

type Rgb = readonly [number, number, number];
export const MASK_COLOUR: Rgb = [255, 196, 0];
export const ADDED_COLOUR: Rgb = [64, 220, 96];
export const REMOVED_COLOUR: Rgb = [255, 64, 64];

function isEdge(mask: Uint8Array, width: number, height: number, x: number, y: number): boolean {
  const i = y * width + x;
  if (mask[i] === 0) return false;
  // A foreground pixel with a 4-neighbour outside the mask (or the image) is on the outline.
  return (
    x === 0 ||
    y === 0 ||
    x === width - 1 ||
    y === height - 1 ||
    mask[i - 1] === 0 ||
    mask[i + 1] === 0 ||
    mask[i - width] === 0 ||
    mask[i + width] === 0
  );
}

/**
 * Writes the overlay for `rect` (inclusive; the whole image when omitted) into `rgba`
 * (width × height × 4). The outline needs one pixel of context, so callers pass a rect grown by 1.
 */
export function renderOverlay(
  rgba: Uint8ClampedArray,
  current: Uint8Array,
  ai: Uint8Array | null,
  width: number,
  height: number,
  style: OverlayStyle,
  rect?: DirtyRect,
): void {
  const x0 = Math.max(0, rect?.x0 ?? 0);
  const y0 = Math.max(0, rect?.y0 ?? 0);
  const x1 = Math.min(width - 1, rect?.x1 ?? width - 1);
  const y1 = Math.min(height - 1, rect?.y1 ?? height - 1);
  const fillAlpha = Math.round(Math.min(1, Math.max(0, style.opacity)) * 255);
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const i = y * width + x;
      const o = i * 4;
      let colour: Rgb | null = null;
      let alpha = 0;
      if (style.mode === 'compare' && ai) {
        const inAi = ai[i] !== 0;
        const inCurrent = current[i] !== 0;
        if (inAi && inCurrent) colour = MASK_COLOUR;
        else if (inCurrent) colour = ADDED_COLOUR;
        else if (inAi) colour = REMOVED_COLOUR;
        alpha = colour ? Math.max(fillAlpha, 96) : 0;
      } else if (style.mode === 'outline') {
        if (isEdge(current, width, height, x, y)) {
          colour = MASK_COLOUR;
          alpha = 255;
        }
      } else if (current[i] !== 0) {
        colour = MASK_COLOUR;
        // The outline stays opaque so the boundary remains visible at low fill opacity.
        alpha = isEdge(current, width, height, x, y) ? 255 : fillAlpha;
      }
      if (colour) {
        rgba[o] = colour[0];
        rgba[o + 1] = colour[1];
        rgba[o + 2] = colour[2];
        rgba[o + 3] = alpha;
      } else {
        rgba[o + 3] = 0;
      }
    }
  }
}

export function growRect(rect: DirtyRect, by: number, width: number, height: number): DirtyRect {
  return {
    x0: Math.max(0, rect.x0 - by),
    y0: Math.max(0, rect.y0 - by),
    x1: Math.min(width - 1, rect.x1 + by),
    y1: Math.min(height - 1, rect.y1 + by),
  };
}

/** Centroid of the mask in millimetres (PIPELINE §4), to place the decoder's grid over the image. */
export function maskCentroidMm(
  mask: Uint8Array,
  width: number,
  height: number,
  sx: number,
  sy: number,
): [number, number] | null {
  let n = 0;
  let sumX = 0;
  let sumY = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (mask[y * width + x] !== 0) {
        n++;
        sumX += x + 0.5;
        sumY += y + 0.5;
      }
    }
  }
  return n === 0 ? null : [(sx * sumX) / n, (sy * sumY) / n];
}
