/**
 * The Review tab's second audit, its pure parts: how an import's report is split for the reader
 * (renderer/review/import-report-parts.ts: files found again after they moved apart from copies,
 * cases the AI could not run on apart from files not imported), and what a case without a volume
 * says about Sign off and Export (whyNoVolume in CaseActions). The end-to-end test
 * (test/e2e/review-audit2.test.ts) runs them on real imports.
 */
import { describe, expect, it } from 'vitest';
import type { ImportReport } from '../../src/api/store-contract';
import { whyNoVolume } from '../../renderer/review/CaseActions';
import { importReportParts } from '../../renderer/review/import-report-parts';
import { caseSummary } from './renderer-fixtures';

const movedLine = {
  path: '/cases/new/a_coronal.png',
  reason:
    'already imported as /cases/old/a_coronal.png (case 3): the same content (SHA-256); its file had moved: now found here, and the case reads it from here',
};
const copyLine = {
  path: '/cases/copy/a_coronal.png',
  reason: 'already imported as /cases/old/a_coronal.png (case 3): the same content (SHA-256)',
};

function report(over: Partial<ImportReport>): ImportReport {
  return { imported: [], duplicates: [], failed: [], skipped: [], caseIds: [], ...over };
}

describe('importReportParts', () => {
  it('tells a file found again after it moved from a copy left out', () => {
    const parts = importReportParts(report({ duplicates: [movedLine, copyLine] }));
    expect(parts.movedFound).toEqual([movedLine]);
    expect(parts.duplicates).toEqual([copyLine]);
  });

  it('does not count a case the AI could not run on among the files not imported', () => {
    const aiFailure = {
      path: 'case 8',
      reason: 'the AI did not run: Case 8 has no coronal image: import one first',
    };
    const unreadable = { path: '/cases/b_coronal.png', reason: 'not a PNG, JPEG or DICOM file' };
    const parts = importReportParts(
      report({
        imported: [{ path: '/cases/x_transverse.png', caseId: '8', view: 'transverse' }],
        caseIds: ['8'],
        failed: [unreadable, aiFailure],
        ai: [
          {
            caseId: '8',
            title: 'x',
            volumeMl: null,
            ci95Ml: null,
            mode: null,
            classification: [],
            noVolumeReason: aiFailure.reason,
            checkFirst: [],
          },
        ],
      }),
    );
    expect(parts.failedFiles).toEqual([unreadable]);
  });

  it('keeps a "case N" line among the failures when no AI result says it', () => {
    // Without the AI's results, nothing else would say it: it stays listed.
    const line = { path: 'case 8', reason: 'the AI did not run: out of memory' };
    expect(importReportParts(report({ failed: [line] })).failedFiles).toEqual([line]);
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
