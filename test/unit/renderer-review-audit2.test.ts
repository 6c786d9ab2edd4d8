/**
 * The Review tab's second audit, its pure parts: how an import's report is split for the reader
 * (renderer/review/import-report-parts.ts: files found again after they moved apart from copies,
 * cases the AI could not run on apart from files not imported, each from its own field), and what
 * a case without a volume says about Sign off and Export (whyNoVolume in CaseActions). The
 * end-to-end test (test/e2e/review-audit2.test.ts) runs them on real imports.
 */
import { describe, expect, it } from 'vitest';
import type { ImportReport } from '../../src/api/store-contract';
import { whyNoVolume } from '../../renderer/review/CaseActions';
import { aiFailedText, importReportParts } from '../../renderer/review/import-report-parts';
import { caseSummary } from './renderer-fixtures';

const copyLine = {
  path: '/cases/copy/a_coronal.png',
  reason: 'already imported as /cases/old/a_coronal.png (case 3): the same content (SHA-256)',
};

function report(over: Partial<ImportReport>): ImportReport {
  return {
    imported: [],
    duplicates: [],
    relocated: [],
    failed: [],
    aiFailed: [],
    skipped: [],
    caseIds: [],
    ...over,
  };
}

describe('importReportParts', () => {
  it('lists a file found again after it moved from its own field, apart from a copy left out', () => {
    const moved = {
      path: '/cases/new/a_coronal.png',
      previousPath: '/cases/old/a_coronal.png',
      caseId: '3',
      view: 'coronal' as const,
    };
    const parts = importReportParts(report({ duplicates: [copyLine], relocated: [moved] }));
    expect(parts.relocated).toEqual([moved]);
    expect(parts.duplicates).toEqual([copyLine]);
  });

  it('reads no reason: a duplicate whose words say "moved" stays a duplicate', () => {
    // Before, the split matched "its file had moved" in the reason: a path holding those words
    // would have passed for a relocation.
    const odd = { path: '/its file had moved/a.png', reason: 'already imported as /x (case 1)' };
    const parts = importReportParts(report({ duplicates: [odd] }));
    expect(parts.relocated).toEqual([]);
    expect(parts.duplicates).toEqual([odd]);
  });

  it('does not count a case the AI could not run on among the files not imported', () => {
    const unreadable = { path: '/cases/b_coronal.png', reason: 'not a PNG, JPEG or DICOM file' };
    const aiFailure = { caseId: '8', reason: 'Case 8 has no coronal image: import one first' };
    const parts = importReportParts(
      report({
        imported: [{ path: '/cases/x_transverse.png', caseId: '8', view: 'transverse' }],
        caseIds: ['8'],
        failed: [unreadable],
        aiFailed: [aiFailure],
        ai: [
          {
            caseId: '8',
            title: 'x',
            volumeMl: null,
            ci95Ml: null,
            mode: null,
            classification: [],
            noVolumeReason: `the AI did not run: ${aiFailure.reason}`,
            checkFirst: [],
          },
        ],
      }),
    );
    expect(parts.failedFiles).toEqual([unreadable]);
    // Its AI result says why it has no volume: not said twice.
    expect(parts.aiFailedUnlisted).toEqual([]);
  });

  it('lists a case the AI could not run on when no AI result says it', () => {
    // Without the AI's results, nothing else would say it: it stays listed, as a case.
    const aiFailure = { caseId: '8', reason: 'out of memory' };
    const parts = importReportParts(report({ aiFailed: [aiFailure] }));
    expect(parts.aiFailedUnlisted).toEqual([aiFailure]);
    expect(parts.failedFiles).toEqual([]);
    expect(aiFailedText(aiFailure)).toBe('The AI did not run on case 8: out of memory');
  });

  it('reads a report from a host of the previous version, without the new fields', () => {
    const old = { imported: [], duplicates: [copyLine], failed: [], skipped: [], caseIds: [] };
    // As the renderer gets it: unparsed, so the schema's defaults have not filled the fields in.
    const parts = importReportParts(old as unknown as ImportReport);
    expect(parts.relocated).toEqual([]);
    expect(parts.aiFailedUnlisted).toEqual([]);
    expect(parts.duplicates).toEqual([copyLine]);
  });
});

describe('whyNoVolume', () => {
  it('says nothing for a case with a volume', () => {
    expect(whyNoVolume({ ...caseSummary('1', 'ai-ready'), volumeMl: 120 })).toBeNull();
  });

  it('asks for the calibration of an uncalibrated image, on the depth ruler', () => {
    const why = whyNoVolume({ ...caseSummary('1', 'in-review'), calibrated: false });
    expect(why).toMatch(/no calibration/);
    expect(why).toMatch(/depth ruler/);
  });

  it('asks for the coronal image of a case that has only its transverse one', () => {
    const why = whyNoVolume({ ...caseSummary('1', 'new'), views: ['transverse'] });
    expect(why).toMatch(/no coronal image\. Import its …_coronal image/);
  });

  it('says the AI runs when the case is opened, for a case it has not run on', () => {
    expect(whyNoVolume(caseSummary('1', 'new'))).toMatch(/AI has not outlined it/);
  });

  it('asks for a corrected outline when the outline gives no volume', () => {
    expect(whyNoVolume(caseSummary('1', 'corrected'))).toMatch(/correct the outline/);
  });
});
