/** Pure worklist logic: status filters, next/previous among the visible cases, time on a case. */
import type { CaseStatus, WorklistEntry } from '../../src/api/store-contract';

export const STATUS_LABELS: Record<CaseStatus, string> = {
  new: 'New',
  'ai-ready': 'AI ready',
  'in-review': 'In review',
  corrected: 'Corrected',
  'signed-off': 'Signed off',
  flagged: 'Flagged',
};

export type StatusFilter = CaseStatus | 'all' | 'open';

/** 'open' = everything not signed off yet: what is left to do. */
export function visibleEntries(
  entries: readonly WorklistEntry[],
  filter: StatusFilter,
): WorklistEntry[] {
  if (filter === 'all') return [...entries];
  if (filter === 'open') return entries.filter((e) => e.case.status !== 'signed-off');
  return entries.filter((e) => e.case.status === filter);
}

/**
 * The case `step` places away from `current` among the visible ones (clamped at the ends); the
 * first visible case when `current` is not visible (e.g. it was just filtered out).
 */
export function stepCase(
  visible: readonly WorklistEntry[],
  current: string | null,
  step: 1 | -1,
): string | null {
  if (visible.length === 0) return null;
  const index = visible.findIndex((e) => e.case.caseId === current);
  if (index < 0) return visible[step > 0 ? 0 : visible.length - 1].case.caseId;
  return visible[Math.min(visible.length - 1, Math.max(0, index + step))].case.caseId;
}

export function countByStatus(entries: readonly WorklistEntry[]): Record<CaseStatus, number> {
  const counts: Record<CaseStatus, number> = {
    new: 0,
    'ai-ready': 0,
    'in-review': 0,
    corrected: 0,
    'signed-off': 0,
    flagged: 0,
  };
  for (const e of entries) counts[e.case.status]++;
  return counts;
}

/**
 * Time on the case in front of the reader: started when a case is selected, stopped when another
 * is or the panel goes away; `stop` returns the milliseconds to record (0 when nothing ran).
 */
export class CaseTimer {
  private caseId: string | null = null;
  private since = 0;

  constructor(private readonly now: () => number = () => Date.now()) {}

  start(caseId: string): { caseId: string; ms: number } | null {
    const finished = this.stop();
    this.caseId = caseId;
    this.since = this.now();
    return finished;
  }

  stop(): { caseId: string; ms: number } | null {
    if (this.caseId === null) return null;
    const finished = { caseId: this.caseId, ms: Math.max(0, Math.round(this.now() - this.since)) };
    this.caseId = null;
    return finished;
  }
}

export function formatDuration(ms: number | null): string {
  if (ms === null) return '—';
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
}
