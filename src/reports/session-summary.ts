/**
 * The summary of a review session: a row per case (AI and final volumes, Dice between the AI and
 * final masks, time spent), Bland–Altman agreement of AI against final volume and of DeepSPV
 * against each length formula, as numbers, PNG plots and a CSV.
 */
import type { SessionSummary, SessionSummaryRow } from '../api/store-contract';
import { decodeMaskPng } from '../store/mask-png';
import type { CaseStore } from '../store/store';
import type { ViewName } from '../store/types';
import { blandAltmanPng } from './bland-altman-plot';
import { blandAltman, dice, mean } from './stats';

export interface SessionSummaryWithPngs extends SessionSummary {
  pngs: { name: string; fileName: string; png: Buffer }[];
}

async function maskDice(store: CaseStore, caseId: number, view: ViewName): Promise<number | null> {
  const ai = store.latestMask(caseId, view, 'ai');
  const final = store.latestMask(caseId, view);
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
  const formulaNames = new Map<string, string>();
  for (const entry of store.sessionCases(sessionId)) {
    const c = store.getCase(entry.caseId);
    const ai = store.latestEstimate(c.id, 'ai');
    const final = store.latestEstimate(c.id);
    const formulas: Record<string, number | null> = {};
    for (const f of final?.estimate.formulas ?? []) {
      formulas[f.id] = f.volumeMl;
      formulaNames.set(f.id, f.name);
    }
    rows.push({
      caseId: String(c.id),
      title: c.title,
      patientKey: c.patientKey,
      status: c.status,
      aiVolumeMl: ai?.estimate.volumeMl ?? null,
      finalVolumeMl: final?.estimate.volumeMl ?? null,
      finalCi95Ml: final?.estimate.ci95Ml ?? null,
      diceCoronal: await maskDice(store, c.id, 'coronal'),
      diceTransverse: await maskDice(store, c.id, 'transverse'),
      timeSpentMs: entry.timeSpentMs,
      formulas,
      flagComment: c.flagComment,
      signedOffBy: c.signedOffBy,
      signedOffAt: c.signedOffAt,
    });
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
      pairs: rows
        .filter((r) => r.aiVolumeMl !== null && r.finalVolumeMl !== null)
        .map((r) => [r.aiVolumeMl!, r.finalVolumeMl!]),
    },
  ];
  for (const [id, name] of formulaNames) {
    comparisons.push({
      name: `DeepSPV vs ${name}`,
      fileName: `bland-altman-deepspv-vs-${id.replace(/[^a-z0-9-]+/gi, '-')}.png`,
      yLabel: `DeepSPV − ${name} (mL)`,
      pairs: rows
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
    const png = await blandAltmanPng(stats, { title: `Bland–Altman: ${c.name}`, yLabel: c.yLabel });
    pngs.push({ name: c.name, fileName: c.fileName, png });
    plots.push({ name: c.name, pngDataUrl: `data:image/png;base64,${png.toString('base64')}` });
  }

  const dices = rows
    .flatMap((r) => [r.diceCoronal, r.diceTransverse])
    .filter((d): d is number => d !== null);
  const reviewed = rows.filter((r) => r.timeSpentMs > 0).map((r) => r.timeSpentMs);
  return {
    sessionId: String(session.id),
    reader: session.reader,
    rows,
    meanTimePerCaseMs: mean(reviewed),
    meanDice: mean(dices),
    blandAltman: blandAltmanRows,
    plots,
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
      : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One row per case; one column per formula seen in the session. */
export function sessionSummaryCsv(summary: SessionSummary): string {
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
    'dice_coronal',
    'dice_transverse',
    'time_spent_s',
    ...formulaIds.map((id) => `formula_${id}_ml`),
    'signed_off_by',
    'signed_off_at',
    'flag_comment',
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
        r.diceCoronal,
        r.diceTransverse,
        r.timeSpentMs / 1000,
        ...formulaIds.map((id) => r.formulas[id]),
        r.signedOffBy,
        r.signedOffAt,
        r.flagComment,
      ]
        .map(csvField)
        .join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}
