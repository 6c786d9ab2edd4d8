/**
 * What a case's sign-off confirmed having checked, for its report: the reader and the checkFirst
 * phrases of the case.sign-off audit entry (CaseStore.signOff), when that sign-off still stands and
 * was of the estimate the report shows. A report of a case not signed off, unlocked since, or whose
 * sign-off entry names another estimate gets none, so its verdicts stay unverified.
 */
import { z } from 'zod';
import type { CaseStore } from '../store/store';
import type { CaseRow, EstimateRow } from '../store/types';

/**
 * The part of a case.sign-off entry's detail read here. An entry written before sign-off recorded
 * what was checked has no `checked`: it confirmed nothing.
 */
const SignOffDetailSchema = z.object({
  estimateId: z.number(),
  checked: z.array(z.string()).optional(),
});

export interface SignOffChecks {
  /** Who signed off (the entry's actor). */
  reader: string;
  /** The checkFirst phrases the reader confirmed having checked. */
  checked: string[];
}

export function signOffChecks(
  store: CaseStore,
  row: Pick<CaseRow, 'id' | 'status'>,
  estimate: Pick<EstimateRow, 'id'>,
): SignOffChecks | null {
  // Unlocked since (or never signed off): the latest sign-off entry no longer stands.
  if (row.status !== 'signed-off') return null;
  const entry = store.auditLog(row.id).findLast((a) => a.action === 'case.sign-off');
  if (!entry) return null;
  // A detail of another shape (a damaged or foreign row) confirms nothing, rather than fail a report.
  const detail = SignOffDetailSchema.safeParse(entry.detail);
  if (!detail.success || detail.data.estimateId !== estimate.id) return null;
  return { reader: entry.actor, checked: detail.data.checked ?? [] };
}
