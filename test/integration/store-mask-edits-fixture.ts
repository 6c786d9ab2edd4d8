/** Corrections a reader makes to a stored case's masks, for the store's integration tests. */
import { decodeMaskRle, encodeMaskRle } from '../../src/imaging/mask-codec';
import type { MaskRle, Masks } from '../../src/api/contract';

/** Clears the first `n` foreground pixels: a small correction. */
export function trimmed(rle: MaskRle, n: number): MaskRle {
  const mask = decodeMaskRle(rle);
  for (let i = 0, cut = 0; i < mask.length && cut < n; i++) {
    if (mask[i]) {
      mask[i] = 0;
      cut++;
    }
  }
  return encodeMaskRle(mask, rle.width, rle.height);
}

/** The mask with its last row of set pixels cleared: a small correction at the outline's edge. */
export function withoutLastRow(rle: MaskRle): MaskRle {
  const mask = decodeMaskRle(rle);
  for (let y = rle.height - 1; y >= 0; y--) {
    const row = mask.subarray(y * rle.width, (y + 1) * rle.width);
    if (row.includes(1)) {
      row.fill(0);
      break;
    }
  }
  return encodeMaskRle(mask, rle.width, rle.height);
}

/** The masks with the coronal one replaced. */
export const withCoronal = (masks: Masks, coronal: MaskRle): Masks => ({ ...masks, coronal });
