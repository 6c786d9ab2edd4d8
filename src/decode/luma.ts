/** Interleaved 8-bit pixels → grey levels (PIPELINE §1): RGB(A) by 0.299 R + 0.587 G + 0.114 B, alpha ignored. */
import type { GreyImage } from '../imaging/types';

export function greyFromInterleaved(
  pixels: ArrayLike<number>,
  width: number,
  height: number,
  channels: number,
): GreyImage {
  const n = width * height;
  const data = new Float32Array(n);
  if (channels <= 2) {
    // Grey or grey + alpha.
    for (let i = 0; i < n; i++) data[i] = pixels[i * channels];
  } else {
    for (let i = 0, p = 0; i < n; i++, p += channels) {
      data[i] = 0.299 * pixels[p] + 0.587 * pixels[p + 1] + 0.114 * pixels[p + 2];
    }
  }
  return { width, height, data };
}
