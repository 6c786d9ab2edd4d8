/**
 * Image decoding for the core (Node only): PNG, JPEG and DICOM files → a grey image, its
 * calibration and its source metadata. Every failure is an SpvError('bad-input') that names the
 * file and says what to do; nothing else escapes (a fuzz test holds this).
 */
import { readFile } from 'node:fs/promises';
import type { Calibration } from '../api/contract';
import type { GreyImage, Spacing } from '../imaging/types';
import { badInput } from './bad-input';
import { decodeDicom, hasDicomPrefix, type DicomMeta } from './dicom';
import { decodeRaster } from './raster';
import { readSidecarCalibration } from './sidecar';

export { encodeGreyPng } from './raster';
export { MAX_IMAGE_SIDE } from './bad-input';

export type ImageFormat = 'png' | 'jpeg' | 'dicom';

export interface DecodedImage {
  grey: GreyImage;
  /** Null when nothing calibrates the image: then no volume is computed. */
  calibration: Calibration | null;
  format: ImageFormat;
  frames: number;
  meta: DicomMeta & { sourcePath?: string };
}

export interface DecodeOptions {
  /** 0-based frame of a multi-frame DICOM; required when it has several. */
  frame?: number | null;
  /** Spacing given by the caller (mm/px); it wins over anything in the file. */
  spacing?: Spacing | null;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** The format from the content (never from the name alone: a text file named .png is not a PNG). */
function sniffFormat(buf: Uint8Array, name: string): ImageFormat | null {
  if (buf.length >= 8 && PNG_SIGNATURE.every((b, i) => buf[i] === b)) return 'png';
  if (buf.length >= 3 && buf[0] === 0xff && buf[1] === 0xd8 && buf[2] === 0xff) return 'jpeg';
  if (hasDicomPrefix(buf)) return 'dicom';
  // A bare DICOM data set has no signature: trust the extension only for DICOM.
  if (/\.(dcm|dicom)$/i.test(name)) return 'dicom';
  return null;
}

function looksLikeText(buf: Uint8Array): boolean {
  const n = Math.min(buf.length, 512);
  for (let i = 0; i < n; i++) {
    const b = buf[i];
    if (b < 9 || (b > 13 && b < 32)) return false;
  }
  return true;
}

function callerCalibration(spacing: Spacing | null | undefined, name: string): Calibration | null {
  if (!spacing) return null;
  if (!(spacing.x > 0 && spacing.y > 0 && spacing.x <= 10 && spacing.y <= 10)) {
    throw badInput(
      name,
      `the spacing ${spacing.x}×${spacing.y} mm/px is not in (0, 10]`,
      'Give the pixel size in mm per pixel.',
    );
  }
  return {
    spacingX: spacing.x,
    spacingY: spacing.y,
    source: 'caller',
    detail: `given: ${spacing.x} × ${spacing.y} mm/px`,
  };
}

/** Decodes an image held in memory; `name` is used in messages and to recognise bare DICOM. */
export async function decodeImageBuffer(
  buf: Buffer,
  name: string,
  opts: DecodeOptions = {},
): Promise<DecodedImage> {
  if (buf.length === 0)
    throw badInput(
      name,
      'the file is empty',
      'Choose the image file again; it may not have been copied completely.',
    );
  const format = sniffFormat(buf, name);
  if (format === null) {
    throw badInput(
      name,
      looksLikeText(buf)
        ? 'this is a text file, not an image'
        : 'this is not a PNG, JPEG or DICOM image',
      'Open a PNG, JPEG or DICOM ultrasound image.',
    );
  }
  const caller = callerCalibration(opts.spacing, name);
  if (format === 'dicom') {
    const dicom = decodeDicom(buf, name, opts.frame);
    return {
      grey: dicom.grey,
      calibration: caller ?? dicom.calibration,
      format,
      frames: dicom.frames,
      meta: dicom.meta,
    };
  }
  if (opts.frame !== undefined && opts.frame !== null && opts.frame !== 0) {
    throw badInput(
      name,
      `frame ${opts.frame} is out of range: a ${format.toUpperCase()} image has one frame`,
      'Leave out --frame.',
    );
  }
  const grey = await decodeRaster(buf, name, format);
  return { grey, calibration: caller, format, frames: 1, meta: {} };
}

async function readImageFile(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw badInput(path, 'the file does not exist', 'Check the path.');
    if (code === 'EISDIR')
      throw badInput(path, 'this is a folder, not an image file', 'Choose an image file.');
    if (code === 'EACCES' || code === 'EPERM')
      throw badInput(path, 'the file cannot be read (permission denied)', 'Check its permissions.');
    throw badInput(
      path,
      `the file cannot be read (${code ?? String(error)})`,
      'Check the path and the disk.',
    );
  }
}

/**
 * Decodes an image file. PNG/JPEG take their calibration from opts.spacing, else from a JSON
 * sidecar beside the file; DICOM from opts.spacing, else its ultrasound regions, else Pixel Spacing.
 */
export async function decodeImageFile(
  path: string,
  opts: DecodeOptions = {},
): Promise<DecodedImage> {
  const decoded = await decodeImageBuffer(await readImageFile(path), path, opts);
  if (decoded.format !== 'dicom' && decoded.calibration === null) {
    decoded.calibration = await readSidecarCalibration(path);
  }
  decoded.meta.sourcePath = path;
  return decoded;
}

/**
 * The mask-mode rule, in one place: non-zero = spleen. JPEG masks are cut at 128 instead, because
 * JPEG compression leaves small non-zero values all over the background.
 */
export function binaryMaskFromDecoded(decoded: DecodedImage): Uint8Array {
  const { data } = decoded.grey;
  const cut = decoded.format === 'jpeg' ? 128 : 1;
  const mask = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) mask[i] = data[i] >= cut ? 1 : 0;
  return mask;
}

/** A mask image file for mask mode (see binaryMaskFromDecoded). */
export async function readBinaryMaskFile(
  path: string,
): Promise<{ mask: Uint8Array; width: number; height: number }> {
  const decoded = await decodeImageFile(path);
  const { width, height } = decoded.grey;
  return { mask: binaryMaskFromDecoded(decoded), width, height };
}
