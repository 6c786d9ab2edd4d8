/**
 * One case from files to an estimate, for `spv estimate` and `spv batch`: decode each view, take
 * the mask from the U-Net (images) or from the file itself (--mask), and estimate.
 */
import { basename } from 'node:path';
import type { Calibration } from '../api/contract';
import { SpvError } from '../api/errors';
import { binaryMaskFromDecoded, decodeImageFile, type DecodedImage } from '../decode';
import { spacingForMask } from '../imaging/calibration';
import type { Spacing } from '../imaging/types';
import type { Engine } from '../engine/engine';
import type { DetailedEstimate, EstimateOptions } from '../engine/estimator';
import type { ViewMask } from '../engine/types';

export interface CaseFiles {
  coronal: string;
  transverse?: string | null;
  spacing?: Spacing | null;
  frame?: number | null;
  /** 'mask': the files are binary masks (non-zero = spleen), not ultrasound images. */
  kind: 'image' | 'mask';
}

export interface LoadedView {
  path: string;
  decoded: DecodedImage;
  calibration: Calibration;
}

/** Decode one view and insist on its calibration, before any model runs. */
async function loadView(path: string, files: CaseFiles): Promise<LoadedView> {
  const decoded = await decodeImageFile(path, { frame: files.frame, spacing: files.spacing });
  if (!decoded.calibration) {
    // An uncalibrated image never yields a number in mL.
    throw new SpvError(
      'not-calibrated',
      `${basename(path)} has no calibration (no physical pixel size in the file and no sidecar ${basename(path).replace(/\.[^.]*$/, '')}.json): give --spacing MM (mm per pixel); no volume is computed for an uncalibrated image.`,
    );
  }
  return { path, decoded, calibration: decoded.calibration };
}

/** Decode and check every view of a case (fast, no models needed: bad input fails early). */
export async function loadCaseFiles(
  files: CaseFiles,
): Promise<{ coronal: LoadedView; transverse: LoadedView | null }> {
  const coronal = await loadView(files.coronal, files);
  const transverse = files.transverse ? await loadView(files.transverse, files) : null;
  return { coronal, transverse };
}

async function viewMask(
  engine: Engine,
  view: LoadedView,
  kind: CaseFiles['kind'],
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
): Promise<DetailedEstimate> {
  const coronal = await viewMask(engine, views.coronal, kind);
  const transverse = views.transverse ? await viewMask(engine, views.transverse, kind) : null;
  return engine.estimateFromMasks({ coronal, transverse }, options);
}

export async function estimateCaseFiles(
  engine: Engine,
  files: CaseFiles,
  options: EstimateOptions = {},
): Promise<DetailedEstimate> {
  return estimateLoadedCase(engine, await loadCaseFiles(files), files.kind, options);
}
