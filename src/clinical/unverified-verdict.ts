/**
 * How a reference verdict is said while its estimate asks the reader to check something first
 * (checkFirst: an uncertain AI outline, views that look swapped, an implausible scale or length).
 * A "normal" computed from a volume that may be ten times off, or from the wrong view, is not a
 * finding: the viewer shows it neutral (neither green nor red) as "normal?", with what it rests
 * on in its tooltip, and the report prints it as unverified until a sign-off confirmed every item
 * (then it says who checked them). One wording for every place a verdict is shown. Pure.
 */
import type { Classification } from '../api/contract';

export interface ShownVerdict {
  /** The status as shown: `normal`, or `normal?` while it rests on something to check first. */
  label: string;
  /** Whether the verdict rests on something to check first: shown neutral, never green or red. */
  unverified: boolean;
  /** What the verdict rests on ("rests on: views look swapped; …"), or null when nothing. */
  restsOn: string | null;
}

/** "rests on: views look swapped; length implausible: check them first". */
export function restsOnText(toCheck: readonly string[]): string {
  return `rests on: ${toCheck.join('; ')}: check ${toCheck.length === 1 ? 'it' : 'them'} first`;
}

/** "Unverified: these verdicts rest on: views look swapped. Check it first.", said under them. */
export function unverifiedVerdictsText(toCheck: readonly string[]): string {
  return `Unverified: these verdicts rest on: ${toCheck.join('; ')}. Check ${toCheck.length === 1 ? 'it' : 'them'} first.`;
}

/**
 * The verdict `status` as shown beside an estimate whose checkFirst list is `toCheck`. "unknown"
 * is no verdict (no limit applies), so it reads the same either way.
 */
export function shownVerdict(
  status: Classification['status'],
  toCheck: readonly string[],
): ShownVerdict {
  if (toCheck.length === 0 || status === 'unknown')
    return { label: status, unverified: false, restsOn: null };
  return { label: `${status}?`, unverified: true, restsOn: restsOnText(toCheck) };
}

/**
 * Each verdict with its limit as a table cell says it ("normal: adult volume ≤ 314 mL", or
 * "normal?: …" while it rests on `toCheck`): spv batch's and the session summary's verdicts.
 */
export function verdictsInWords(
  classification: readonly Pick<Classification, 'status' | 'limitText'>[],
  toCheck: readonly string[],
): string[] {
  return classification.map((c) => `${shownVerdict(c.status, toCheck).label}: ${c.limitText}`);
}

/**
 * What the estimate still asks to check before its verdicts stand: nothing once a sign-off
 * confirmed every item of `toCheck` (`confirmed`: the sign-off's `checked` list, null for a case
 * not signed off), else all of it. A sign-off that confirmed only some items settles none: the
 * store refuses one, and a report must not read settled on a partial record.
 */
export function stillToCheck(
  toCheck: readonly string[],
  confirmed: readonly string[] | null,
): readonly string[] {
  return confirmed !== null && toCheck.every((phrase) => confirmed.includes(phrase)) ? [] : toCheck;
}

/**
 * "Checked by Dr. A at sign-off: views look swapped; length implausible.", said where the caveat
 * was once the reader confirmed every item at sign-off. No date: an anonymised report says it too.
 */
export function checkedAtSignOffText(reader: string, checked: readonly string[]): string {
  return `Checked by ${reader} at sign-off: ${checked.join('; ')}.`;
}
