// @vitest-environment happy-dom
/**
 * The review panel's actions on the selected case (renderer/review/ReviewPanel.tsx, CaseActions,
 * Worklist): accepting and signing off act only on the case in the viewer (the one reviewed), the
 * worklist marks that case, the viewer shows it under its stored title, time on a case keeps
 * counting while the session refreshes, and every recorded action waits for the reader's name; a
 * refused flag keeps its comment.
 */
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { useState, type JSX } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Estimate, MaskRle, SpvApi } from '../../src/api';
import type { CaseSummary, SessionDetail, StoredCaseView } from '../../src/api/store-contract';
import { NAME_THE_READER_FIRST, OPEN_IN_VIEWER_FIRST } from '../../renderer/review/CaseActions';
import { ReviewPanel } from '../../renderer/review/ReviewPanel';
import { caseSummary, caseView } from './renderer-fixtures';

afterEach(() => {
  cleanup();
  vi.useRealTimers();
  globalThis.localStorage?.removeItem('spv-reader');
});

const rle = (n: number): MaskRle => ({ width: 4, height: 2, runs: [0, n, 8 - n] });

/** A corrected case whose latest estimate (`estimateId`) gives `volumeMl`. */
const estimated = (caseId: string, volumeMl: number, estimateId: string): CaseSummary => ({
  ...caseSummary(caseId, 'corrected'),
  volumeMl,
  ci95Ml: [volumeMl - 10, volumeMl + 10],
  estimateId,
});

function stored(caseId: string): StoredCaseView {
  return {
    caseId,
    // The engine names its case after the coronal image file, not the stored title.
    view: { ...caseView(`engine-${caseId}`), title: `${caseId}_coronal.png` },
    status: 'corrected',
    locked: false,
    aiMasks: { coronal: rle(5), transverse: null },
    currentMasks: { coronal: rle(2), transverse: null },
    estimate: null,
    estimateId: '7',
    patient: null,
    caliperLines: [],
  };
}

/**
 * The panel as the app wires it: the viewer shows the last case the panel opened, and settles only
 * that one. Session "s1" holds c1 (120 mL) and c2 (262 mL); every getSession answers a new object,
 * as the API does.
 */
function setup(reader = 'Dr A') {
  if (reader) globalThis.localStorage?.setItem('spv-reader', reader);
  const cases = [estimated('c1', 120, '7'), estimated('c2', 262, '9')];
  const session: SessionDetail = {
    sessionId: 's1',
    title: 'Monday list',
    reader: 'Dr A',
    createdAt: '2026-11-28T10:00:00Z',
    worklist: cases.map((c, position) => ({ position, timeSpentMs: 0, case: c })),
  };
  let viewerCaseId: string | null = null;
  const api = {
    listCases: vi.fn(async () => cases),
    listSessions: vi.fn(async () => [{ ...session, caseCount: 2, signedOffCount: 0 }]),
    getSession: vi.fn(async () => ({ ...session })),
    recordTimeSpent: vi.fn(async () => ({})),
    openStoredCase: vi.fn(async ({ caseId }: { caseId: string }) => stored(caseId)),
    acceptAi: vi.fn(async () => cases[0]),
    signOff: vi.fn(async () => ({ ...cases[0], status: 'signed-off' })),
    flagCase: vi.fn(async () => ({ ...cases[0], status: 'flagged' })),
  } as unknown as SpvApi;
  const opened: [string, StoredCaseView][] = [];
  const settleViewer = vi.fn(async (caseId: string) =>
    caseId === viewerCaseId ? { estimate: { volumeMl: 120 } as Estimate } : null,
  );
  function Workstation(): JSX.Element {
    const [inViewer, setInViewer] = useState<string | null>(null);
    return (
      <ReviewPanel
        api={api}
        onOpenCase={(caseId, view) => {
          opened.push([caseId, view]);
          viewerCaseId = caseId;
          setInViewer(caseId);
        }}
        settleViewer={settleViewer}
        viewerCaseId={inViewer}
      />
    );
  }
  const view = render(<Workstation />);
  /** Another opening took the viewer (the Open dialog), unknown to the panel yet. */
  const viewerMovesOn = () => (viewerCaseId = null);
  return { api, opened, view, viewerMovesOn };
}

const button = (testId: string) => screen.getByTestId(testId) as HTMLButtonElement;

async function chooseSession() {
  await waitFor(() => expect(screen.getByRole('option', { name: /Monday list/ })).toBeTruthy());
  fireEvent.change(screen.getByTestId('session-select'), { target: { value: 's1' } });
  await waitFor(() => expect(screen.getByTestId('worklist-row-c2')).toBeTruthy());
}

/** Selects the case's row and opens it in the viewer; waits until the panel is idle again. */
async function openInViewer(caseId: string, api: SpvApi) {
  const openings = vi.mocked(api.openStoredCase).mock.calls.length;
  fireEvent.click(screen.getByTestId(`worklist-row-${caseId}`));
  await waitFor(() => expect(button('action-open').disabled).toBe(false));
  fireEvent.click(button('action-open'));
  await waitFor(() => expect(api.openStoredCase).toHaveBeenCalledTimes(openings + 1));
  await waitFor(() => expect(screen.queryByTestId('review-busy')).toBeNull());
}

describe('accepting and signing off act only on the case in the viewer', () => {
  it('turns them off for another selected row, which the worklist does not mark', async () => {
    const { api } = setup();
    await chooseSession();
    await openInViewer('c1', api);
    const row1 = screen.getByTestId('worklist-row-c1');
    expect(row1.getAttribute('aria-current')).toBe('true');
    expect(row1.textContent).toContain('in viewer');
    expect(button('action-sign-off').disabled).toBe(false);
    expect(button('action-accept').disabled).toBe(false);

    // The reader clicks another row: c2 was never opened, c1 stays on screen.
    fireEvent.click(screen.getByTestId('worklist-row-c2'));
    await waitFor(() => expect(screen.getByTestId('case-actions').textContent).toMatch(/case c2/));
    for (const id of ['action-sign-off', 'action-accept']) {
      expect(button(id).disabled).toBe(true);
      expect(button(id).title).toBe(OPEN_IN_VIEWER_FIRST);
    }
    expect(screen.getByTestId('case-actions-hint').textContent).toBe(`${OPEN_IN_VIEWER_FIRST}.`);
    expect(screen.getByTestId('worklist-row-c2').getAttribute('aria-current')).toBeNull();
    expect(screen.getByTestId('worklist-row-c1').getAttribute('aria-current')).toBe('true');
    // A click on the disabled button does nothing.
    fireEvent.click(button('action-sign-off'));
    expect(api.signOff).not.toHaveBeenCalled();

    // Opened, c2 can be signed off.
    await openInViewer('c2', api);
    expect(screen.getByTestId('worklist-row-c2').getAttribute('aria-current')).toBe('true');
    expect(screen.getByTestId('worklist-row-c1').getAttribute('aria-current')).toBeNull();
    expect(button('action-sign-off').disabled).toBe(false);
    expect(screen.queryByTestId('case-actions-hint')).toBeNull();
  });

  it('refuses a sign-off when the viewer moved on to another case since the click', async () => {
    const { api, viewerMovesOn } = setup();
    await chooseSession();
    await openInViewer('c1', api);
    viewerMovesOn();
    fireEvent.click(button('action-sign-off'));
    await waitFor(() =>
      expect(screen.getByTestId('review-errors').textContent).toContain(
        `Signing off: case c1 is not the case in the viewer. ${OPEN_IN_VIEWER_FIRST}.`,
      ),
    );
    expect(api.signOff).not.toHaveBeenCalled();
  });

  it('shows the stored case in the viewer under the title the worklist gives it', async () => {
    const { api, opened } = setup();
    await chooseSession();
    await openInViewer('c2', api);
    expect(opened.map(([id, v]) => [id, v.view.title, v.view.caseId])).toEqual([
      ['c2', 'case c2', 'engine-c2'],
    ]);
  });
});

describe('time on a case', () => {
  it('keeps counting while opening the case refreshes the session', async () => {
    // Only the clock is fake: the panel's waits run on real timers.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-11-30T09:00:00Z'));
    const { api, view } = setup();
    await chooseSession();
    await openInViewer('c1', api); // selects c1 (its clock starts) and refreshes the session
    const refreshes = vi.mocked(api.getSession).mock.calls.length;
    vi.setSystemTime(new Date('2026-11-30T09:00:05Z'));
    fireEvent.click(button('action-open')); // opened again: another refresh
    await waitFor(() => expect(api.getSession).toHaveBeenCalledTimes(refreshes + 1));
    await waitFor(() => expect(screen.queryByTestId('review-busy')).toBeNull());
    vi.setSystemTime(new Date('2026-11-30T09:00:12Z'));

    fireEvent.click(screen.getByTestId('worklist-row-c2'));
    await waitFor(() => expect(api.recordTimeSpent).toHaveBeenCalled());
    expect(vi.mocked(api.recordTimeSpent).mock.calls).toEqual([
      [{ sessionId: 's1', caseId: 'c1', ms: 12_000 }],
    ]);

    // The window closes (no React clean-up runs then): c2's time so far is recorded as it goes.
    vi.setSystemTime(new Date('2026-11-30T09:00:15Z'));
    window.dispatchEvent(new Event('pagehide'));
    expect(vi.mocked(api.recordTimeSpent).mock.calls.at(-1)).toEqual([
      { sessionId: 's1', caseId: 'c2', ms: 3_000 },
    ]);
    // Back from the page cache, the clock went on: the rest counts until the panel goes away.
    vi.setSystemTime(new Date('2026-11-30T09:00:17Z'));
    view.unmount();
    expect(vi.mocked(api.recordTimeSpent).mock.calls.at(-1)).toEqual([
      { sessionId: 's1', caseId: 'c2', ms: 2_000 },
    ]);
  });
});

describe('actions recorded under the reader', () => {
  it('are off until the reader has typed a name', async () => {
    const { api } = setup('');
    await chooseSession();
    fireEvent.click(screen.getByTestId('worklist-row-c1'));
    fireEvent.change(await screen.findByTestId('flag-comment'), {
      target: { value: 'rib shadow' },
    });
    for (const id of ['action-flag', 'action-sign-off', 'action-accept']) {
      expect(button(id).disabled).toBe(true);
      expect(button(id).title).toBe(NAME_THE_READER_FIRST);
    }
    expect(screen.getByTestId('case-actions-hint').textContent).toBe(`${NAME_THE_READER_FIRST}.`);
    // Enter in the comment box sends nothing either.
    fireEvent.submit(screen.getByTestId('flag-comment'));
    expect(api.flagCase).not.toHaveBeenCalled();

    fireEvent.change(screen.getByTestId('reader-name'), { target: { value: 'Dr A' } });
    await waitFor(() => expect(button('action-flag').disabled).toBe(false));
    await openInViewer('c1', api);
    expect(button('action-sign-off').disabled).toBe(false);

    // A name cleared again turns sign-off off, even for the case in the viewer.
    fireEvent.change(screen.getByTestId('reader-name'), { target: { value: '  ' } });
    expect(button('action-sign-off').disabled).toBe(true);
    expect(button('action-sign-off').title).toBe(NAME_THE_READER_FIRST);
  });

  it('keeps the comment of a flag the store refused, and clears it once flagged', async () => {
    const { api } = setup();
    vi.mocked(api.flagCase).mockRejectedValueOnce(new Error('the store is read-only'));
    await chooseSession();
    fireEvent.click(screen.getByTestId('worklist-row-c1'));
    const comment = (await screen.findByTestId('flag-comment')) as HTMLInputElement;
    fireEvent.change(comment, { target: { value: 'rib shadow over the lower pole' } });
    await waitFor(() => expect(button('action-flag').disabled).toBe(false));
    fireEvent.click(button('action-flag'));
    await waitFor(() =>
      expect(screen.getByTestId('review-errors').textContent).toContain(
        'Flagging: the store is read-only',
      ),
    );
    await waitFor(() => expect(screen.queryByTestId('review-busy')).toBeNull());
    expect(comment.value).toBe('rib shadow over the lower pole');

    await act(async () => {
      fireEvent.click(button('action-flag'));
    });
    await waitFor(() => expect(api.flagCase).toHaveBeenCalledTimes(2));
    await waitFor(() => expect(comment.value).toBe(''));
  });
});
