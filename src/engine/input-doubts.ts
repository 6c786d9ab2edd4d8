/**
 * Inputs the estimate takes at face value but a reader should look at before trusting the verdict:
 * coronal and transverse views given the wrong way round, and a scale outside what abdominal
 * ultrasound gives. Each doubt comes as a short phrase (said beside the reference verdicts, where a
 * green "normal" would otherwise read as settled) and a sentence for the warnings list. The
 * estimate still runs: the reader may know better (a kept calibration, an unusual spleen).
 */
import { UNLIKE_TRAINING_DATA, VIEWS_LOOK_SWAPPED } from '../clinical/check-first';
import { PLAUSIBLE_LENGTH_CM, PLAUSIBLE_SPACING_MM } from '../imaging/calibration-plausibility';
import type { MeasuredLengths } from './lengths';
import type { MasksInput } from './types';

export interface InputDoubt {
  /** A few words for the verdict line, e.g. "views look swapped". */
  phrase: string;
  /** What looks wrong, why it matters and what to do. */
  warning: string;
}

/**
 * How much longer the transverse outline's long axis may be than the coronal length before the
 * views are taken for swapped. The coronal view is cut through the long axis, so its length is the
 * organ's largest extent and the transverse width is shorter: in the 1,000 test spleens of the
 * training generator the width is at most 0.86 of the length (median 0.62), and clinical series
 * give widths of about 6–8 cm against lengths of 10–13 cm. Swapped views give a ratio of 1.2 to 2.
 * The 10% margin leaves room for a globular enlarged spleen and for outline and caliper error.
 */
export const SWAP_RATIO = 1.1;

const fmt = (cm: number) => cm.toFixed(1);

/** The doubts about `masks`, with the lengths measured on them (cm). */
export function inputDoubts(masks: MasksInput, measured: MeasuredLengths): InputDoubt[] {
  const doubts: InputDoubt[] = [];
  const { length, width } = measured;
  if (length !== null && width !== null && width > SWAP_RATIO * length) {
    doubts.push({
      phrase: VIEWS_LOOK_SWAPPED,
      warning:
        `The transverse outline is longer (${fmt(width)} cm) than the coronal one (${fmt(length)} cm), ` +
        'but the coronal view is the one through the long axis: the two images look swapped. ' +
        'Check which image is which and give the long-axis view as coronal; swapped views give a wrong volume.',
    });
  }
  for (const name of ['coronal', 'transverse'] as const) {
    const view = masks[name];
    if (!view) continue;
    const outside = [view.spacing.x, view.spacing.y].filter(
      (mm) => mm < PLAUSIBLE_SPACING_MM.min || mm > PLAUSIBLE_SPACING_MM.max,
    );
    if (outside.length > 0) {
      doubts.push({
        phrase: `${name} scale implausible`,
        warning:
          `The ${name} view's scale (${outside[0].toFixed(3)} mm per pixel) is outside ` +
          `${PLAUSIBLE_SPACING_MM.min}–${PLAUSIBLE_SPACING_MM.max} mm/px, the range of abdominal ultrasound images: ` +
          'check its calibration (the volume grows with the cube of the scale).',
      });
    }
  }
  if (length !== null && (length < PLAUSIBLE_LENGTH_CM.min || length > PLAUSIBLE_LENGTH_CM.max)) {
    doubts.push({
      phrase: 'length implausible',
      warning:
        `The coronal outline measures ${fmt(length)} cm, outside ${PLAUSIBLE_LENGTH_CM.min}–${PLAUSIBLE_LENGTH_CM.max} cm, ` +
        "the range of a spleen's length from infancy to massive splenomegaly: check the calibration and the outline.",
    });
  }
  return doubts;
}

/**
 * The doubt about a case whose latent code lies `mahalanobis` from the training cases' mean, over
 * the manifest's `threshold`: the model meets a shape it was not trained on, and its volume (and
 * interval) may be off by more than it says (models/SHAPE_SHIFT.md). Null within the threshold.
 */
export function trainingDataDoubt(mahalanobis: number, threshold: number): InputDoubt | null {
  if (!(mahalanobis > threshold)) return null;
  return {
    phrase: UNLIKE_TRAINING_DATA,
    warning: `This case is far from the training data (latent distance ${mahalanobis.toFixed(1)} > ${threshold.toFixed(1)}): treat the estimate with caution, and compare it with the length-based formulas.`,
  };
}
