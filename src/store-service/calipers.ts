/**
 * The reader's calipers on a stored case: the lengths the formulas used, saved when they change,
 * and the lines drawn, read back so that reports redraw the lines an estimate used.
 */
import {
  CALIPER_VIEW,
  LENGTH_KINDS,
  type CaliperLine,
  type Estimate,
  type Lengths,
} from '../api/contract';
import type { CaseStore } from '../store/store';
import type { MeasurementInput } from '../store/types';

/** What the reader measured with calipers: the lengths the formulas used and the lines drawn. */
export interface ReaderCalipers {
  lengths: Partial<Lengths> | null;
  lines: readonly CaliperLine[] | null;
}

/**
 * The reader's calipers of an estimate: the lengths as the engine took them (each line measured
 * there, so a line sent without its length is kept too) and the lines the request sent.
 */
export function readerCalipers(
  estimate: Pick<Estimate, 'caliperLengths'>,
  req: { caliperLines?: readonly CaliperLine[] | null },
): ReaderCalipers {
  return { lengths: estimate.caliperLengths ?? null, lines: req.caliperLines ?? null };
}

/**
 * The reader's caliper lengths (cm), stored when they change: what the formulas used, with the
 * caliper's end points when the UI sent them (reports redraw the reader's own lines). A kind's
 * newest line is the one the engine measured, so it is the one stored.
 */
export function recordCalipers(
  store: CaseStore,
  caseId: number,
  calipers: ReaderCalipers | null,
  author: string,
): void {
  if (!calipers?.lengths) return;
  const last = new Map(store.measurements(caseId).map((m) => [m.kind, m.valueCm]));
  for (const kind of LENGTH_KINDS) {
    const value = calipers.lengths[kind];
    if (value === null || value === undefined || last.get(kind) === value) continue;
    // The cranio-caudal length is read on the coronal view; the others where their calipers are drawn.
    const view = kind === 'craniocaudal' ? 'coronal' : CALIPER_VIEW[kind];
    const line = calipers.lines?.findLast((l) => l.kind === kind && l.view === view);
    const points = line ? ([line.a, line.b] as MeasurementInput['points']) : null;
    store.addMeasurement({ caseId, view, kind, valueCm: value, points, author });
  }
}

/**
 * The caliper lines behind an estimate: for each length the estimate took from a caliper, the line
 * the engine measured for it. Lengths measured on the mask (or typed in without a line) draw no
 * line, even when an older caliper of that kind is stored: the figure must show what the numbers
 * used. An estimate saved before the app recorded its caliper lengths draws none.
 */
export function estimateCaliperLines(
  store: CaseStore,
  caseId: number,
  saved: { estimate: Pick<Estimate, 'caliperLengths'>; caliperLines?: readonly CaliperLine[] },
): CaliperLine[] {
  const lines: CaliperLine[] = [];
  const measurements = saved.caliperLines ? [] : store.measurements(caseId);
  for (const kind of Object.keys(CALIPER_VIEW) as CaliperLine['kind'][]) {
    const valueCm = saved.estimate.caliperLengths?.[kind];
    if (valueCm === null || valueCm === undefined) continue;
    if (saved.caliperLines) {
      // Saved with the estimate: of a kind's lines the engine measured the newest.
      const line = saved.caliperLines.findLast((l) => l.kind === kind);
      if (line) lines.push(line);
      continue;
    }
    // Saved before the lines were kept with the estimate: the newest stored measurement of that
    // kind and length (a length is stored again only when it changes, so that is its line).
    const m = measurements.findLast((m) => m.kind === kind && Math.abs(m.valueCm - valueCm) < 1e-9);
    if (m?.points) lines.push({ view: m.view, kind, a: m.points[0], b: m.points[1] });
  }
  return lines;
}

/**
 * The caliper lines a saved estimate used, as a reopened case or an accepted AI mask takes them
 * again: those saved with it, or (saved before schema 5) the ones behind its caliper lengths.
 */
export function savedCaliperLines(
  store: CaseStore,
  caseId: number,
  saved: { estimate: Pick<Estimate, 'caliperLengths'>; caliperLines?: readonly CaliperLine[] },
): CaliperLine[] {
  return [...(saved.caliperLines ?? estimateCaliperLines(store, caseId, saved))];
}
