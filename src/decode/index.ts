/**
 * Image decoding for the core (Node only): PNG, JPEG and DICOM files → a grey image, its
 * calibration and its source metadata. Every failure is an SpvError('bad-input') that names the
 * file and says what to do; nothing else escapes (a fuzz test holds this).
 */
import { readFile } from 'node:fs/promises';
import type { Calibration } from '../api/contract';
import { isPlausibleSpacingMm, SPACING_RANGE_TEXT } from '../imaging/calibration';
import type { GreyImage, Spacing } from '../imaging/types';
import { badInput } from './bad-input';
import { decodeDicom, hasDicomPrefix, looksLikeBareDicom, type DicomMeta } from './dicom';
import { decodeRaster } from './raster';
import { readSidecarCalibration } from './sidecar';

export { encodeGreyPng } from './raster';
export { DicomWithoutPixelDataError, MAX_IMAGE_SIDE } from './bad-input';

export type ImageFormat = 'png' | 'jpeg' | 'dicom';

export interface DecodedImage {
  grey: GreyImage;
  /** Null when nothing calibrates the image: then no volume is computed. */
  calibration: Calibration | null;
  format: ImageFormat;
  frames: number;
  meta: DicomMeta & { sourcePath?: string };
  /**
   * What the reader should know about how the image was read, though nothing failed: a given
   * spacing that was not used because the file has its own calibration, a character set that
   * could not be decoded. Shown by the CLI and carried by the API's ViewImage.
   */
  notices: string[];
}

export interface DecodeOptions {
  /** 0-based frame of a multi-frame DICOM; required when it has several. */
  frame?: number | null;
  /**
   * True when `frame` was given for a whole case rather than for this file: it then applies only
   * if the file has several frames, and a single-frame image ignores it (the caller checks that
   * some view used it).
   */
  frameOnlyIfMultiframe?: boolean;
  /** How to choose a frame where the caller is (a CLI flag, a dialog field), for the message. */
  howToChooseFrame?: string;
  /**
   * Spacing given by the caller (mm/px), for an image that carries no calibration of its own. A
   * DICOM's ultrasound regions or Pixel Spacing win over it (DESIGN: regions, then Pixel Spacing,
   * then the user): they were written by the scanner for this very image, while one number typed
   * for a case may have been meant for its other view. A PNG/JPEG's JSON sidecar wins over it
   * alike (decodeImageFile): it was written for that one image. The unused spacing is named in
   * `notices`.
   */
  spacing?: Spacing | null;
  /**
   * The names in the image's folder, when the caller has listed it already (a folder import lists
   * each folder once): a PNG/JPEG's sidecar is looked for among them instead of listing the folder
   * again for every image. Without it the folder is listed.
   */
  folderNames?: readonly string[];
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * The format from the content (never from the name alone: a text file named .png is not a PNG).
 * `buf` may be only the first bytes (132 suffice) of a file of `byteLength` bytes: a folder import
 * decides by them which files without an image's extension to try.
 */
export function sniffFormat(
  buf: Uint8Array,
  name: string,
  byteLength: number = buf.length,
): ImageFormat | null {
  if (buf.length >= 8 && PNG_SIGNATURE.every((b, i) => buf[i] === b)) return 'png';
  if (buf.length >= 3 && buf[0] === 0xff && buf[1] === 0xd8 && buf[2] === 0xff) return 'jpeg';
  if (hasDicomPrefix(buf)) return 'dicom';
  // A bare DICOM data set has no signature: with a DICOM extension or none (files on a CD are
  // often named IM0001), its first element must at least look like one (a text file named .dcm is
  // not a DICOM file with no pixels).
  if (mayBeBareDicomName(name) && looksLikeBareDicom(buf, byteLength)) return 'dicom';
  return null;
}

/** True for a name a bare DICOM data set (no Part 10 header) may have: `.dcm`, `.dicom`, or none. */
function mayBeBareDicomName(name: string): boolean {
  const base = name.split(/[\\/]/).pop() ?? name;
  return /\.(dcm|dicom)$/i.test(base) || !base.includes('.');
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
  if (!(isPlausibleSpacingMm(spacing.x) && isPlausibleSpacingMm(spacing.y))) {
    throw badInput(
      name,
      `the spacing ${spacing.x}×${spacing.y} mm/px is outside ${SPACING_RANGE_TEXT} that ultrasound images have`,
      'Give the pixel size in mm per pixel (e.g. 0.3), not in cm or µm.',
    );
  }
  return {
    spacingX: spacing.x,
    spacingY: spacing.y,
    source: 'caller',
    detail: `given: ${spacing.x} × ${spacing.y} mm/px`,
  };
}

/** The frames a case was opened with: one per view, and/or one for every multi-frame view. */
export interface CaseFrames {
  /** The frame of every multi-frame view that has no frame of its own (single-frame ones ignore it). */
  frame?: number | null;
  coronalFrame?: number | null;
  transverseFrame?: number | null;
}

/** The decode options for one view of a case opened with `frames`. */
export function viewFrameOptions(
  frames: CaseFrames,
  view: 'coronal' | 'transverse',
): Pick<DecodeOptions, 'frame' | 'frameOnlyIfMultiframe'> {
  const own = view === 'coronal' ? frames.coronalFrame : frames.transverseFrame;
  if (own !== undefined && own !== null) return { frame: own };
  return { frame: frames.frame, frameOnlyIfMultiframe: true };
}

/**
 * A case-wide frame other than 0 that no view read (no view without its own frame has several
 * frames) was meant for something that is not there: refused rather than silently dropped.
 */
export function checkCaseFrameUsed(
  frames: CaseFrames,
  views: { view: 'coronal' | 'transverse'; path: string; decoded: DecodedImage }[],
): void {
  const shared = frames.frame;
  if (shared === undefined || shared === null || shared === 0) return;
  const readers = views.filter(
    ({ view, decoded }) =>
      viewFrameOptions(frames, view).frameOnlyIfMultiframe && decoded.frames > 1,
  );
  if (readers.length > 0) return;
  throw badInput(
    views.map((v) => v.path.split(/[\\/]/).pop()).join(' + '),
    `frame ${shared} is out of range: no image of the case without a frame of its own has several frames`,
    'Leave out the frame, or give it to the multi-frame view.',
  );
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
    const dicomName = /\.(dcm|dicom)$/i.test(name);
    throw badInput(
      name,
      looksLikeText(buf)
        ? `this is a text file, not ${dicomName ? 'a DICOM file' : 'an image'}`
        : dicomName
          ? 'this is not a DICOM file (no DICM header and no DICOM data elements)'
          : 'this is not a PNG, JPEG or DICOM image',
      'Open a PNG, JPEG or DICOM ultrasound image.',
    );
  }
  const caller = callerCalibration(opts.spacing, name);
  if (format === 'dicom') {
    const dicom = await decodeDicom(buf, name, {
      frame: opts.frame,
      frameOnlyIfMultiframe: opts.frameOnlyIfMultiframe,
      howToChooseFrame: opts.howToChooseFrame,
    });
    const unused =
      caller && dicom.calibration && unusedSpacingNotice(name, caller, dicom.calibration);
    const notices = unused ? [...dicom.notices, unused] : [...dicom.notices];
    return {
      grey: dicom.grey,
      calibration: dicom.calibration ?? caller,
      format,
      frames: dicom.frames,
      meta: dicom.meta,
      notices,
    };
  }
  if (
    opts.frame !== undefined &&
    opts.frame !== null &&
    opts.frame !== 0 &&
    !opts.frameOnlyIfMultiframe
  ) {
    throw badInput(
      name,
      `frame ${opts.frame} is out of range: a ${format.toUpperCase()} image has one frame`,
      'Leave out the frame.',
    );
  }
  const grey = await decodeRaster(buf, name, format);
  return { grey, calibration: caller, format, frames: 1, meta: {}, notices: [] };
}

/**
 * Why a given spacing was not used for an image that carries its own calibration (a DICOM's
 * regions or Pixel Spacing, a PNG/JPEG's sidecar); null when the two agree within 0.5%, since
 * then nothing the reader gave was overridden (the bundled samples' index repeats their sidecars).
 */
function unusedSpacingNotice(name: string, caller: Calibration, own: Calibration): string | null {
  const agrees =
    Math.abs(caller.spacingX - own.spacingX) <= 0.005 * own.spacingX &&
    Math.abs(caller.spacingY - own.spacingY) <= 0.005 * own.spacingY;
  if (agrees) return null;
  const file = name.split(/[\\/]/).pop() ?? name;
  const ownText = own.detail ?? `${own.spacingX} × ${own.spacingY} mm/px`;
  return (
    `${file}: the given spacing ${caller.spacingX} × ${caller.spacingY} mm/px was not used: ` +
    `${own.source === 'sidecar' ? 'the image has its own calibration in its sidecar' : 'the file carries its own calibration'} ` +
    `(${ownText}), which differs. A given spacing applies only to images without one.`
  );
}

/**
 * The bytes of an image file; a file that cannot be read is a bad-input error naming it and why.
 * A caller that needs the bytes too (import hashes them) reads them here once and decodes them with
 * decodeImageFileBytes.
 */
export async function readImageFile(path: string): Promise<Buffer> {
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
 * Decodes an image file. Its own calibration wins over opts.spacing, which calibrates only an
 * image that carries none: PNG/JPEG take it from a JSON sidecar beside the file, DICOM from its
 * ultrasound regions, else Pixel Spacing. A given spacing not used is named in `notices`.
 */
export async function decodeImageFile(
  path: string,
  opts: DecodeOptions = {},
): Promise<DecodedImage> {
  return decodeImageFileBytes(await readImageFile(path), path, opts);
}

/**
 * Decodes the bytes of the image file at `path` (read by readImageFile) exactly as decodeImageFile
 * decodes the file: its sidecar beside it included, and `path` recorded as its source.
 */
export async function decodeImageFileBytes(
  bytes: Buffer,
  path: string,
  opts: DecodeOptions = {},
): Promise<DecodedImage> {
  const decoded = await decodeImageBuffer(bytes, path, opts);
  if (decoded.format !== 'dicom') {
    const sidecar = await readSidecarCalibration(path, opts.folderNames);
    if (sidecar) {
      // decodeImageBuffer (no path, so no sidecar) took the given spacing, if any.
      const given = decoded.calibration;
      const unused = given && unusedSpacingNotice(path, given, sidecar);
      if (unused) decoded.notices.push(unused);
      decoded.calibration = sidecar;
    }
  }
  decoded.meta.sourcePath = path;
  return decoded;
}

/**
 * Decode every view of a case, each with its own frame or the case's (viewFrameOptions), then
 * refuse a case-wide frame that no view used (checkCaseFrameUsed): how the engine opens a case and
 * how the command line reads one. Views are decoded in order, coronal first, so the first bad
 * file is the one reported.
 */
export async function decodeCaseViews(
  paths: { coronal: string; transverse?: string | null },
  frames: CaseFrames,
  options: Pick<DecodeOptions, 'spacing'> & {
    /** Where the reader chooses a view's frame (a CLI flag, a dialog field), for the message. */
    howToChooseFrame: (view: 'coronal' | 'transverse') => string;
  },
): Promise<{ coronal: DecodedImage; transverse: DecodedImage | null }> {
  const views: { view: 'coronal' | 'transverse'; path: string; decoded: DecodedImage }[] = [];
  for (const [view, path] of [
    ['coronal', paths.coronal],
    ['transverse', paths.transverse],
  ] as const) {
    if (!path) continue;
    const decoded = await decodeImageFile(path, {
      ...viewFrameOptions(frames, view),
      howToChooseFrame: options.howToChooseFrame(view),
      spacing: options.spacing,
    });
    views.push({ view, path, decoded });
  }
  checkCaseFrameUsed(frames, views);
  return {
    coronal: views[0].decoded,
    transverse: views.find((v) => v.view === 'transverse')?.decoded ?? null,
  };
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
