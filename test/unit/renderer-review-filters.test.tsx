// @vitest-environment happy-dom
/**
 * The Review tab's status filters say what they hide. The worklist's filters all carry their count
 * ("To do" and "All" too) and say which is on; the case browser says when cases ticked under
 * another filter are hidden (they would go into the new session unseen), lets the reader show or
 * unselect them, and never sends a case that is no longer listed.
 */
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CaseSummary } from '../../src/api/store-contract';
import { CaseBrowser } from '../../renderer/review/CaseBrowser';
import { Worklist } from '../../renderer/review/Worklist';
import { visibleEntries, type StatusFilter } from '../../renderer/review/worklist-nav';
import { caseSummary, worklistEntry } from './renderer-fixtures';

afterEach(cleanup);

describe('the worklist’s status filters', () => {
  const entries = [
    worklistEntry('c1', 'ai-ready', 1),
    worklistEntry('c2', 'signed-off', 2),
    worklistEntry('c3', 'corrected', 3),
    worklistEntry('c4', 'signed-off', 4),
  ];
  function worklist(filter: StatusFilter, onFilter = vi.fn()) {
    render(
      <Worklist
        entries={entries}
        visible={visibleEntries(entries, filter)}
        filter={filter}
        selectedCaseId={null}
        viewerCaseId={null}
        onFilter={onFilter}
        onSelect={() => undefined}
        onStep={() => undefined}
        onOpen={() => undefined}
      />,
    );
    return onFilter;
  }

  it('counts every filter, "To do" as the cases not signed off and "All" as the session', () => {
    worklist('open');
    expect(screen.getByTestId('worklist-filter-open').textContent).toBe('To do 2');
    expect(screen.getByTestId('worklist-filter-all').textContent).toBe('All 4');
    expect(screen.getByTestId('worklist-filter-signed-off').textContent).toMatch(/ 2$/);
    expect(screen.getByTestId('worklist-filter-corrected').textContent).toMatch(/ 1$/);
    // The rows shown are those the count says.
    expect(screen.queryByTestId('worklist-row-c2')).toBeNull();
    expect(screen.getByTestId('worklist-row-c3')).toBeTruthy();
  });

  it('says which filter is on, for screen readers as for the eye, and passes a click on', () => {
    const onFilter = worklist('open');
    expect(screen.getByTestId('worklist-filter-open').getAttribute('aria-pressed')).toBe('true');
    expect(screen.getByTestId('worklist-filter-all').getAttribute('aria-pressed')).toBe('false');
    fireEvent.click(screen.getByTestId('worklist-filter-signed-off'));
    expect(onFilter).toHaveBeenCalledWith('signed-off');
  });
});

describe('the case browser’s selection under a status filter', () => {
  const cases: CaseSummary[] = [
    caseSummary('1', 'new'),
    caseSummary('2', 'signed-off'),
    caseSummary('3', 'new'),
  ];
  function browser(list: CaseSummary[], onCreateSession = vi.fn()) {
    const view = render(
      <CaseBrowser
        cases={list}
        lastImport={null}
        busy={false}
        onImport={() => undefined}
        onCreateSession={onCreateSession}
      />,
    );
    return { view, onCreateSession };
  }
  const filterTo = (status: string) =>
    fireEvent.change(screen.getByTestId('case-filter'), { target: { value: status } });

  it('says how many ticked cases the filter hides, and that they go into the session', () => {
    const { onCreateSession } = browser(cases);
    fireEvent.click(screen.getByRole('button', { name: 'Select shown' }));
    expect(screen.getByTestId('selected-hidden').textContent).toBe('');
    filterTo('signed-off');
    expect(screen.getByTestId('selected-hidden').textContent).toMatch(
      /^2 selected cases are not shown by this status filter; they will be in the new session\.$/,
    );
    // Unticking a case shown leaves the one hidden (case 2) said.
    filterTo('new');
    fireEvent.click(screen.getByTestId('case-select-1'));
    expect(screen.getByTestId('selected-hidden').textContent).toMatch(
      /^1 selected case is not shown by this status filter; it will be in the new session\.$/,
    );
    fireEvent.click(screen.getByTestId('create-session'));
    expect(onCreateSession).toHaveBeenCalledWith(['2', '3'], '');
  });

  it('shows them all again, or unselects only the hidden ones', () => {
    const { onCreateSession } = browser(cases);
    fireEvent.click(screen.getByRole('button', { name: 'Select shown' }));
    filterTo('new');
    fireEvent.click(screen.getByTestId('selected-hidden-show'));
    expect((screen.getByTestId('case-filter') as HTMLSelectElement).value).toBe('all');
    expect(screen.getByTestId('selected-hidden').textContent).toBe('');
    filterTo('new');
    fireEvent.click(screen.getByTestId('selected-hidden-drop'));
    expect(screen.getByTestId('selected-hidden').textContent).toBe('');
    expect(screen.getByTestId('create-session').textContent).toBe('New session (2)');
    fireEvent.click(screen.getByTestId('create-session'));
    expect(onCreateSession).toHaveBeenCalledWith(['1', '3'], '');
  });

  it('never sends a ticked case that is no longer listed', () => {
    const { view, onCreateSession } = browser(cases);
    fireEvent.click(screen.getByRole('button', { name: 'Select shown' }));
    view.rerender(
      <CaseBrowser
        cases={cases.filter((c) => c.caseId !== '2')}
        lastImport={null}
        busy={false}
        onImport={() => undefined}
        onCreateSession={onCreateSession}
      />,
    );
    expect(screen.getByTestId('create-session').textContent).toBe('New session (2)');
    fireEvent.click(screen.getByTestId('create-session'));
    expect(onCreateSession).toHaveBeenCalledWith(['1', '3'], '');
  });
});
