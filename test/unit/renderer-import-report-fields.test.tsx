/**
 * The Review tab's import result says the files found again after they moved and the cases the AI
 * could not run on from the report's own fields (relocated, aiFailed), never from the words of a
 * reason: CaseBrowser rendered with real reports.
 */
// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, render } from '@testing-library/react';
import { CaseBrowser } from '../../renderer/review/CaseBrowser';
import type { ImportReport } from '../../src/api/store-contract';

afterEach(cleanup);

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

function shown(lastImport: ImportReport) {
  return render(
    <CaseBrowser
      cases={[]}
      lastImport={lastImport}
      busy={false}
      onImport={() => undefined}
      onCreateSession={() => undefined}
    />,
  );
}

describe('the import result (import-report-fields)', () => {
  it('says each file found again after it moved: its case and view, and where it was', () => {
    const view = shown(
      report({
        relocated: [
          {
            path: '/cases/new/a_coronal.png',
            previousPath: '/cases/old/a_coronal.png',
            caseId: '3',
            view: 'coronal',
          },
        ],
      }),
    );
    const items = [...view.getByTestId('import-moved').querySelectorAll('li')];
    expect(items.map((li) => li.textContent)).toEqual([
      'Found again after it moved: /cases/new/a_coronal.png (case 3, coronal), was /cases/old/a_coronal.png',
    ]);
    // Not a copy left out, nor a file not imported.
    expect(view.queryByTestId('import-duplicates')).toBeNull();
    expect(view.queryByTestId('import-failed')).toBeNull();
  });

  it('lists a case the AI could not run on as a case, not as a file not imported', () => {
    const view = shown(
      report({
        imported: [{ path: '/cases/x_transverse.png', caseId: '8', view: 'transverse' }],
        caseIds: ['8'],
        aiFailed: [{ caseId: '8', reason: 'out of memory' }],
      }),
    );
    expect(view.queryByTestId('import-failed')).toBeNull();
    expect(view.getByTestId('import-ai-failed').textContent).toBe(
      'The AI did not run on case 8: out of memory',
    );
  });

  it('leaves the AI failure to the AI results when they list the case', () => {
    const view = shown(
      report({
        imported: [{ path: '/cases/x_transverse.png', caseId: '8', view: 'transverse' }],
        caseIds: ['8'],
        aiFailed: [{ caseId: '8', reason: 'Case 8 has no coronal image' }],
        ai: [
          {
            caseId: '8',
            title: 'x',
            volumeMl: null,
            ci95Ml: null,
            mode: null,
            classification: [],
            noVolumeReason: 'the AI did not run: Case 8 has no coronal image',
            checkFirst: [],
          },
        ],
      }),
    );
    expect(view.queryByTestId('import-ai-failed')).toBeNull();
    expect(view.queryByTestId('import-failed')).toBeNull();
    expect(view.getByTestId('import-ai-result').textContent).toBe(
      'Case 8 x: no volume: the AI did not run: Case 8 has no coronal image',
    );
  });
});
