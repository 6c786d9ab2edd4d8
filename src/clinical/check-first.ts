/**
 * What an estimate asks the reader to check before its reference verdicts can be trusted: an
 * unedited AI outline the U-Net was unsure of, inputs that look wrong (views that look swapped, an
 * implausible scale or length, an outline no spleen has) and a case unlike the training data
 * (src/engine/input-doubts.ts).
 * One list of short phrases, said wherever a verdict is shown (the viewer, the worklist, the
 * command line, the reports), so that a "normal" resting on them never reads as settled. Pure.
 */
import type { Estimate } from '../api/contract';

/** The phrase for coronal and transverse views that look swapped (src/engine/input-doubts.ts). */
export const VIEWS_LOOK_SWAPPED = 'views look swapped';

/**
 * The phrase for an outline of a view that no spleen's section has (src/engine/input-doubts.ts): a
 * thin stripe or sliver, or a transverse fragment far narrower than the coronal length.
 */
export const OUTLINE_IMPLAUSIBLE = {
  coronal: 'coronal outline implausible',
  transverse: 'transverse outline implausible',
} as const;

/**
 * The phrase for an estimate whose latent code lies far from the training cases' (the Mahalanobis
 * distance above the manifest's threshold, src/engine/input-doubts.ts).
 */
export const UNLIKE_TRAINING_DATA = 'unlike the training data';

/**
 * The phrase for an estimate saved before estimates said what to check first (schema 7): nothing
 * was checked, which is not the same as nothing to check. Opening the case estimates it again.
 */
export const INPUTS_NOT_CHECKED = 'inputs not checked (estimated before this version)';

/** The phrase for a view whose unedited AI outline the U-Net was unsure of (src/engine/estimator.ts). */
export function uncertainOutlinePhrase(view: 'coronal' | 'transverse'): string {
  return `uncertain AI ${view} outline`;
}

export function checkFirst(estimate: Pick<Estimate, 'uncertainOutline' | 'inputDoubts'>): string[] {
  // Absent on an estimate saved before the checks existed (the engine always gives the list now).
  if (estimate.inputDoubts === undefined) return [INPUTS_NOT_CHECKED];
  // The inputs first: swapped views or a wrong scale change the outlines' meaning, the volume and
  // every verdict, so they are what the reader settles first.
  return [
    ...estimate.inputDoubts,
    ...(estimate.uncertainOutline ?? []).map(uncertainOutlinePhrase),
  ];
}
