// @vitest-environment happy-dom
/**
 * The Review tab's second audit, the case actions' text forms (renderer/review/CaseActions.tsx): an
 * unlock reason typed but too short turns Unlock off and says why (before, the button was merely
 * off); the boxes keep their name once the placeholder is gone.
 */
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CaseSummary } from '../../src/api/store-contract';
import { CaseActions, type CaseActionsProps } from '../../renderer/review/CaseActions';
import { caseSummary } from './renderer-fixtures';

afterEach(cleanup);

function actions(summary: CaseSummary) {
  const props: CaseActionsProps = {
    summary,
    busy: false,
    exported: [],
    inViewer: true,
    readerNamed: true,
    onOpen: vi.fn(),
    onAccept: vi.fn(),
    onFlag: vi.fn(async () => true),
    onSignOff: vi.fn(),
    onSwapViews: vi.fn(),
    onUnlock: vi.fn(async () => true),
    onExport: vi.fn(),
  };
  render(<CaseActions {...props} />);
  return props;
}

const signedOff = (): CaseSummary => ({
  ...caseSummary('c1', 'signed-off'),
  volumeMl: 120,
  ci95Ml: [100, 140],
  estimateId: '7',
});

describe('the unlock reason', () => {
  it('says how long it must be when typed too short, and goes once it is long enough', () => {
    const props = actions(signedOff());
    const box = screen.getByTestId('unlock-reason');
    const button = screen.getByTestId('action-unlock') as HTMLButtonElement;
    expect(screen.queryByTestId('unlock-reason-too-short')).toBeNull();

    fireEvent.change(box, { target: { value: 'ok' } });
    expect(button.disabled).toBe(true);
    expect(screen.getByTestId('unlock-reason-too-short').textContent).toBe(
      'Unlock: type 3 characters or more.',
    );
    expect(button.title).toBe('Unlock: type 3 characters or more');
    fireEvent.submit(box.closest('form')!);
    expect(props.onUnlock).not.toHaveBeenCalled();

    fireEvent.change(box, { target: { value: 'wrong side' } });
    expect(button.disabled).toBe(false);
    expect(screen.queryByTestId('unlock-reason-too-short')).toBeNull();
  });

  it('keeps its name once the placeholder is gone', () => {
    actions(signedOff());
    const box = screen.getByTestId('unlock-reason');
    fireEvent.change(box, { target: { value: 'wrong side' } });
    expect(box.getAttribute('aria-label')).toBe(
      'Reason for the change (recorded in the audit log)',
    );
  });
});
