/**
 * The session summary CSV carries what each case's final estimate asks to check first
 * (`check_first`, the checkFirst phrases joined by "; "), beside its volume: a spreadsheet of the
 * session must not list a swapped case's volume as if settled.
 */
import { describe, expect, it } from 'vitest';
import type { SessionSummary, SessionSummaryRow } from '../../src/api/store-contract';
import { sessionSummaryCsv } from '../../src/reports/session-summary';

const row = (caseId: string, checkFirst: string[]): SessionSummaryRow => ({
  caseId,
  title: `sample-${caseId}`,
  patientKey: `P${caseId}`,
  status: 'signed-off',
  aiVolumeMl: 167,
  finalVolumeMl: 167,
  finalCi95Ml: [89, 311],
  diceCoronal: 1,
  diceTransverse: 1,
  timeSpentMs: 1000,
  formulas: {},
  flagComment: null,
  signedOffBy: 'Dr A',
  signedOffAt: null,
  checkFirst,
  viewsSwapped: false,
  checkedAtSignOff: [],
  verdicts: [],
  limitsFor: null,
});

describe('the session summary CSV', () => {
  it('has a check_first column, the phrases joined by "; ", empty when nothing is asked', () => {
    const summary: SessionSummary = {
      sessionId: '1',
      reader: 'Dr A',
      meanTimePerCaseMs: 1000,
      meanDice: 1,
      blandAltman: [],
      plots: [],
      notReviewed: [],
      rows: [row('5', ['views look swapped', 'uncertain AI coronal outline']), row('6', [])],
    };
    const [header, swapped, settled] = sessionSummaryCsv(summary).trimEnd().split('\n');
    const columns = header.split(',');
    const cell = (line: string) => line.split(',')[columns.indexOf('check_first')];
    expect(columns).toContain('check_first');
    // Beside the volume it puts in doubt.
    expect(columns.indexOf('check_first')).toBe(columns.indexOf('final_ci_high_ml') + 1);
    expect(cell(swapped)).toBe('views look swapped; uncertain AI coronal outline');
    expect(cell(settled)).toBe('');
  });
});
