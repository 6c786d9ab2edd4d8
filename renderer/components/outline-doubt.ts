/**
 * How the viewer says that an outline is no spleen's (src/engine/input-doubts.ts: a stripe, a
 * sliver, a blob). Unlike the other doubts (swapped views, a scale to check), the reader's remedy
 * is in the viewer itself: correct the outline. And the volume from it "means nothing", so the
 * number is shown as unverified next to the sentence that says what to do. Pure.
 */
import type { ViewName } from '../../src/api';
import { OUTLINE_IMPLAUSIBLE } from '../../src/clinical/check-first';

const OUTLINE_PHRASES: readonly string[] = Object.values(OUTLINE_IMPLAUSIBLE);

/** The views whose outline `inputDoubts` calls implausible, coronal first. */
export function implausibleOutlines(inputDoubts: readonly string[] | undefined): ViewName[] {
  return (['coronal', 'transverse'] as const).filter((view) =>
    (inputDoubts ?? []).includes(OUTLINE_IMPLAUSIBLE[view]),
  );
}

/** The doubts other than an implausible outline: what the reader checks outside the outline. */
export function otherInputDoubts(inputDoubts: readonly string[] | undefined): string[] {
  return (inputDoubts ?? []).filter((phrase) => !OUTLINE_PHRASES.includes(phrase));
}

const outlinesText = (views: readonly ViewName[]): string =>
  views.length === 1 ? `${views[0]} outline is` : `${views.join(' and ')} outlines are`;

/**
 * "The coronal outline is not a spleen's shape: correct it on the image (…); until then this volume
 * means nothing.", said at the volume. Short: the engine's warning below gives the measurements.
 */
export function outlineCaveatText(views: readonly ViewName[]): string {
  const it = views.length === 1 ? 'it' : 'them';
  return (
    `The ${outlinesText(views)} not a spleen's shape: correct ${it} on the image ` +
    '(brush, Lasso +, Undo or Reset to AI); until then this volume means nothing.'
  );
}

/** Said above the formula table: its DeepSPV volume and mask lengths come from that outline. */
export function outlineComparisonText(views: readonly ViewName[]): string {
  return (
    `The ${outlinesText(views)} not a spleen's shape: DeepSPV's volume, and the formulas' ` +
    'volumes from its mask lengths, mean nothing until the outline is corrected.'
  );
}

/** The title of a volume shown unverified: why the number is not one to use. */
export function unverifiedVolumeTitle(views: readonly ViewName[]): string {
  const it = views.length === 1 ? 'it' : 'them';
  return `Not a volume to use: the ${outlinesText(views)} not a spleen's shape. Correct ${it} first.`;
}
