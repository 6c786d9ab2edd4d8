/**
 * The summary of a review session: a row per case (AI and final volumes, Dice between the AI and
 * final masks, time spent), Bland–Altman agreement of AI against final volume and of DeepSPV
 * against each length formula, as numbers, PNG plots and a CSV. The agreement statistics and the
 * mean Dice cover only the cases a reader reviewed (review-state.ts): an unreviewed case's final
 * masks are the AI's own, which would count as perfect agreement.
 */
import { checkFirst } from '../clinical/check-first';
import { limitsForWords } from '../clinical/reference-limits';
import { stillToCheck, verdictsInWords } from '../clinical/unverified-verdict';
import type { SessionSummary, SessionSummaryRow } from '../api/store-contract';
import { decodeMaskPng } from '../store/mask-png';
import type { CaseStore } from '../store/store';
import type { EstimateRow, ViewName } from '../store/types';
import { signOffChecks } from './signoff-checks';
import { blandAltmanPng } from './bland-altman-plot';
import { caseReview } from './review-state';
import { blandAltman, dice, mean } from './stats';

/** A case the statistics leave out, and why. */
export type NotReviewedCase = SessionSummary['notReviewed'][number];

export interface SessionSummaryWithPngs extends SessionSummary {
  pngs: { name: string; fileName: string; png: Buffer }[];
}

/** "2 cases left out: not reviewed or not verified", or null when every case counts. */
export function notReviewedNote(notReviewed: readonly NotReviewedCase[]): string | null {
  const n = notReviewed.length;
  return n ? `${n} case${n === 1 ? '' : 's'} left out: not reviewed or not verified` : null;
}

/**
 * Dice of the AI's mask against the mask behind the final estimate (its numbers' mask): `estimate`
 * is the case's latest estimate, as the caller read it.
 */
async function maskDice(
  store: CaseStore,
  caseId: number,
  estimate: EstimateRow | null,
  view: ViewName,
): Promise<number | null> {
  const ai = store.latestMask(caseId, view, 'ai');
  const finalId = view === 'coronal' ? estimate?.coronalMaskId : estimate?.transverseMaskId;
  const final = finalId ? store.maskById(finalId) : null;
  if (!ai || !final) return null;
  if (ai.id === final.id) return 1;
  const [a, b] = await Promise.all([decodeMaskPng(ai.png), decodeMaskPng(final.png)]);
  return dice(a.mask, b.mask);
}

export async function summariseSession(
  store: CaseStore,
  sessionId: number,
): Promise<SessionSummaryWithPngs> {
  const session = store.getSession(sessionId);
  const rows: SessionSummaryRow[] = [];
  const reviewedRows: SessionSummaryRow[] = [];
  const notReviewed: NotReviewedCase[] = [];
  const formulaNames = new Map<string, string>();
  // The worklist's order (its positions), which the CSV's rows keep: the order the reader read in.
  for (const entry of store.sessionCases(sessionId)) {
    // Each of the case's rows read once, here, and handed to what needs them.
    const c = store.getCase(entry.caseId);
    const final = store.latestEstimate(c.id);
    const review = caseReview(store, c.id, { row: c, latestEstimate: final });
    if (review.notReviewedReason !== null)
      notReviewed.push({ caseId: String(c.id), reason: review.notReviewedReason });
    const reviewed = review.notReviewedReason === null;
    const ai = store.latestEstimate(c.id, 'ai');
    const formulas: Record<string, number | null> = {};
    for (const f of final?.estimate.formulas ?? []) {
      formulas[f.id] = f.volumeMl;
      formulaNames.set(f.id, f.name);
    }
    const asked = final ? checkFirst(final.estimate) : [];
    const checkedAtSignOff = final ? (signOffChecks(store, c, final)?.checked ?? []) : [];
    // As the report says them: unverified until a standing sign-off confirmed what they rest on.
    const toCheck = stillToCheck(asked, c.status === 'signed-off' ? checkedAtSignOff : null);
    const row: SessionSummaryRow = {
      caseId: String(c.id),
      title: c.title,
      patientKey: c.patientKey,
      status: c.status,
      aiVolumeMl: ai?.estimate.volumeMl ?? null,
      finalVolumeMl: final?.estimate.volumeMl ?? null,
      finalCi95Ml: final?.estimate.ci95Ml ?? null,
      // Unreviewed, the final masks are the AI's: a Dice of 1 would say nothing.
      diceCoronal: reviewed ? await maskDice(store, c.id, final, 'coronal') : null,
      diceTransverse: reviewed ? await maskDice(store, c.id, final, 'transverse') : null,
      timeSpentMs: entry.timeSpentMs,
      formulas,
      flagComment: c.flagComment,
      signedOffBy: c.signedOffBy,
      signedOffAt: c.signedOffAt,
      checkFirst: asked,
      viewsSwapped: store.viewsSwappedSinceImport(c.id),
      checkedAtSignOff,
      verdicts: final ? verdictsInWords(final.estimate.classification, toCheck) : [],
      limitsFor: final?.patient === undefined ? null : limitsForWords(final.patient),
    };
    rows.push(row);
    // Reviewed, but its estimate still asks to check something no sign-off confirmed (a stripe
    // for an outline, views that look swapped): its volume is no reader's verified result, and one
    // such case (a -860 mL "difference") would set the limits of agreement on its own.
    const unconfirmed = row.checkFirst.filter((p) => !row.checkedAtSignOff.includes(p));
    if (reviewed && unconfirmed.length > 0)
      notReviewed.push({
        caseId: row.caseId,
        reason: `not verified: its estimate asks to check first (${unconfirmed.join('; ')}) and no sign-off confirmed it`,
      });
    else if (reviewed) reviewedRows.push(row);
  }

  const comparisons: {
    name: string;
    fileName: string;
    yLabel: string;
    pairs: [number, number][];
  }[] = [
    {
      name: 'AI vs final',
      fileName: 'bland-altman-ai-vs-final.png',
      yLabel: 'AI − final (mL)',
      pairs: reviewedRows
        .filter((r) => r.aiVolumeMl !== null && r.finalVolumeMl !== null)
        .map((r) => [r.aiVolumeMl!, r.finalVolumeMl!]),
    },
  ];
  for (const [id, name] of formulaNames) {
    comparisons.push({
      name: `DeepSPV vs ${name}`,
      fileName: `bland-altman-deepspv-vs-${id.replace(/[^a-z0-9-]+/gi, '-')}.png`,
      yLabel: `DeepSPV − ${name} (mL)`,
      pairs: reviewedRows
        .filter((r) => r.finalVolumeMl !== null && r.formulas[id] != null)
        .map((r) => [r.finalVolumeMl!, r.formulas[id]!]),
    });
  }

  const blandAltmanRows: SessionSummary['blandAltman'] = [];
  const plots: SessionSummary['plots'] = [];
  const pngs: SessionSummaryWithPngs['pngs'] = [];
  for (const c of comparisons) {
    const stats = blandAltman(c.pairs);
    blandAltmanRows.push({
      name: c.name,
      n: stats.n,
      meanDifferenceMl: stats.meanDifference,
      limitsOfAgreementMl: stats.limitsOfAgreement,
    });
    const png = await blandAltmanPng(stats, {
      title: `Bland–Altman: ${c.name}`,
      yLabel: c.yLabel,
      note: notReviewedNote(notReviewed),
    });
    pngs.push({ name: c.name, fileName: c.fileName, png });
    plots.push({ name: c.name, pngDataUrl: `data:image/png;base64,${png.toString('base64')}` });
  }

  const dices = reviewedRows
    .flatMap((r) => [r.diceCoronal, r.diceTransverse])
    .filter((d): d is number => d !== null);
  const timed = rows.filter((r) => r.timeSpentMs > 0).map((r) => r.timeSpentMs);
  return {
    sessionId: String(session.id),
    reader: session.reader,
    rows,
    meanTimePerCaseMs: mean(timed),
    meanDice: mean(dices),
    blandAltman: blandAltmanRows,
    plots,
    notReviewed,
    pngs,
  };
}

function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text =
    typeof value === 'number'
      ? Number.isInteger(value)
        ? String(value)
        : value.toFixed(3)
      : // A spreadsheet runs a text cell starting with = + - @ as a formula (a title or comment
        // is typed by whoever imported or flagged the case): a leading ' keeps it text.
        String(value).replace(/^[=+\-@\t\r]/, "'$&");
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * One row per case, in the worklist's order; what its final estimate asks to check first
 * (`check_first`, the checkFirst phrases joined by "; ", beside the volume they put in doubt; they
 * name no patient, so an anonymised export keeps them); one column per formula seen in the
 * session; whether the case is in the session's statistics (no, with the reason, for a case no
 * reader reviewed); then, appended last so that a reader of the earlier columns by position keeps
 * working, whether its views were swapped in the app (`views_swapped`, yes/no), what its
 * standing sign-off confirmed having checked (`checked_at_sign_off`, "; "-joined, empty when
 * nothing), the final estimate's reference verdicts (`verdicts`, "; "-joined, "normal?" while
 * unverified) and whom they were decided for (`limits_for`, empty when anonymised).
 */
export function sessionSummaryCsv(summary: SessionSummary): string {
  const leftOut = new Map(summary.notReviewed.map((c) => [c.caseId, c.reason]));
  const formulaIds = [...new Set(summary.rows.flatMap((r) => Object.keys(r.formulas)))].sort();
  const header = [
    'case_id',
    'title',
    'patient',
    'status',
    'ai_volume_ml',
    'final_volume_ml',
    'final_ci_low_ml',
    'final_ci_high_ml',
    'check_first',
    'dice_coronal',
    'dice_transverse',
    'time_spent_s',
    ...formulaIds.map((id) => `formula_${id}_ml`),
    'signed_off_by',
    'signed_off_at',
    'flag_comment',
    'in_statistics',
    'views_swapped',
    'checked_at_sign_off',
    'verdicts',
    'limits_for',
  ];
  const lines = [header.join(',')];
  for (const r of summary.rows) {
    lines.push(
      [
        r.caseId,
        r.title,
        r.patientKey,
        r.status,
        r.aiVolumeMl,
        r.finalVolumeMl,
        r.finalCi95Ml?.[0],
        r.finalCi95Ml?.[1],
        r.checkFirst.join('; '),
        r.diceCoronal,
        r.diceTransverse,
        r.timeSpentMs / 1000,
        ...formulaIds.map((id) => r.formulas[id]),
        r.signedOffBy,
        r.signedOffAt,
        r.flagComment,
        leftOut.has(r.caseId) ? `no: ${leftOut.get(r.caseId)}` : 'yes',
        r.viewsSwapped ? 'yes' : 'no',
        r.checkedAtSignOff.join('; '),
        r.verdicts.join('; '),
        r.limitsFor,
      ]
        .map(csvField)
        .join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}
