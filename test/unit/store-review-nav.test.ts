import { describe, it, expect } from 'vitest';
import {
  CaseTimer,
  countByStatus,
  formatDuration,
  stepCase,
  visibleEntries,
} from '../../renderer/review/worklist-nav';
import type { CaseStatus, WorklistEntry } from '../../src/api/store-contract';
import { worklistEntry } from './renderer-fixtures';

function entry(caseId: string, status: CaseStatus): WorklistEntry {
  return worklistEntry(caseId, status, Number(caseId));
}
const list = [
  entry('1', 'signed-off'),
  entry('2', 'in-review'),
  entry('3', 'flagged'),
  entry('4', 'ai-ready'),
];

describe('worklist navigation', () => {
  it('filters by status, with "open" meaning not signed off', () => {
    expect(visibleEntries(list, 'all').map((e) => e.case.caseId)).toEqual(['1', '2', '3', '4']);
    expect(visibleEntries(list, 'open').map((e) => e.case.caseId)).toEqual(['2', '3', '4']);
    expect(visibleEntries(list, 'flagged').map((e) => e.case.caseId)).toEqual(['3']);
  });

  it('steps to the next and previous visible case, clamped at the ends', () => {
    const open = visibleEntries(list, 'open');
    expect(stepCase(open, '2', 1)).toBe('3');
    expect(stepCase(open, '4', 1)).toBe('4');
    expect(stepCase(open, '2', -1)).toBe('2');
    expect(stepCase(open, '1', 1)).toBe('2'); // '1' is filtered out: start at the first visible
    expect(stepCase(open, null, -1)).toBe('4');
    expect(stepCase([], '1', 1)).toBeNull();
  });

  it('counts cases per status', () => {
    expect(countByStatus(list)).toEqual({
      new: 0,
      'ai-ready': 1,
      'in-review': 1,
      corrected: 0,
      'signed-off': 1,
      flagged: 1,
    });
  });

  it('times each case from selection to the next selection', () => {
    let t = 1000;
    const timer = new CaseTimer(() => t);
    expect(timer.start('1')).toBeNull();
    t = 4500;
    expect(timer.start('2')).toEqual({ caseId: '1', ms: 3500 });
    t = 5000;
    expect(timer.stop()).toEqual({ caseId: '2', ms: 500 });
    expect(timer.stop()).toBeNull();
  });

  it('formats durations for the summary', () => {
    expect(formatDuration(null)).toBe('—');
    expect(formatDuration(42_400)).toBe('42 s');
    expect(formatDuration(125_000)).toBe('2 min 05 s');
  });
});
