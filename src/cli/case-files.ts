/**
 * One case from files to an estimate, for `spv estimate` and `spv batch`: decode each view, take
 * the mask from the U-Net (images) or from the file itself (--mask), and estimate.
 */
import { basename } from 'node:path';
import { SpvError } from '../api/errors';
import { decodeImageFile, type DecodedImage } from '../decode';
import { spacingOf } from '../imaging/calibration';
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

/** The mask rule of readBinaryMaskFile (src/decode): non-zero = spleen, JPEG cut at 128. */
function maskFromDecoded(decoded: DecodedImage): Uint8Array {
  const { data } = decoded.grey;
  const cut = decoded.format === 'jpeg' ? 128 : 1;
  const mask = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) mask[i] = data[i] >= cut ? 1 : 0;
  return mask;
}

async function viewMask(engine: Engine, path: string, files: CaseFiles): Promise<ViewMask> {
  const decoded = await decodeImageFile(path, { frame: files.frame, spacing: files.spacing });
  if (!decoded.calibration) {
    // Refuse before running any model: an uncalibrated image never yields a number in mL.
    throw new SpvError(
      'not-calibrated',
      `${basename(path)} has no calibration (no physical pixel size in the file and no sidecar ${basename(path).replace(/\.[^.]*$/, '')}.json): give --spacing MM (mm per pixel); no volume is computed for an uncalibrated image.`,
    );
  }
  const { width, height } = decoded.grey;
  const mask =
    files.kind === 'mask' ? maskFromDecoded(decoded) : await engine.segmentGrey(decoded.grey);
  return { mask, width, height, spacing: spacingOf(decoded.calibration) };
}

export async function estimateCaseFiles(
  engine: Engine,
  files: CaseFiles,
  options: EstimateOptions = {},
): Promise<DetailedEstimate> {
  const coronal = await viewMask(engine, files.coronal, files);
  const transverse = files.transverse ? await viewMask(engine, files.transverse, files) : null;
  return engine.estimateFromMasks({ coronal, transverse }, options);
}
