/**
 * What an estimate asks the reader to check before its reference verdicts can be trusted: an
 * unedited AI outline the U-Net was unsure of, inputs that look wrong (views that look swapped, an
 * implausible scale or length) and a case unlike the training data (src/engine/input-doubts.ts). One list of short phrases, said
 * wherever a verdict is shown (the viewer, the worklist, the command line, the report), so that a
 * "normal" resting on them never reads as settled. Pure.
 */
import type { Estimate } from '../api/contract';

/** The phrase for coronal and transverse views that look swapped (src/engine/input-doubts.ts). */
export const VIEWS_LOOK_SWAPPED = 'views look swapped';

/**
 * The phrase for an estimate whose latent code lies far from the training cases' (the Mahalanobis
 * distance above the manifest's threshold, src/engine/input-doubts.ts).
 */
export const UNLIKE_TRAINING_DATA = 'unlike the training data';

export function checkFirst(estimate: Pick<Estimate, 'uncertainOutline' | 'inputDoubts'>): string[] {
  // The inputs first: swapped views or a wrong scale change the outlines' meaning, the volume and
  // every verdict, so they are what the reader settles first.
  return [
    ...(estimate.inputDoubts ?? []),
    ...(estimate.uncertainOutline ?? []).map((view) => `uncertain AI ${view} outline`),
  ];
}
