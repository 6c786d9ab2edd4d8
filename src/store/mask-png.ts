/**
 * Masks are stored as compact PNGs: a two-colour palette (libvips writes 1 bit per pixel for 2 colours), so a 384×320 mask
 * takes a few hundred bytes instead of 120 kB, and any image tool can open a stored version.
 */
import sharp from 'sharp';
import { SpvError } from '../api/errors';

export async function encodeMaskPng(
  mask: Uint8Array,
  width: number,
  height: number,
): Promise<Buffer> {
  if (mask.length !== width * height) {
    throw new SpvError(
      'bad-input',
      `A ${width}×${height} mask needs ${width * height} pixels, got ${mask.length}.`,
    );
  }
  const grey = Buffer.alloc(mask.length);
  for (let i = 0; i < mask.length; i++) grey[i] = mask[i] ? 255 : 0;
  return sharp(grey, { raw: { width, height, channels: 1 } })
    .png({ palette: true, colours: 2, dither: 0, compressionLevel: 9 })
    .toBuffer();
}

export async function decodeMaskPng(
  png: Buffer,
): Promise<{ mask: Uint8Array; width: number; height: number }> {
  const { data, info } = await sharp(png)
    .extractChannel(0)
    .raw()
    .toBuffer({ resolveWithObject: true });
  const mask = new Uint8Array(info.width * info.height);
  for (let i = 0; i < mask.length; i++) mask[i] = data[i] >= 128 ? 1 : 0;
  return { mask, width: info.width, height: info.height };
}
