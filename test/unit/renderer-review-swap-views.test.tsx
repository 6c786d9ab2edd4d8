// @vitest-environment happy-dom
/**
 * Swap views in the Review tab's case actions: offered for a two-view case, marked when its
 * estimate says the views look swapped, asked again before it is done, and off on a signed-off case
 * (with the reason) or a one-view case.
 */
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CaseSummary } from '../../src/api/store-contract';
import { CaseActions, type CaseActionsProps } from '../../renderer/review/CaseActions';
import { caseSummary } from './renderer-fixtures';

afterEach(cleanup);

const twoViews = (over: Partial<CaseSummary> = {}): CaseSummary => ({
  ...caseSummary('c1', 'in-review'),
  views: ['coronal', 'transverse'],
  volumeMl: 167,
  ci95Ml: [89, 311],
  estimateId: '7',
  ...over,
});

function actions(summary: CaseSummary, onSwapViews = vi.fn()) {
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
    onSwapViews,
    onUnlock: vi.fn(async () => true),
    onExport: vi.fn(),
  };
  render(<CaseActions {...props} />);
  return onSwapViews;
}

describe('Swap views', () => {
  it('is marked when the views look swapped, and swaps only once confirmed', () => {
    const onSwapViews = actions(twoViews({ checkFirst: ['views look swapped'] }));
    const button = screen.getByTestId('action-swap-views');
    expect(button.textContent).toBe('⚠ Swap coronal ⇄ transverse');
    fireEvent.click(button);
    expect(screen.getByTestId('swap-views-confirm').textContent).toMatch(
      /caliper lines you drew are removed/,
    );
    expect(onSwapViews).not.toHaveBeenCalled();
    fireEvent.click(screen.getByTestId('swap-views-cancel'));
    expect(screen.queryByTestId('swap-views-confirm')).toBeNull();
    fireEvent.click(button);
    fireEvent.click(screen.getByTestId('swap-views-confirm-button'));
    expect(onSwapViews).toHaveBeenCalledTimes(1);
    expect(screen.queryByTestId('swap-views-confirm')).toBeNull();
  });

  it('is plain when nothing looks swapped, off on a signed-off case and absent with one view', () => {
    actions(twoViews());
    expect(screen.getByTestId('action-swap-views').textContent).toBe('Swap coronal ⇄ transverse');
    cleanup();
    actions(twoViews({ status: 'signed-off', signedOffBy: 'Dr A' }));
    const off = screen.getByTestId('action-swap-views') as HTMLButtonElement;
    expect(off.disabled).toBe(true);
    expect(off.title).toBe('Signed off: unlock it with a reason to swap its views.');
    cleanup();
    actions(caseSummary('c2', 'in-review'));
    expect(screen.queryByTestId('action-swap-views')).toBeNull();
  });
});
