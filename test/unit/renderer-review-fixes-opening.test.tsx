// @vitest-environment happy-dom
/**
 * The review panel wired to the viewer's real case loader, as the app wires them: an opening from
 * the panel that never reaches the store (no reader name) leaves the viewer's opening in progress
 * alone, and one the store refuses does not leave the status line on "Opening …".
 */
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { useRef, useState, type JSX } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CaseView, MaskRle, SpvApi } from '../../src/api';
import type { SessionDetail } from '../../src/api/store-contract';
import { useCaseLoader, type CaseLoader } from '../../renderer/hooks/use-case-loader';
import { ReviewPanel } from '../../renderer/review/ReviewPanel';
import type { MaskSet } from '../../renderer/viewer/types';
import { caseView, worklistEntry } from './renderer-fixtures';

afterEach(() => {
  cleanup();
  globalThis.localStorage?.removeItem('spv-reader');
});

const rle = (n: number): MaskRle => ({ width: 4, height: 2, runs: [0, n, 8 - n] });

const session: SessionDetail = {
  sessionId: 's1',
  title: 'Monday list',
  reader: 'Dr A',
  createdAt: '2026-11-28T10:00:00Z',
  worklist: [worklistEntry('c1', 'new', 0)],
};

/** The status line, the cases shown, and the review panel, wired as in the app. */
function Workstation(props: {
  api: SpvApi;
  loader: { current: CaseLoader | null };
  settleEdits?: () => Promise<void>;
}): JSX.Element {
  const masksRef = useRef<MaskSet>({});
  const [message, setMessage] = useState('');
  const [shown, setShown] = useState<string[]>([]);
  const loader = useCaseLoader({
    api: props.api,
    masksRef,
    showCase: (cv: CaseView) => setShown((list) => [...list, cv.caseId]),
    masksLoaded: () => undefined,
    closeOpenDialog: () => undefined,
    setMessage,
    pushError: () => undefined,
  });
  props.loader.current = loader;
  return (
    <>
      <div data-testid="status">{message}</div>
      <div data-testid="shown">{shown.join(',')}</div>
      <ReviewPanel
        api={props.api}
        onOpenCase={(caseId, opened, reader, claim) =>
          void loader.openStoredCase(caseId, opened, reader, claim)
        }
        claimViewer={loader.claimOpening}
        settleEdits={props.settleEdits}
      />
    </>
  );
}

/** A workstation whose sample opening waits for `release`, and whose store refuses case c1. */
function setup(settleEdits?: () => Promise<void>) {
  let release!: (cv: CaseView) => void;
  const api = {
    openSample: vi.fn(() => new Promise<CaseView>((resolve) => (release = resolve))),
    segment: vi.fn(async () => rle(3)),
    listCases: vi.fn(async () => session.worklist.map((e) => e.case)),
    listSessions: vi.fn(async () => [{ ...session, caseCount: 1, signedOffCount: 0 }]),
    getSession: vi.fn(async () => session),
    recordTimeSpent: vi.fn(async () => session.worklist[0]),
    openStoredCase: vi.fn(async () => {
      throw new Error('case c1 is locked by Dr B');
    }),
  } as unknown as SpvApi;
  const loader: { current: CaseLoader | null } = { current: null };
  render(<Workstation api={api} loader={loader} settleEdits={settleEdits} />);
  return { api, loader, release: (cv: CaseView) => release(cv) };
}

async function pressOpenOnCaseC1() {
  await waitFor(() => expect(screen.getByRole('option', { name: /Monday list/ })).toBeTruthy());
  fireEvent.change(screen.getByTestId('session-select'), { target: { value: 's1' } });
  await waitFor(() => expect(screen.getAllByText('case c1').length).toBeGreaterThan(0));
  fireEvent.click(screen.getByTestId('worklist-row-c1'));
  const open = (await screen.findByTestId('action-open')) as HTMLButtonElement;
  await waitFor(() => expect(open.disabled).toBe(false));
  fireEvent.click(open);
}

describe('an opening from the review panel that never reaches the viewer', () => {
  it('leaves the sample opening in progress alone when the reader has typed no name', async () => {
    const { api, loader, release } = setup();
    let sample!: Promise<boolean>;
    act(() => {
      sample = loader.current!.openSample('sample-07'); // the Open dialog: still decoding
    });
    expect(screen.getByTestId('status').textContent).toBe('Opening sample-07…');

    await pressOpenOnCaseC1();
    await waitFor(() =>
      expect(screen.getByTestId('review-errors').textContent).toMatch(/Type your name/),
    );
    expect(api.openStoredCase).not.toHaveBeenCalled();

    await act(async () => {
      release(caseView('sample-07'));
      await sample;
    });
    expect(screen.getByTestId('shown').textContent).toBe('sample-07');
    expect(screen.getByTestId('status').textContent).toBe('sample-07 opened');
  });

  it('says in the status line what failed when the store refuses the case', async () => {
    globalThis.localStorage?.setItem('spv-reader', 'Dr A');
    const { api, loader } = setup();
    act(() => {
      void loader.current!.openSample('sample-07');
    });
    await pressOpenOnCaseC1();
    await waitFor(() => expect(api.openStoredCase).toHaveBeenCalled());
    // The panel's opening took the viewer's place when asked for; the store then refused it.
    await waitFor(() =>
      expect(screen.getByTestId('status').textContent).toBe(
        'Could not open stored case c1: case c1 is locked by Dr B',
      ),
    );
    expect(screen.getByTestId('review-errors').textContent).toMatch(
      /Opening the case: case c1 is locked by Dr B/,
    );
  });
});

describe('opening a stored case from the review panel', () => {
  it('asks the store only once every edit the viewer holds has been sent', async () => {
    globalThis.localStorage?.setItem('spv-reader', 'Dr A');
    // The viewer still holds an edit of a case just left (sent once the one in flight answers).
    let editsSaved!: () => void;
    const settleEdits = vi.fn(() => new Promise<void>((resolve) => (editsSaved = resolve)));
    const { api } = setup(settleEdits);
    await pressOpenOnCaseC1();
    await waitFor(() => expect(settleEdits).toHaveBeenCalled());
    await new Promise((r) => setTimeout(r, 10));
    expect(api.openStoredCase).not.toHaveBeenCalled();
    await act(async () => editsSaved());
    await waitFor(() => expect(api.openStoredCase).toHaveBeenCalled());
  });
});
