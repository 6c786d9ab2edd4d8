/**
 * PNG and JPEG through sharp (libvips). sharp hands back raw 8-bit channels and the grey level is
 * computed here with PIPELINE §1's weights, because sharp's own greyscale uses other coefficients
 * than the Python side.
 */
import sharp from 'sharp';
import type { GreyImage } from '../imaging/types';
import { asDecodeError, badInput, checkImageSize, MAX_IMAGE_SIDE } from './bad-input';
import { greyFromInterleaved } from './luma';

export async function decodeRaster(
  buf: Buffer,
  name: string,
  format: 'png' | 'jpeg',
): Promise<GreyImage> {
  const label = format.toUpperCase();
  try {
    // failOn 'warning': a truncated or damaged file is refused rather than half-decoded.
    const options = {
      failOn: 'warning' as const,
      limitInputPixels: MAX_IMAGE_SIDE * MAX_IMAGE_SIDE,
    };
    const meta = await sharp(buf, options).metadata();
    if (meta.format !== format) {
      throw badInput(
        name,
        `the file is not a valid ${label} image`,
        `Open a ${label}, PNG, JPEG or DICOM file.`,
      );
    }
    checkImageSize(name, meta.width ?? 0, meta.height ?? 0);
    const { data, info } = await sharp(buf, options)
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    if (data.length < info.width * info.height * info.channels) {
      throw badInput(
        name,
        'the decoded pixel data is shorter than the image',
        'The file is corrupt; export the image again.',
      );
    }
    return greyFromInterleaved(data, info.width, info.height, info.channels);
  } catch (error) {
    throw asDecodeError(error, name, label);
  }
}

/** An 8-bit greyscale PNG of the image (grey levels rounded and clamped to 0..255), for the UI. */
export async function encodeGreyPng(img: GreyImage): Promise<Buffer> {
  const bytes = Buffer.alloc(img.width * img.height);
  for (let i = 0; i < bytes.length; i++) {
    const v = Math.round(img.data[i]);
    bytes[i] = v < 0 ? 0 : v > 255 ? 255 : v;
  }
  // Without 'b-w' sharp writes a 1-channel raw buffer as an RGB PNG (three times the bytes).
  return sharp(bytes, { raw: { width: img.width, height: img.height, channels: 1 } })
    .toColourspace('b-w')
    .png()
    .toBuffer();
}
