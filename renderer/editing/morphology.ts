/**
 * Whole-mask corrections: smooth, fill holes, keep the largest island, each returning a new mask
 * so the caller can store the difference as one undoable delta. Holes and islands use the same
 * definitions as the segmentation post-processing (src/imaging/components, PIPELINE §3).
 */
import { fillHoles, largestComponent } from '../../src/imaging/components';

/**
 * Smooths the outline by a majority vote over a disc of `radiusPx` pixels: a pixel becomes
 * foreground when more than half of the disc is foreground. Removes jagged brush edges and
 * thin spurs while keeping the area roughly unchanged; the result is still strictly binary.
 * One pass over a precomputed disc offset list: O(pixels × disc), ~10 ms on 1024×768 at r = 2.
 */
export function smoothMask(
  mask: Uint8Array,
  width: number,
  height: number,
  radiusPx = 2,
): Uint8Array {
  const r = Math.max(1, Math.round(radiusPx));
  const offsets: number[] = [];
  for (let dy = -r; dy <= r; dy++)
    for (let dx = -r; dx <= r; dx++) if (dx * dx + dy * dy <= r * r) offsets.push(dx, dy);
  const discSize = offsets.length / 2;
  const out = new Uint8Array(mask.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let count = 0;
      let inside = 0;
      for (let k = 0; k < offsets.length; k += 2) {
        const xx = x + offsets[k];
        const yy = y + offsets[k + 1];
        if (xx < 0 || yy < 0 || xx >= width || yy >= height) continue;
        inside++;
        count += mask[yy * width + xx] !== 0 ? 1 : 0;
      }
      // Near the border the disc is clipped: vote among the pixels that exist.
      out[y * width + x] = count * 2 > (inside || discSize) ? 1 : 0;
    }
  }
  return out;
}

export function fillMaskHoles(mask: Uint8Array, width: number, height: number): Uint8Array {
  return fillHoles(mask, width, height);
}

export function keepLargestIsland(mask: Uint8Array, width: number, height: number): Uint8Array {
  return largestComponent(mask, width, height);
}
