/**
 * What the sign-off step says for each thing an estimate asks to check first (CaseSummary.checkFirst,
 * src/clinical/check-first.ts and src/engine/input-doubts.ts): what the reader confirms having
 * concluded, not merely that they looked, and what to do when the check fails. The phrase itself is
 * what the sign-off sends (the store compares the phrases); only the words on screen come from here.
 * Pure.
 */
import {
  INPUTS_NOT_CHECKED,
  OUTLINE_IMPLAUSIBLE,
  UNLIKE_TRAINING_DATA,
  VIEWS_LOOK_SWAPPED,
} from '../../src/clinical/check-first';

/** One item of the sign-off step: the statement ticked, and the remedy should it not hold. */
export interface CheckFirstStep {
  /** What the reader confirms by ticking the box. */
  confirm: string;
  /** What to do instead of signing off when the check fails; null when there is nothing to add. */
  remedy: string | null;
}

/** The remedy for a wrong calibration: only one the reader drew can be redrawn in the viewer. */
const RECALIBRATE =
  'Recalibrate in the toolbar (with that view active) redraws a calibration you drew; one read from the image file cannot be redrawn there: flag the case instead';

export function checkFirstStep(phrase: string): CheckFirstStep {
  if (phrase === VIEWS_LOOK_SWAPPED)
    return {
      confirm: 'I have checked which image is which: the coronal one shows the long axis.',
      remedy: 'If they are swapped, Cancel and use Swap coronal ⇄ transverse.',
    };
  const uncertain = /^uncertain AI (coronal|transverse) outline$/.exec(phrase);
  if (uncertain)
    return {
      confirm: `I have checked the AI's ${uncertain[1]} outline against the image.`,
      remedy: 'Correct it in the viewer if it is wrong (an edited outline clears this).',
    };
  const scale = /^(coronal|transverse) scale implausible$/.exec(phrase);
  if (scale)
    return {
      confirm: `I have checked the calibration of the ${scale[1]} view (its mm per pixel is outside the usual range) against its depth ruler.`,
      remedy: `If it is wrong, Cancel and correct it: ${RECALIBRATE}.`,
    };
  if (phrase === 'length implausible')
    return {
      confirm:
        "I have checked the calibration and the coronal outline (its length is outside a spleen's range).",
      remedy: `If the outline is wrong, correct it in the viewer; if the calibration is wrong, Cancel and correct it: ${RECALIBRATE}.`,
    };
  for (const view of ['coronal', 'transverse'] as const)
    if (phrase === OUTLINE_IMPLAUSIBLE[view])
      return {
        confirm: `I have checked the ${view} outline against the image: it is the spleen's section, not a stripe, a sliver or a fragment.`,
        remedy: 'If it is not, correct or redraw it in the viewer; the case is estimated again.',
      };
  if (phrase === UNLIKE_TRAINING_DATA)
    return {
      confirm:
        'I have compared the volume with the length-based formulas and the images: this spleen is unlike the cases the model was trained on.',
      remedy:
        'Check the outlines first (an outline that is wrong makes a case look unusual); if the volume and the formulas still disagree, report the formulas or flag the case.',
    };
  if (phrase === INPUTS_NOT_CHECKED)
    return {
      confirm: 'I have had this case estimated again by this version, with its checks.',
      remedy:
        'Its volume was estimated before this version checked views, scale and outline: open it in the viewer, which estimates it again, then sign off.',
    };
  // A phrase this version does not know (a newer engine): said as it is, still to be ticked.
  return { confirm: `I have checked: ${phrase}.`, remedy: null };
}
