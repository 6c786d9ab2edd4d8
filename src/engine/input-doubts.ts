/**
 * Inputs the estimate takes at face value but a reader should look at before trusting the verdict:
 * coronal and transverse views given the wrong way round, a scale outside what abdominal
 * ultrasound gives, and an outline no spleen has (a thin stripe or sliver, a transverse fragment).
 * Each doubt comes as a short phrase (said beside the reference verdicts, where a green "normal"
 * would otherwise read as settled) and a sentence for the warnings list. The
 * estimate still runs: the reader may know better (a kept calibration, an unusual spleen).
 */
import {
  OUTLINE_IMPLAUSIBLE,
  UNLIKE_TRAINING_DATA,
  VIEWS_LOOK_SWAPPED,
} from '../clinical/check-first';
import { PLAUSIBLE_LENGTH_CM, PLAUSIBLE_SPACING_MM } from '../imaging/calibration-plausibility';
import type { MeasuredOutlines } from './lengths';
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

/**
 * The thinnest outline taken for a spleen's section, as its mean width across the long axis
 * (area / Feret length) over that length, i.e. area / length², per view (the transverse one's
 * length is its width). Unlike the extent across the Feret axis it also sees a thin curved sliver
 * and a contour drawn as a line instead of filled. Measured on every mask of every shape family
 * (models/train, the spv_train.dataset.measure_mask lengths; thinnest coronal / transverse, with
 * the median in brackets):
 *   training generator, 13,649 cases (data/test, data/calib, runs cpu20 img41, img51, masks1):
 *     0.184 (0.33) / 0.249 (0.45);
 *   warped family, 2,721 cases (runs/cpu20/warp42): 0.117 (0.23) / 0.198 (0.38);
 *   carved family, 4,000 cases (runs/cpu21/carve61): 0.098 (0.25) / 0.142 (0.34);
 *   the U-Net's own masks on 1,969 unseen images (runs/cpu21/pipeline_seed51.npz): 0.200 / 0.255
 *     (its failures, 20 coronal and 113 transverse masks with a Dice under 0.8, are whole blobs in
 *     the wrong place, 0.26–0.67: a shape check cannot see them, the reader must).
 * The eight sample cases' masks give 0.26–0.50 / 0.35–0.59. A 6-pixel stripe across a 384-pixel
 * image gives 0.016, a 5-pixel sliver along sample-03's transverse outline 0.039. Each limit is
 * half the thinnest spleen of any family: none of those 22,339 masks is flagged, and the stripe
 * is, three times below the coronal limit.
 */
export const THINNEST_OUTLINE = { coronal: 0.05, transverse: 0.07 } as const;

/**
 * The narrowest transverse outline, as its width (Feret length) over the coronal length. A
 * transverse section through the hilum spans most of the spleen's breadth: the narrowest ratio is
 * 0.423 in the training generator's 13,649 cases (median 0.62), 0.341 in the warped family's
 * 2,721, 0.402 in the carved family's 4,000 and 0.374 on the U-Net's masks of 1,969 unseen images;
 * the samples give 0.54–0.74, and clinical series widths of 6–8 cm against lengths of 10–13 cm. A
 * blob or fragment drawn for the transverse view falls far below (a 16-pixel blob against
 * sample-03's 12-cm spleen: 0.07); half the narrowest spleen flags none of those 22,339 cases.
 */
export const NARROWEST_TRANSVERSE = 0.17;

const fmt = (cm: number) => cm.toFixed(1);
const percent = (ratio: number) => `${Math.round(ratio * 100)}%`;

/**
 * The doubt about an outline whose mean width is below THINNEST_OUTLINE of its length (`lengthCm`
 * is the coronal length or the transverse width); null when it is thick enough or not measured.
 */
function thinOutlineDoubt(
  view: 'coronal' | 'transverse',
  lengthCm: number | null,
  areaCm2: number | null,
): InputDoubt | null {
  if (lengthCm === null || areaCm2 === null || !(lengthCm > 0)) return null;
  const ratio = areaCm2 / (lengthCm * lengthCm);
  if (!(ratio < THINNEST_OUTLINE[view])) return null;
  return {
    phrase: OUTLINE_IMPLAUSIBLE[view],
    warning:
      `The ${view} outline is on average ${fmt(areaCm2 / lengthCm)} cm wide along its ${fmt(lengthCm)} cm long axis ` +
      `(${percent(ratio)}), where a spleen's ${view} section is at least ${percent(THINNEST_OUTLINE[view])} as wide as it is long: ` +
      'it is a stripe or a sliver (or a contour not filled in), and a volume from it means nothing. ' +
      `Check the ${view} outline against the image and correct it before using the estimate.`,
  };
}

/** The doubts about `masks`, with the lengths and areas measured on them (cm, cm²). */
export function inputDoubts(masks: MasksInput, measured: MeasuredOutlines): InputDoubt[] {
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
  const lengthImplausible =
    length !== null && (length < PLAUSIBLE_LENGTH_CM.min || length > PLAUSIBLE_LENGTH_CM.max);
  if (lengthImplausible) {
    doubts.push({
      phrase: 'length implausible',
      warning:
        `The coronal outline measures ${fmt(length)} cm, outside ${PLAUSIBLE_LENGTH_CM.min}–${PLAUSIBLE_LENGTH_CM.max} cm, ` +
        "the range of a spleen's length from infancy to massive splenomegaly: check the calibration and the outline.",
    });
  }
  const coronalThin = thinOutlineDoubt('coronal', length, measured.coronalAreaCm2);
  if (coronalThin) doubts.push(coronalThin);
  // One doubt per view: a thin sliver is said as such, else a transverse outline too narrow for
  // the coronal length (a blob or a fragment). Only against a coronal length that is itself
  // believable: beside a stripe or a wrong coronal scale, a real transverse outline would be
  // blamed for the coronal one's fault.
  const transverseThin = thinOutlineDoubt('transverse', width, measured.transverseAreaCm2);
  if (transverseThin) doubts.push(transverseThin);
  else if (
    !coronalThin &&
    !lengthImplausible &&
    length !== null &&
    width !== null &&
    width < NARROWEST_TRANSVERSE * length
  ) {
    doubts.push({
      phrase: OUTLINE_IMPLAUSIBLE.transverse,
      warning:
        `The transverse outline is ${fmt(width)} cm wide against a coronal length of ${fmt(length)} cm ` +
        `(${percent(width / length)}), where a spleen's transverse section is at least ${percent(NARROWEST_TRANSVERSE)} as wide as the spleen is long: ` +
        'it looks like a blob or a fragment, not the section through the spleen. ' +
        'Check the transverse outline against the image and correct it; the two-view volume rests on it.',
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
