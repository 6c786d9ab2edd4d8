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
  return {
    coronal: calibrated(files.coronal, decoded.coronal, files.givenIn),
    transverse:
      decoded.transverse && files.transverse
        ? calibrated(files.transverse, decoded.transverse, files.givenIn)
        : null,
  };
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
