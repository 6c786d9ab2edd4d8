/**
 * One case from files to an estimate, for `spv estimate` and `spv batch`: decode each view, take
 * the mask from the U-Net (images) or from the file itself (--mask), and estimate.
 */
import { basename } from 'node:path';
import type { Calibration } from '../api/contract';
import { SpvError } from '../api/errors';
import {
  binaryMaskFromDecoded,
  decodeCaseViews,
  type CaseFrames,
  type DecodedImage,
} from '../decode';
import { spacingForMask } from '../imaging/calibration';
import type { Spacing } from '../imaging/types';
import { refuseIfNoSpleen, type Engine } from '../engine/engine';
import type { DetailedEstimate, EstimateOptions } from '../engine/estimator';
import type { ViewMask } from '../engine/types';

export interface CaseFiles extends CaseFrames {
  coronal: string;
  transverse?: string | null;
  /** For views whose file carries no calibration (a DICOM's own wins, with a notice). */
  spacing?: Spacing | null;
  /** 'mask': the files are binary masks (non-zero = spleen), not ultrasound images. */
  kind: 'image' | 'mask';
  /**
   * Where the case was described, so that a message names what the reader can change: the
   * options of `spv estimate` (the default) or a row of `spv batch`'s index.
   */
  givenIn?: 'options' | 'index';
}

export interface LoadedView {
  path: string;
  decoded: DecodedImage;
  calibration: Calibration;
}

/** Insist on a view's calibration, before any model runs: no calibration, no volume. */
function calibrated(
  path: string,
  decoded: DecodedImage,
  givenIn: CaseFiles['givenIn'] = 'options',
): LoadedView {
  if (!decoded.calibration) {
    const name = basename(path);
    // Only PNG/JPEG read a sidecar: naming one for a DICOM would send the reader to write a file
    // that is never looked at.
    const where =
      decoded.format === 'dicom'
        ? 'no ultrasound regions and no Pixel Spacing in the DICOM file'
        : `no physical pixel size in the file and no sidecar ${name.replace(/\.[^.]*$/, '')}.json`;
    throw new SpvError(
      'not-calibrated',
      `${name} has no calibration (${where}): ${givenIn === 'index' ? "fill the row's spacing_mm column" : 'give --spacing MM'} (mm per pixel); no volume is computed for an uncalibrated image.`,
    );
  }
  return { path, decoded, calibration: decoded.calibration };
}

/** The same pixels, size and grey levels: one picture, whatever the files are called. */
function samePixels(a: DecodedImage['grey'], b: DecodedImage['grey']): boolean {
  if (a.width !== b.width || a.height !== b.height) return false;
  for (let i = 0; i < a.data.length; i++) if (a.data[i] !== b.data[i]) return false;
  return true;
}

/**
 * One picture given as both views (the same path twice, or a copy of it) would be estimated as a
 * dual-view case whose width and thickness are the coronal length again: a wrong volume, with
 * nothing in the estimate to say so.
 */
function refuseOnePictureAsBothViews(
  files: CaseFiles,
  coronal: DecodedImage,
  transverse: DecodedImage,
): void {
  if (!files.transverse || !samePixels(coronal.grey, transverse.grey)) return;
  const [c, t] = [basename(files.coronal), basename(files.transverse)];
  const what = c === t ? `${c} is given as both views` : `${c} and ${t} are the same picture`;
  const fix =
    files.givenIn === 'index'
      ? "give each view's own file in the row's coronal and transverse columns"
      : 'give each view its own file with --coronal and --transverse';
  throw new SpvError(
    'bad-input',
    `${what}: the coronal and transverse views are two different images of the spleen; ${fix}, or the coronal one alone for the single-view estimate.`,
  );
}

/** How far (grey levels) a pixel may be from a mask's two values: JPEG noise around the edge. */
const MASK_VALUE_TOLERANCE = 24;
/**
 * The share of pixels between the two values above which a file is an image, not a mask: a mask
 * has none but some JPEG noise at its edge (0.2% for a sample mask saved as JPEG at quality 75),
 * an ultrasound image mostly such pixels (over 70% in each bundled sample image).
 */
const MAX_MASK_GREY_SHARE = 0.2;

/**
 * Refuse an image given as a mask (--mask, or a row of kind "mask"): every non-black pixel would
 * be "spleen", and the volume that of the whole picture, with no warning beyond "unlike the
 * training data".
 */
function refuseImageAsMask(view: LoadedView, givenIn: CaseFiles['givenIn']): void {
  const { data } = view.decoded.grey;
  let low = Infinity;
  let high = -Infinity;
  for (const v of data) {
    if (v < low) low = v;
    if (v > high) high = v;
  }
  let grey = 0;
  for (const v of data)
    if (v - low > MASK_VALUE_TOLERANCE && high - v > MASK_VALUE_TOLERANCE) grey++;
  const share = data.length === 0 ? 0 : grey / data.length;
  if (share <= MAX_MASK_GREY_SHARE) return;
  const fix =
    givenIn === 'index'
      ? 'for an ultrasound image, give the row the kind "image"'
      : 'for an ultrasound image, leave out --mask';
  throw new SpvError(
    'bad-input',
    `${basename(view.path)} is not a mask: ${(100 * share).toFixed(0)}% of its pixels are shades of grey, where a mask has two values (0 outside the spleen, one value inside); ${fix}.`,
  );
}

/** Decode and check every view of a case (fast, no models needed: bad input fails early). */
export async function loadCaseFiles(
  files: CaseFiles,
): Promise<{ coronal: LoadedView; transverse: LoadedView | null }> {
  // Every view is decoded before either calibration is checked.
  const decoded = await decodeCaseViews(files, files, {
    spacing: files.spacing,
    howToChooseFrame: (view) =>
      files.givenIn === 'index'
        ? `in the row's ${view}_frame column`
        : `with --${view}-frame N (or --frame N)`,
  });
  if (decoded.transverse) refuseOnePictureAsBothViews(files, decoded.coronal, decoded.transverse);
  const views = {
    coronal: calibrated(files.coronal, decoded.coronal, files.givenIn),
    transverse:
      decoded.transverse && files.transverse
        ? calibrated(files.transverse, decoded.transverse, files.givenIn)
        : null,
  };
  if (files.kind === 'mask')
    for (const view of [views.coronal, views.transverse])
      if (view) refuseImageAsMask(view, files.givenIn);
  return views;
}

/** The decoders' notices of a case's views (an unused --spacing, an unsupported character set). */
export function caseNotices(views: {
  coronal: LoadedView;
  transverse: LoadedView | null;
}): string[] {
  return [views.coronal, views.transverse].flatMap((v) => v?.decoded.notices ?? []);
}

async function viewMask(
  engine: Engine,
  view: LoadedView,
  kind: CaseFiles['kind'],
  givenIn: CaseFiles['givenIn'],
): Promise<ViewMask> {
  const { width, height } = view.decoded.grey;
  // The outline takes the scale of the ultrasound region it lies in (src/imaging/calibration.ts).
  const spacingOfMask = (mask: Uint8Array): Spacing =>
    spacingForMask(mask, width, height, view.calibration, `The outline in ${basename(view.path)}`);
  if (kind === 'mask') {
    const mask = binaryMaskFromDecoded(view.decoded);
    return { mask, width, height, spacing: spacingOfMask(mask) };
  }
  const ai = await engine.segmentGrey(view.decoded.grey);
  const ownMask =
    givenIn === 'index'
      ? 'give its mask file in a row of kind "mask"'
      : 'pass its mask file with --mask';
  refuseIfNoSpleen(
    ai,
    basename(view.path),
    `check that it is a coronal or transverse view of the spleen, or draw the mask in the workstation, or ${ownMask}`,
  );
  return {
    mask: ai.mask,
    width,
    height,
    spacing: spacingOfMask(ai.mask),
    aiConfidence: ai.confidence,
  };
}

/** Masks (from the U-Net or the mask files) → the estimate. */
export async function estimateLoadedCase(
  engine: Engine,
  views: { coronal: LoadedView; transverse: LoadedView | null },
  kind: CaseFiles['kind'],
  options: EstimateOptions = {},
  givenIn: CaseFiles['givenIn'] = 'options',
): Promise<DetailedEstimate> {
  const coronal = await viewMask(engine, views.coronal, kind, givenIn);
  const transverse = views.transverse
    ? await viewMask(engine, views.transverse, kind, givenIn)
    : null;
  const estimate = await engine.estimateFromMasks({ coronal, transverse }, options);
  // How the images were read belongs with the result: printed by spv estimate, in batch's column.
  return { ...estimate, warnings: [...caseNotices(views), ...estimate.warnings] };
}

export async function estimateCaseFiles(
  engine: Engine,
  files: CaseFiles,
  options: EstimateOptions = {},
): Promise<DetailedEstimate> {
  return estimateLoadedCase(engine, await loadCaseFiles(files), files.kind, options, files.givenIn);
}
