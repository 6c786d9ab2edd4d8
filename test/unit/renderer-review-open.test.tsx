// @vitest-environment happy-dom
/**
 * The review panel (renderer/review/ReviewPanel.tsx) with Alt+↓ pressed twice quickly: two openings
 * are on their way, and the viewer must end on the newest one whatever order the answers come in.
 */
import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import type { SpvApi } from '../../src/api';
import type { SessionDetail, StoredCaseView } from '../../src/api/store-contract';
import { ReviewPanel } from '../../renderer/review/ReviewPanel';
import { caseView, worklistEntry } from './renderer-fixtures';

const session: SessionDetail = {
  sessionId: 's1',
  title: 'Monday list',
  reader: 'Dr A',
  createdAt: '2026-11-28T10:00:00Z',
  worklist: ['c1', 'c2', 'c3'].map((id, position) => worklistEntry(id, 'new', position)),
};

describe('ReviewPanel', () => {
  it('shows only the newest of several openings in the viewer', async () => {
    globalThis.localStorage?.setItem('spv-reader', 'Dr A');
    const answers = new Map<string, (v: StoredCaseView) => void>();
    // The panel calls only these; the rest of SpvApi is never reached in this test.
    const api = {
      listCases: vi.fn(async () => session.worklist.map((e) => e.case)),
      listSessions: vi.fn(async () => [
        { ...session, caseCount: 3, signedOffCount: 0, worklist: undefined },
      ]),
      getSession: vi.fn(async () => session),
      recordTimeSpent: vi.fn(async () => ({})),
      openStoredCase: vi.fn(
        ({ caseId }: { caseId: string }) =>
          new Promise<StoredCaseView>((resolve) => answers.set(caseId, resolve)),
      ),
    } as unknown as SpvApi;
    const onOpenCase = vi.fn();
    render(<ReviewPanel api={api} onOpenCase={onOpenCase} />);
    await waitFor(() => expect(screen.getByRole('option', { name: /Monday list/ })).toBeTruthy());
    fireEvent.change(screen.getByTestId('session-select'), { target: { value: 's1' } });
    await waitFor(() => expect(api.getSession).toHaveBeenCalled());
    await waitFor(() => expect(screen.getAllByText('case c1').length).toBeGreaterThan(0));

    // Alt+↓ twice in one go (key repeat, before React renders the first): c1, then c2 (the first
    // press selects the first case of the list). Stepping from the selection on screen opened c1
    // twice.
    fireEvent.keyDown(window, { key: 'ArrowDown', altKey: true });
    fireEvent.keyDown(window, { key: 'ArrowDown', altKey: true });
    await waitFor(() => expect(answers.has('c2')).toBe(true));
    expect(answers.has('c1')).toBe(true);

    const stored = (id: string) =>
      ({ view: caseView(id), aiMasks: null, currentMasks: null }) as unknown as StoredCaseView;
    await act(async () => answers.get('c2')!(stored('c2')));
    await act(async () => answers.get('c1')!(stored('c1'))); // the older answer comes last
    await waitFor(() => expect(onOpenCase).toHaveBeenCalled());
    expect(onOpenCase.mock.calls.map(([id]) => id)).toEqual(['c2']);
  });
});
