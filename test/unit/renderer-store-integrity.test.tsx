// @vitest-environment happy-dom
/**
 * The renderer's side of stored-case integrity: an opening from the review panel takes its place
 * among the viewer's openings when the reader asks (a later Open-dialog opening wins), a stored
 * case is shown with the reader's own inputs, accepting the AI mask shows the case again as stored,
 * and sign-off waits for the viewer's edits and sends the estimate the reader saw.
 */
import {
  act,
  cleanup,
  fireEvent,
  render,
  renderHook,
  screen,
  waitFor,
} from '@testing-library/react';
import { useState, type JSX } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CaliperLine, CaseView, Estimate, MaskRle, SpvApi } from '../../src/api';
import type { CaseSummary, SessionDetail, StoredCaseView } from '../../src/api/store-contract';
import { useCaseLoader, type StoredCaseShown } from '../../renderer/hooks/use-case-loader';
import { useEstimateInputs } from '../../renderer/hooks/use-estimate-inputs';
import { ReviewPanel, type ReviewPanelProps } from '../../renderer/review/ReviewPanel';
import type { MaskSet } from '../../renderer/viewer/types';
import { caseSummary, caseView } from './renderer-fixtures';

afterEach(cleanup);

const rle = (n: number): MaskRle => ({ width: 4, height: 2, runs: [0, n, 8 - n] });
const line: CaliperLine = { view: 'coronal', kind: 'length', a: [0, 0], b: [3, 1] };

function stored(id: string, n = 2): StoredCaseView {
  return {
    caseId: id,
    view: caseView(`engine-${id}`),
    status: 'in-review',
    locked: false,
    aiMasks: { coronal: rle(5), transverse: null },
    currentMasks: { coronal: rle(n), transverse: null },
    estimate: null,
    estimateId: '7',
    patient: { ageYears: 6, sex: 'female', heightCm: 115 },
    caliperLines: [line],
  };
}

describe('opening a stored case in the viewer', () => {
  it('shows nothing of a stored case when the reader opened a sample after asking for it', async () => {
    const api = {
      openSample: vi.fn(async () => caseView('sample-07')),
      segment: vi.fn(async () => rle(3)),
    } as unknown as SpvApi;
    const shown: [string, StoredCaseShown | null | undefined][] = [];
    const masksRef: { current: MaskSet } = { current: {} };
    const { result } = renderHook(() =>
      useCaseLoader({
        api,
        masksRef,
        showCase: (cv: CaseView, s?: StoredCaseShown | null) => shown.push([cv.caseId, s]),
        masksLoaded: () => undefined,
        closeOpenDialog: () => undefined,
        setMessage: () => undefined,
        pushError: () => undefined,
      }),
    );
    await act(async () => {
      const claim = result.current.claimOpening('5'); // "Open in viewer" clicked: the store is slow
      await result.current.openSample('sample-07'); // meanwhile, the Open dialog
      await result.current.openStoredCase('5', stored('5'), 'Dr A', claim); // the store answers
    });
    expect(shown.map(([id]) => id)).toEqual(['sample-07']);

    await act(async () => {
      const claim = result.current.claimOpening('5');
      await result.current.openStoredCase('5', stored('5'), 'Dr A', claim);
    });
    expect(shown.at(-1)).toEqual([
      'engine-5',
      {
        caseId: '5',
        title: 'engine-5',
        reader: 'Dr A',
        patient: { ageYears: 6, sex: 'female', heightCm: 115 },
        caliperLines: [line],
        locked: false,
      },
    ]);
    // The reader's saved masks, over the AI's.
    expect(Array.from(masksRef.current.coronal!.current).filter((v) => v).length).toBe(2);
  });

  it("restores the reader's patient inputs and calipers for the estimate requests at once", () => {
    const { result } = renderHook(() => useEstimateInputs());
    act(() =>
      result.current.restoreInputs({ ageYears: 6, sex: 'female', heightCm: null }, [
        line,
        { view: 'transverse', kind: 'width', a: [1, 1], b: [2, 2] },
      ]),
    );
    expect(result.current.latest.current.patient).toEqual({
      ageYears: 6,
      sex: 'female',
      heightCm: null,
    });
    expect(result.current.latest.current.calipers).toEqual({
      coronal: [{ kind: 'length', a: [0, 0], b: [3, 1] }],
      transverse: [{ kind: 'width', a: [1, 1], b: [2, 2] }],
    });
    expect(result.current.calipers).toEqual(result.current.latest.current.calipers);
  });
});

/** The review panel with the case it opened in the viewer, as the app tells it. */
function PanelWithViewer(props: Omit<ReviewPanelProps, 'viewerCaseId'>): JSX.Element {
  const [viewerCaseId, setViewerCaseId] = useState<string | null>(null);
  return (
    <ReviewPanel
      {...props}
      viewerCaseId={viewerCaseId}
      onOpenCase={(caseId, ...rest) => {
        props.onOpenCase(caseId, ...rest);
        setViewerCaseId(caseId);
      }}
    />
  );
}

/** A corrected case whose latest estimate (`estimateId`) gives `volumeMl`. */
const estimated = (caseId: string, volumeMl: number, estimateId: string): CaseSummary => ({
  ...caseSummary(caseId, 'corrected'),
  volumeMl,
  ci95Ml: [volumeMl - 10, volumeMl + 10],
  estimateId,
});

describe('the review panel on the case in the viewer', () => {
  /** The panel on `summary`, with the viewer showing that case at `viewerVolumeMl`. */
  function setup(summary: CaseSummary, viewerVolumeMl = 120) {
    globalThis.localStorage?.setItem('spv-reader', 'Dr A');
    const session: SessionDetail = {
      sessionId: 's1',
      title: 'Monday list',
      reader: 'Dr A',
      createdAt: '2026-11-28T10:00:00Z',
      worklist: [{ position: 0, timeSpentMs: 0, case: summary }],
    };
    const order: string[] = [];
    let onRecord: CaseSummary = summary;
    const api = {
      listCases: vi.fn(async () => [onRecord]),
      listSessions: vi.fn(async () => [{ ...session, caseCount: 1, signedOffCount: 0 }]),
      getSession: vi.fn(async () => session),
      recordTimeSpent: vi.fn(async () => ({})),
      openStoredCase: vi.fn(async ({ caseId }: { caseId: string }) => {
        order.push('openStoredCase');
        return stored(caseId, 5);
      }),
      acceptAi: vi.fn(async () => {
        order.push('acceptAi');
        return summary;
      }),
      signOff: vi.fn(async () => {
        order.push('signOff');
        return { ...summary, status: 'signed-off' };
      }),
    } as unknown as SpvApi;
    const viewerEstimate = { volumeMl: viewerVolumeMl } as Estimate;
    const settleViewer = vi.fn(async (caseId: string) => {
      order.push('settleViewer');
      return caseId === summary.caseId ? { estimate: viewerEstimate } : null;
    });
    const onOpenCase = vi.fn();
    render(
      <PanelWithViewer
        api={api}
        onOpenCase={onOpenCase}
        claimViewer={() => Object.assign(() => true, { failed: () => undefined })}
        settleViewer={settleViewer}
      />,
    );
    const setOnRecord = (s: CaseSummary) => (onRecord = s);
    return { api, order, onOpenCase, setOnRecord };
  }

  /** Clicks an action once the panel is not busy (its buttons are disabled meanwhile). */
  async function clickWhenReady(testId: string) {
    const button = (await screen.findByTestId(testId)) as HTMLButtonElement;
    await waitFor(() => expect(button.disabled).toBe(false));
    fireEvent.click(button);
  }

  async function selectTheCase() {
    await waitFor(() => expect(screen.getByRole('option', { name: /Monday list/ })).toBeTruthy());
    fireEvent.change(screen.getByTestId('session-select'), { target: { value: 's1' } });
    await waitFor(() => expect(screen.getAllByText('case c1').length).toBeGreaterThan(0));
    fireEvent.click(screen.getByTestId('worklist-row-c1'));
    await clickWhenReady('action-open');
  }

  it('accepts the AI mask after the edits are saved, then shows the case again as stored', async () => {
    const { order, onOpenCase } = setup(estimated('c1', 120, '7'));
    await selectTheCase();
    await waitFor(() => expect(onOpenCase).toHaveBeenCalledTimes(1));
    order.length = 0;
    await clickWhenReady('action-accept');
    await waitFor(() => expect(onOpenCase).toHaveBeenCalledTimes(2));
    expect(order).toEqual(['settleViewer', 'acceptAi', 'openStoredCase']);
  });

  it('signs off the estimate on record only when it is the volume the viewer shows', async () => {
    const summary = estimated('c1', 120, '7');
    const { api, order, setOnRecord } = setup(summary);
    await selectTheCase();
    // The viewer's last edit has no saved estimate: the store still holds an older volume.
    setOnRecord(estimated('c1', 130, '6'));
    await clickWhenReady('action-sign-off');
    await waitFor(() =>
      expect(screen.getByTestId('review-errors').textContent).toMatch(
        /the volume in the viewer \(120\.0 mL\) is not the one on record \(130\.0 mL\)/,
      ),
    );
    expect(api.signOff).not.toHaveBeenCalled();

    setOnRecord(summary);
    order.length = 0;
    await clickWhenReady('action-sign-off');
    await waitFor(() => expect(api.signOff).toHaveBeenCalled());
    // Then the viewer shows the case as stored: signed off, so read-only.
    await waitFor(() => expect(order).toContain('openStoredCase'));
    expect(order).toEqual(['settleViewer', 'signOff', 'openStoredCase']);
    expect(api.signOff).toHaveBeenCalledWith({ caseId: 'c1', reader: 'Dr A', estimateId: '7' });
  });

  it('signs off when the viewer recomputed the volume on record with float noise only', async () => {
    // Imported with `spv import --ai` on one provider, recomputed by the viewer on another: the
    // same inputs, so the service does not save the viewer's estimate again.
    const summary = estimated('c1', 117.43218765432, '7');
    const { api } = setup(summary, 117.43218765432 * (1 + 3e-9));
    await selectTheCase();
    await clickWhenReady('action-sign-off');
    await waitFor(() => expect(api.signOff).toHaveBeenCalled());
    expect(api.signOff).toHaveBeenCalledWith({ caseId: 'c1', reader: 'Dr A', estimateId: '7' });
  });

  it('still refuses a volume that differs by more than noise, even one shown alike', async () => {
    const { api } = setup(estimated('c1', 117.4, '7'), 117.4012); // both shown as 117.4 mL
    await selectTheCase();
    await clickWhenReady('action-sign-off');
    await waitFor(() =>
      expect(screen.getByTestId('review-errors').textContent).toMatch(
        /the volume in the viewer \(117\.4 mL\) is not the one on record/,
      ),
    );
    expect(api.signOff).not.toHaveBeenCalled();
  });
});
