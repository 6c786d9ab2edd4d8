/**
 * The report's Warnings once a sign-off confirmed every item the estimate asked to check first:
 * a warning that belongs to a confirmed item ("… correct it before relying on the volume") would
 * read as unresolved next to "Checked by … at sign-off", so it is printed with who checked it, its
 * own text kept whole (what was found stays on the record). Warnings of nothing to check (a mask
 * touching the border, a provider note) print as they are. Pure.
 *
 * The estimate keeps its warnings as sentences and its check-first items as phrases, with no link
 * between them, so each item's warning is known here by the words the engine writes it with
 * (src/engine/input-doubts.ts for the doubts, src/engine/estimator.ts for an uncertain outline);
 * test/unit/report-edges-warnings.test.ts holds this against the engine's own sentences.
 */
import {
  OUTLINE_IMPLAUSIBLE,
  UNLIKE_TRAINING_DATA,
  VIEWS_LOOK_SWAPPED,
} from '../clinical/check-first';

type View = 'coronal' | 'transverse';
const VIEWS: readonly View[] = ['coronal', 'transverse'];

/** Each check-first phrase with how its warning begins or what it says. */
const WARNING_OF_ITEM: readonly { phrase: string; belongs: (warning: string) => boolean }[] = [
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
    // check-first.ts: `uncertain AI ${view} outline`; estimator.ts: "The AI's <view> outline is uncertain".
    {
      phrase: `uncertain AI ${view} outline`,
      belongs: (w: string) => w.startsWith(`The AI's ${view} outline is uncertain`),
    },
  ]),
];

/** The check-first phrase `warning` belongs to, or null for a warning of nothing to check. */
export function checkItemOfWarning(warning: string): string | null {
  return WARNING_OF_ITEM.find((item) => item.belongs(warning))?.phrase ?? null;
}

/**
 * The warnings as the report prints them: each that belongs to an item of `confirmed` (the sign-off's
 * checked phrases, null when nothing was confirmed) begins with who checked it at sign-off.
 */
export function warningsAsPrinted(
  warnings: readonly string[],
  confirmed: { reader: string; checked: readonly string[] } | null,
): string[] {
  if (confirmed === null) return [...warnings];
  return warnings.map((warning) => {
    const item = checkItemOfWarning(warning);
    return item !== null && confirmed.checked.includes(item)
      ? `Checked by ${confirmed.reader} at sign-off (${item}): ${warning}`
      : warning;
  });
}
