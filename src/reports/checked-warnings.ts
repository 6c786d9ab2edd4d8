/**
 * The report's Warnings once a sign-off confirmed every item the estimate asked to check first:
 * a warning that belongs to a confirmed item ("… correct it before relying on the volume") would
 * read as unresolved next to "Checked by … at sign-off", so it is printed with who checked it, its
 * own text kept whole (what was found stays on the record). Warnings of nothing to check (a mask
 * touching the border, a provider note) print as they are. Pure.
 *
 * Which warning belongs to which item is the estimate's own link (checkFirstWarnings, written by
 * src/engine/estimator.ts). An estimate saved before that link existed has none: its items'
 * warnings are then recognised by the words the engine wrote them with at the time (the fallback
 * below, test/unit/report-edges-warnings.test.ts), so that its signed-off report still prints as
 * it did. New wording needs no change here.
 */
import type { Estimate } from '../api/contract';
import {
  OUTLINE_IMPLAUSIBLE,
  UNLIKE_TRAINING_DATA,
  VIEWS_LOOK_SWAPPED,
  uncertainOutlinePhrase,
} from '../clinical/check-first';

type View = 'coronal' | 'transverse';
const VIEWS: readonly View[] = ['coronal', 'transverse'];

/**
 * FALLBACK FOR ESTIMATES SAVED BEFORE checkFirstWarnings: each check-first phrase with how its
 * warning began or what it said in the engine of that time (src/engine/input-doubts.ts for the
 * doubts, src/engine/estimator.ts for an uncertain outline). Frozen: those stored sentences do not
 * change, and a new estimate carries its link, so a rewording in the engine needs nothing here.
 */
const WARNING_OF_ITEM_BY_WORDING: readonly {
  phrase: string;
  belongs: (warning: string) => boolean;
}[] = [
  { phrase: VIEWS_LOOK_SWAPPED, belongs: (w) => w.includes('the two images look swapped') },
  {
    phrase: UNLIKE_TRAINING_DATA,
    belongs: (w) => w.startsWith('This case is far from the training data'),
  },
  // input-doubts.ts writes this phrase as a literal; the warning gives the coronal length.
  {
    phrase: 'length implausible',
    belongs: (w) => /^The coronal outline measures [\d.]+ cm, outside /.test(w),
  },
  ...VIEWS.flatMap((view) => [
    // input-doubts.ts writes these phrases as `${name} scale implausible`.
    {
      phrase: `${view} scale implausible`,
      belongs: (w: string) => w.startsWith(`The ${view} view's scale (`),
    },
    {
      phrase: OUTLINE_IMPLAUSIBLE[view],
      belongs: (w: string) =>
        w.startsWith(`The ${view} outline is on average `) ||
        (view === 'transverse' &&
          /^The transverse outline is [\d.]+ cm wide against a coronal length/.test(w)),
    },
    // estimator.ts wrote: "The AI's <view> outline is uncertain".
    {
      phrase: uncertainOutlinePhrase(view),
      belongs: (w: string) => w.startsWith(`The AI's ${view} outline is uncertain`),
    },
  ]),
];

/**
 * FALLBACK FOR ESTIMATES SAVED BEFORE checkFirstWarnings: the check-first phrase `warning` belongs
 * to by its wording, or null for a warning of nothing to check.
 */
export function checkItemByWording(warning: string): string | null {
  return WARNING_OF_ITEM_BY_WORDING.find((item) => item.belongs(warning))?.phrase ?? null;
}

/**
 * The check-first phrase each warning of `estimate` belongs to (null for a warning of nothing to
 * check): by the estimate's link where it has one, else by wording (an estimate saved before it).
 */
export function checkItemsOfWarnings(
  estimate: Pick<Estimate, 'warnings' | 'checkFirstWarnings'>,
): (string | null)[] {
  const links = estimate.checkFirstWarnings;
  if (links === undefined) return estimate.warnings.map(checkItemByWording);
  const phraseOf = new Map(links.map(({ phrase, warning }) => [warning, phrase]));
  return estimate.warnings.map((warning) => phraseOf.get(warning) ?? null);
}

/**
 * The estimate's warnings as the report prints them: each that belongs to an item of `confirmed`
 * (the sign-off's checked phrases, null when nothing was confirmed) begins with who checked it at
 * sign-off.
 */
export function warningsAsPrinted(
  estimate: Pick<Estimate, 'warnings' | 'checkFirstWarnings'>,
  confirmed: { reader: string; checked: readonly string[] } | null,
): string[] {
  const { warnings } = estimate;
  if (confirmed === null) return [...warnings];
  const items = checkItemsOfWarnings(estimate);
  return warnings.map((warning, i) => {
    const item = items[i];
    return item !== null && confirmed.checked.includes(item)
      ? `Checked by ${confirmed.reader} at sign-off (${item}): ${warning}`
      : warning;
  });
}
