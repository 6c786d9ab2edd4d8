/**
 * PNG and JPEG through sharp (libvips). sharp hands back raw 8-bit channels and the grey level is
 * computed here with PIPELINE §1's weights, because sharp's own greyscale uses other coefficients
 * than the Python side.
 */
import sharp from 'sharp';
import type { GreyImage } from '../imaging/types';
import { asDecodeError, badInput, checkImageSize, MAX_IMAGE_SIDE } from './bad-input';
import { greyFromInterleaved } from './luma';

/** EXIF orientations 5–8 turn the image a quarter: its width and height swap. */
function swapsAxes(orientation: number | undefined): boolean {
  return orientation !== undefined && orientation >= 5 && orientation <= 8;
}

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
    const turned = swapsAxes(meta.orientation);
    checkImageSize(
      name,
      (turned ? meta.height : meta.width) ?? 0,
      (turned ? meta.width : meta.height) ?? 0,
    );
    // 16-bit samples are read as they are and windowed below: sharp's 8-bit output divides them by
    // 257, which leaves 12-bit data stored in 16 bits nearly black.
    const wide = meta.depth === 'ushort';
    // rotate() without an angle applies the EXIF orientation, so the image (and any outline drawn
    // on it) is upright as every viewer shows it.
    const upright = sharp(buf, options).rotate();
    // Without a 16-bit colour space sharp converts to 8-bit sRGB first, whatever depth is asked.
    const { data, info } = await (
      wide ? upright.toColourspace((meta.channels ?? 1) <= 2 ? 'grey16' : 'rgb16') : upright
    )
      .raw({ depth: wide ? 'ushort' : 'uchar' })
      .toBuffer({ resolveWithObject: true });
    const samples = wide
      ? new Uint16Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.length))
      : data;
    if (samples.length < info.width * info.height * info.channels) {
      throw badInput(
        name,
        'the decoded pixel data is shorter than the image',
        'The file is corrupt; export the image again.',
      );
    }
    const grey = greyFromInterleaved(samples, info.width, info.height, info.channels);
    if (wide) windowToStoredRange(grey.data);
    return grey;
  } catch (error) {
    throw asDecodeError(error, name, label);
  }
}

/**
 * 16-bit grey levels → 0..255, linearly over the image's own min..max (0 when constant), as 16-bit
 * DICOM without a window is (PIPELINE §1).
 */
function windowToStoredRange(data: Float32Array): void {
  let min = Infinity;
  let max = -Infinity;
  for (const v of data) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const range = max - min;
  for (let i = 0; i < data.length; i++) data[i] = range > 0 ? ((data[i] - min) / range) * 255 : 0;
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
