// @vitest-environment happy-dom
/**
 * The worklist shows a signed-off case's check-first items as done (the store took the sign-off
 * only with each confirmed), an open case's as ⚠, and an old estimate's "inputs not checked" as
 * open even when signed off (that sign-off confirmed nothing).
 */
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { WorklistEntry } from '../../src/api/store-contract';
import { INPUTS_NOT_CHECKED } from '../../src/clinical/check-first';
import { Worklist } from '../../renderer/review/Worklist';
import { worklistEntry } from './renderer-fixtures';

afterEach(cleanup);

const entry = (caseId: string, status: 'in-review' | 'signed-off', checkFirst: string[]) => {
  const e = worklistEntry(caseId, status, Number(caseId.slice(1)));
  return {
    ...e,
    case: { ...e.case, volumeMl: 160, ci95Ml: [120, 210], checkFirst },
  } as WorklistEntry;
};

describe('the worklist’s check-first marks', () => {
  it('reads done once signed off, open before, and open for an old unchecked estimate', () => {
    const entries = [
      entry('c1', 'in-review', ['views look swapped']),
      entry('c2', 'signed-off', ['uncertain AI transverse outline']),
      entry('c3', 'signed-off', [INPUTS_NOT_CHECKED]),
    ];
    render(
      <Worklist
        entries={entries}
        visible={entries}
        filter="all"
        selectedCaseId={null}
        viewerCaseId={null}
        onFilter={() => undefined}
        onSelect={() => undefined}
        onStep={() => undefined}
        onOpen={() => undefined}
      />,
    );
    expect(screen.getByTestId('worklist-check-first-c1').textContent).toBe('⚠ views look swapped');
    expect(screen.queryByTestId('worklist-check-first-c2')).toBeNull();
    expect(screen.getByTestId('worklist-checked-c2').textContent).toBe('✓ checked at sign-off');
    expect(screen.getByTestId('worklist-check-first-c3').textContent).toContain(INPUTS_NOT_CHECKED);
    expect(screen.queryByTestId('worklist-checked-c3')).toBeNull();
  });
});
