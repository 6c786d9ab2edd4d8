/**
 * The image an anonymised report may show. Ultrasound scanners burn the patient's name, id and the
 * date into the image itself, usually in a header band or a corner outside the scan sector, so an
 * anonymised report that printed the whole image would still carry them. It keeps the box around
 * the spleen (the mask and the calipers drawn on it) widened by a margin, and, where a DICOM says
 * where its ultrasound regions lie, only what is inside them; everything else is blanked. Pure.
 */
import type { CalibratedRegion } from '../api/contract';
import { maskBounds } from '../imaging/mask-bounds';

/** Margin around the spleen's box: a tenth of its larger side, at least this many pixels. */
const MIN_MARGIN_PX = 16;
const MARGIN_FRACTION = 0.1;

export interface SpleenSurroundings {
  width: number;
  height: number;
  /** Row-major mask (non-zero: spleen), or null when the view has none. */
  mask: Uint8Array | null;
  /** Points that must stay visible with their surroundings: the caliper ends on this view. */
  points: readonly (readonly [number, number])[];
  /** The image's calibrated ultrasound regions, when the file says where they are. */
  regions?: readonly CalibratedRegion[];
}

/** The inclusive pixel box kept, or null when there is nothing to keep (no mask, no points). */
export function keptBox(
  input: SpleenSurroundings,
): { x0: number; y0: number; x1: number; y1: number } | null {
  const { width, height, mask, points } = input;
  const spleen = mask ? maskBounds(mask, width, height) : null;
  let x0 = spleen?.x0 ?? Infinity;
  let y0 = spleen?.y0 ?? Infinity;
  let x1 = spleen?.x1 ?? -Infinity;
  let y1 = spleen?.y1 ?? -Infinity;
  const include = (x: number, y: number) => {
    x0 = Math.min(x0, x);
    y0 = Math.min(y0, y);
    x1 = Math.max(x1, x);
    y1 = Math.max(y1, y);
  };
  for (const [x, y] of points) include(Math.floor(x), Math.floor(y));
  if (x0 > x1) return null;
  const margin = Math.max(MIN_MARGIN_PX, Math.round(MARGIN_FRACTION * Math.max(x1 - x0, y1 - y0)));
  return {
    x0: Math.max(0, x0 - margin),
    y0: Math.max(0, y0 - margin),
    x1: Math.min(width - 1, x1 + margin),
    y1: Math.min(height - 1, y1 + margin),
  };
}

/**
 * A copy of `grey` with every pixel outside the spleen's surroundings set to black, and the share
 * of the image's pixels that were blanked (a large spleen leaves little to blank).
 */
export function blankAroundSpleen(
  grey: Uint8Array,
  input: SpleenSurroundings,
): { grey: Uint8Array; blankedShare: number } {
  const { width, height, regions } = input;
  const out = new Uint8Array(width * height);
  const box = keptBox(input);
  if (!box) return { grey: out, blankedShare: 1 };
  const inRegion = (x: number, y: number) =>
    !regions?.length || regions.some((r) => x >= r.x0 && x <= r.x1 && y >= r.y0 && y <= r.y1);
  let kept = 0;
  for (let y = box.y0; y <= box.y1; y++)
    for (let x = box.x0; x <= box.x1; x++)
      if (inRegion(x, y)) {
        out[y * width + x] = grey[y * width + x];
        kept++;
      }
  return { grey: out, blankedShare: 1 - kept / (width * height) };
}

/**
 * What the anonymised report says about its images: what was blanked, per view, and what is not
 * removed (text burned in near the spleen), so that nobody takes the images for checked.
 */
export function deidentifiedFigureNote(
  views: readonly { label: string; blankedShare: number }[],
): string {
  const shares = views
    .map((v) => `${v.label.toLowerCase()} ${Math.round(100 * v.blankedShare)}%`)
    .join(', ');
  return (
    'Anonymised: each image is shown only around the spleen and its calipers, where scanners rarely ' +
    `burn in names, ids and dates (blanked: ${shares} of the image). Text burned in within that area ` +
    'is not removed: look at the images before sharing the report.'
  );
}
