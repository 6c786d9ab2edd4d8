/**
 * The pieces of an estimate the command line says in more than one place (`spv estimate`'s table,
 * `spv import --ai`'s line per case): one wording for the volume, its interval, the model and the
 * verdicts, which read unverified while the estimate asks to check something first.
 */
import type { Classification, Estimate } from '../api/contract';
import { shownVerdict } from '../clinical/unverified-verdict';

export const ml = (value: number): string => `${value.toFixed(0)} mL`;

/** "95% interval 48 mL – 79 mL". */
export function intervalText(ci95Ml: readonly [number, number]): string {
  return `95% interval ${ml(ci95Ml[0])} – ${ml(ci95Ml[1])}`;
}

/** "dual-view model": which DeepSPV model gave the volume. */
export function modelText(mode: Estimate['model']): string {
  return `${mode}-view model`;
}

/**
 * "normal (adult volume ≤ 314 mL), normal (adult length ≤ 13.0 cm)": each reference verdict with
 * its limit, "normal?" while it rests on something to check first (`toCheck`: checkFirst).
 */
export function verdictsText(
  classification: readonly Pick<Classification, 'status' | 'limitText'>[],
  toCheck: readonly string[],
): string {
  return classification
    .map((c) => `${shownVerdict(c.status, toCheck).label} (${c.limitText})`)
    .join(', ');
}

/** "check first: views look swapped; uncertain AI coronal outline". */
export function checkFirstText(toCheck: readonly string[]): string {
  return `check first: ${toCheck.join('; ')}`;
}
