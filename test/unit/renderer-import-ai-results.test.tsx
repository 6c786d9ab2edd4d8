/**
 * The Review tab's import result lists what the AI found per case (ImportReport.ai): a volume, or
 * why there is none, and what to check first, the count of cases to look at in its summary.
 */
// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, render } from '@testing-library/react';
import { ImportAiResults } from '../../renderer/review/ImportAiResults';
import type { ImportAiResult } from '../../src/api/store-contract';

const estimated: ImportAiResult = {
  caseId: '2',
  title: 'sample-01',
  volumeMl: 62.4,
  ci95Ml: [48.2, 79.1],
  mode: 'dual',
  classification: [],
  noVolumeReason: null,
  checkFirst: [],
};

afterEach(cleanup);

describe('the import result’s AI lines', () => {
  it('says each case’s volume, or why there is none, and what to check first', () => {
    const view = render(
      <ImportAiResults
        results={[
          estimated,
          {
            ...estimated,
            caseId: '3',
            title: 'sample-02',
            volumeMl: null,
            ci95Ml: null,
            mode: null,
            noVolumeReason: 'sample-02_coronal.png has no calibration',
          },
          { ...estimated, caseId: '4', title: 'sample-05', checkFirst: ['views look swapped'] },
        ]}
      />,
    );
    const lines = view.getAllByTestId('import-ai-result').map((li) => li.textContent);
    expect(lines).toEqual([
      'Case 2 sample-01: 62 mL (95% interval 48 mL – 79 mL), dual-view model',
      'Case 3 sample-02: no volume: sample-02_coronal.png has no calibration',
      'Case 4 sample-05: 62 mL (95% interval 48 mL – 79 mL), dual-view model ⚠ check first: views look swapped',
    ]);
    const details = view.getByTestId('import-ai-results') as HTMLDetailsElement;
    expect(details.querySelector('summary')!.textContent).toBe(
      'AI results for 3 case(s): 2 without a volume or to check first',
    );
  });

  it('says only the count when every case got a volume with nothing to check', () => {
    const view = render(<ImportAiResults results={[estimated]} />);
    expect(view.getByTestId('import-ai-results').querySelector('summary')!.textContent).toBe(
      'AI results for 1 case(s)',
    );
  });
});
