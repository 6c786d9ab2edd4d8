// @vitest-environment happy-dom
/**
 * What the latest estimate asks to check first, in the Review workflow (ReviewPanel, Worklist,
 * CaseActions, SignOffVerdictChecks): the worklist row and the case's actions say it, and signing
 * off such a case goes through a step that names each item and sends the ones the reader ticked
 * (the store refuses a sign-off without them and audits them); a case whose transverse view is
 * uncalibrated says, before sign-off, that its volume is single-view. The sign-off time reads as a
 * local clock, and an export's links are each listed once.
 */
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { useState, type JSX } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Estimate, MaskRle, SpvApi } from '../../src/api';
import type {
  CaseSummary,
  ExportedFile,
  SessionDetail,
  SignOffRequest,
  StoredCaseView,
} from '../../src/api/store-contract';
import { localDateTime } from '../../renderer/components/format';
import { ReviewPanel } from '../../renderer/review/ReviewPanel';
import { SINGLE_VIEW_SIGN_OFF } from '../../renderer/review/SignOffVerdictChecks';
import { caseSummary, caseView } from './renderer-fixtures';

afterEach(() => {
  cleanup();
  globalThis.localStorage?.removeItem('spv-reader');
});

const rle = (n: number): MaskRle => ({ width: 4, height: 2, runs: [0, n, 8 - n] });

/** The audit's swapped case: 167 mL (89–311), its views imported the wrong way round. */
const swapped: CaseSummary = {
  ...caseSummary('c1', 'ai-ready'),
  views: ['coronal', 'transverse'],
  volumeMl: 167,
  ci95Ml: [89, 311],
  estimateId: '7',
  checkFirst: ['views look swapped', 'uncertain AI coronal outline'],
};
/** A case whose estimate asks nothing. */
const plain: CaseSummary = {
  ...caseSummary('c2', 'corrected'),
  volumeMl: 262,
  ci95Ml: [210, 320],
  estimateId: '9',
};
/** Both views, the transverse one uncalibrated: its volume is the coronal view's alone. */
const singleView: CaseSummary = {
  ...caseSummary('c3', 'in-review'),
  views: ['coronal', 'transverse'],
  calibrated: false,
  volumeMl: 140,
  ci95Ml: [90, 230],
  estimateId: '11',
};
/** A signed-off case. */
const signed: CaseSummary = {
  ...plain,
  caseId: 'c4',
  title: 'case c4',
  status: 'signed-off',
  signedOffBy: 'Dr Audit',
  signedOffAt: '2026-12-02T03:28:19.225Z',
};

function stored(c: CaseSummary): StoredCaseView {
  return {
    caseId: c.caseId,
    view: caseView(`engine-${c.caseId}`),
    status: c.status,
    locked: c.status === 'signed-off',
    aiMasks: { coronal: rle(5), transverse: null },
    currentMasks: { coronal: rle(5), transverse: null },
    estimate: null,
    estimateId: c.estimateId,
    patient: null,
    caliperLines: [],
  };
}

const exported = (name: string, folder: string): ExportedFile => ({
  name,
  path: `/exports/${folder}/${name}`,
  mimeType: 'application/pdf',
  dataUrl: 'data:application/pdf;base64,',
});

/**
 * The panel as the app wires it, over a store that answers with `cases` (as they are at each call)
 * and records every sign-off request, answered by `refuse` when it gives an error; the viewer shows
 * the last case opened, at the volume on record.
 */
function setup(cases: CaseSummary[], refuse: (req: SignOffRequest) => Error | null = () => null) {
  globalThis.localStorage?.setItem('spv-reader', 'Dr A');
  const session: SessionDetail = {
    sessionId: 's1',
    title: 'Monday list',
    reader: 'Dr A',
    createdAt: '2026-11-28T10:00:00Z',
    worklist: [],
  };
  const worklist = () => cases.map((c, position) => ({ position, timeSpentMs: 0, case: c }));
  const signOffs: SignOffRequest[] = [];
  let exports = 0;
  const api = {
    listCases: vi.fn(async () => cases),
    listSessions: vi.fn(async () => [{ ...session, caseCount: cases.length, signedOffCount: 0 }]),
    getSession: vi.fn(async () => ({ ...session, worklist: worklist() })),
    recordTimeSpent: vi.fn(async () => ({})),
    openStoredCase: vi.fn(async ({ caseId }: { caseId: string }) =>
      stored(cases.find((c) => c.caseId === caseId)!),
    ),
    signOff: vi.fn(async (req: SignOffRequest) => {
      signOffs.push(req);
      const refused = refuse(req);
      if (refused) throw refused;
      return { ...cases[0], status: 'signed-off' };
    }),
    exportReport: vi.fn(async () => exported('report-case-1.pdf', `case-1-${++exports}`)),
    sessionSummary: vi.fn(async () => ({
      sessionId: 's1',
      reader: 'Dr A',
      rows: [],
      meanTimePerCaseMs: null,
      meanDice: null,
      blandAltman: [],
      plots: [],
      notReviewed: [],
    })),
    exportSession: vi.fn(async () => [
      exported('summary.csv', 'session-1'),
      exported('report-case-1.pdf', 'session-1'),
    ]),
  } as unknown as SpvApi;
  let viewerCaseId: string | null = null;
  const settleViewer = async (caseId: string) => {
    if (caseId !== viewerCaseId) return null;
    const volumeMl = cases.find((c) => c.caseId === caseId)!.volumeMl!;
    return { estimate: { volumeMl } as Estimate };
  };
  function Workstation(): JSX.Element {
    const [inViewer, setInViewer] = useState<string | null>(null);
    return (
      <ReviewPanel
        api={api}
        onOpenCase={(caseId) => {
          viewerCaseId = caseId;
          setInViewer(caseId);
        }}
        settleViewer={settleViewer}
        viewerCaseId={inViewer}
      />
    );
  }
  render(<Workstation />);
  return { api, signOffs };
}

const button = (testId: string) => screen.getByTestId(testId) as HTMLButtonElement;
const checkbox = (testId: string) => screen.getByTestId(testId) as HTMLInputElement;

async function chooseSession(firstCaseId: string) {
  await waitFor(() => expect(screen.getByRole('option', { name: /Monday list/ })).toBeTruthy());
  fireEvent.change(screen.getByTestId('session-select'), { target: { value: 's1' } });
  await waitFor(() => expect(screen.getByTestId(`worklist-row-${firstCaseId}`)).toBeTruthy());
}

async function openInViewer(caseId: string, api: SpvApi) {
  const openings = vi.mocked(api.openStoredCase).mock.calls.length;
  fireEvent.click(screen.getByTestId(`worklist-row-${caseId}`));
  await waitFor(() => expect(button('action-open').disabled).toBe(false));
  fireEvent.click(button('action-open'));
  await waitFor(() => expect(api.openStoredCase).toHaveBeenCalledTimes(openings + 1));
  await waitFor(() => expect(screen.queryByTestId('review-busy')).toBeNull());
  await waitFor(() => expect(screen.getByTestId('case-actions-in-viewer')).toBeTruthy());
}

describe('a case whose estimate asks to check something first', () => {
  it('says so in its worklist row, under the volume, and in its actions beside Sign off', async () => {
    const { api } = setup([swapped, plain]);
    await chooseSession('c1');
    const row = screen.getByTestId('worklist-row-c1');
    expect(row.textContent).toContain('167 mL (89–311)');
    const mark = within(row).getByTestId('worklist-check-first-c1');
    expect(mark.textContent).toBe('⚠ views look swapped; uncertain AI coronal outline');
    expect(mark.title).toMatch(/^Check first: views look swapped; uncertain AI coronal outline\./);
    expect(screen.queryByTestId('worklist-check-first-c2')).toBeNull();

    await openInViewer('c1', api);
    const note = screen.getByTestId('case-check-first');
    expect(note.textContent).toMatch(
      /Check first: views look swapped; uncertain AI coronal outline\. The volume and its verdicts rest on them: unverified until checked/,
    );
    // Said in the same section as the button, above it.
    expect(
      note.compareDocumentPosition(button('action-sign-off')) & Node.DOCUMENT_POSITION_FOLLOWING,
    ).toBeTruthy();
  });

  it('is signed off only after the reader ticks each item by name, which goes with the request', async () => {
    const { api, signOffs } = setup([swapped, plain]);
    await chooseSession('c1');
    await openInViewer('c1', api);
    fireEvent.click(button('action-sign-off'));
    // A step, not the sign-off: nothing sent yet.
    const step = await screen.findByTestId('sign-off-checks');
    expect(api.signOff).not.toHaveBeenCalled();
    // What the reader concludes, item by item (the phrases themselves go with the request).
    expect(step.textContent).toContain(
      'I have checked which image is which: the coronal one shows the long axis.',
    );
    expect(step.textContent).toContain(
      "I have checked the AI's coronal outline against the image.",
    );
    expect(button('sign-off-confirm').disabled).toBe(true);
    expect(button('sign-off-confirm').title).toBe(
      'Tick what you have checked first: views look swapped; uncertain AI coronal outline',
    );
    fireEvent.click(checkbox('sign-off-check-0'));
    expect(button('sign-off-confirm').disabled).toBe(true);
    expect(button('sign-off-confirm').title).toBe(
      'Tick what you have checked first: uncertain AI coronal outline',
    );
    fireEvent.click(checkbox('sign-off-check-1'));
    expect(button('sign-off-confirm').disabled).toBe(false);
    fireEvent.click(button('sign-off-confirm'));
    await waitFor(() => expect(signOffs).toHaveLength(1));
    expect(signOffs[0]).toEqual({
      caseId: 'c1',
      reader: 'Dr A',
      estimateId: '7',
      checked: ['views look swapped', 'uncertain AI coronal outline'],
    });
  });

  it('sends nothing when the step is cancelled, and asks again from scratch next time', async () => {
    const { api } = setup([swapped, plain]);
    await chooseSession('c1');
    await openInViewer('c1', api);
    fireEvent.click(button('action-sign-off'));
    fireEvent.click(checkbox('sign-off-check-0'));
    fireEvent.click(button('sign-off-cancel'));
    expect(screen.queryByTestId('sign-off-checks')).toBeNull();
    fireEvent.click(button('action-sign-off'));
    expect(checkbox('sign-off-check-0').checked).toBe(false);
    expect(api.signOff).not.toHaveBeenCalled();
  });
});

describe('a sign-off refused because a newer estimate asks more', () => {
  it('shows the case as stored, so the reader is asked to confirm what the store asks', async () => {
    const cases = [{ ...swapped, checkFirst: ['views look swapped'] }];
    const { api, signOffs } = setup(cases, (req) => {
      if (req.checked?.includes('length implausible')) return null;
      // The reader's latest edit gave an estimate with one more doubt, unknown to the worklist.
      cases[0] = {
        ...cases[0],
        estimateId: '8',
        checkFirst: ['views look swapped', 'length implausible'],
      };
      return new Error('Case c1: its estimate asks you to check first: "length implausible"');
    });
    await chooseSession('c1');
    await openInViewer('c1', api);
    fireEvent.click(button('action-sign-off'));
    fireEvent.click(checkbox('sign-off-check-0'));
    fireEvent.click(button('sign-off-confirm'));
    await waitFor(() =>
      expect(screen.getByTestId('review-errors').textContent).toContain('length implausible'),
    );
    await waitFor(() =>
      expect(screen.getByTestId('worklist-check-first-c1').textContent).toBe(
        '⚠ views look swapped; length implausible',
      ),
    );
    fireEvent.click(button('action-sign-off'));
    expect(screen.getByTestId('sign-off-checks').textContent).toContain(
      "I have checked the calibration and the coronal outline (its length is outside a spleen's range).",
    );
    fireEvent.click(checkbox('sign-off-check-0'));
    fireEvent.click(checkbox('sign-off-check-1'));
    fireEvent.click(button('sign-off-confirm'));
    await waitFor(() => expect(signOffs).toHaveLength(2));
    expect(signOffs[1].checked).toEqual(['views look swapped', 'length implausible']);
  });
});

describe('signing off a case that asks nothing', () => {
  it('signs off at once, with no checks in the request', async () => {
    const { api, signOffs } = setup([plain]);
    await chooseSession('c2');
    await openInViewer('c2', api);
    expect(screen.queryByTestId('case-check-first')).toBeNull();
    fireEvent.click(button('action-sign-off'));
    await waitFor(() => expect(signOffs).toHaveLength(1));
    expect(screen.queryByTestId('sign-off-checks')).toBeNull();
    expect(signOffs[0]).toEqual({ caseId: 'c2', reader: 'Dr A', estimateId: '9' });
  });
});

describe('signing off a case whose transverse view is uncalibrated', () => {
  it('says first that the volume is single-view and that the view cannot be calibrated afterwards', async () => {
    const { api, signOffs } = setup([singleView]);
    await chooseSession('c3');
    await openInViewer('c3', api);
    fireEvent.click(button('action-sign-off'));
    expect(screen.getByTestId('sign-off-single-view').textContent).toBe(SINGLE_VIEW_SIGN_OFF);
    expect(SINGLE_VIEW_SIGN_OFF).toMatch(/coronal view alone/);
    expect(SINGLE_VIEW_SIGN_OFF).toMatch(/cannot be calibrated until the case is unlocked/);
    expect(api.signOff).not.toHaveBeenCalled();
    expect(button('sign-off-confirm').disabled).toBe(false);
    fireEvent.click(button('sign-off-confirm'));
    await waitFor(() => expect(signOffs).toHaveLength(1));
    expect(signOffs[0]).toEqual({ caseId: 'c3', reader: 'Dr A', estimateId: '11' });
  });
});

describe('the sign-off time', () => {
  it('reads as a local date and time with its zone, the stored value in its tooltip', async () => {
    setup([{ ...signed, checkFirst: ['views look swapped'] }]);
    await chooseSession('c4');
    fireEvent.click(screen.getByTestId('worklist-row-c4'));
    const time = await screen.findByTestId('signed-off-at');
    expect(time.textContent).toBe(localDateTime('2026-12-02T03:28:19.225Z'));
    expect(time.getAttribute('title')).toBe('2026-12-02T03:28:19.225Z');
    expect(time.getAttribute('datetime')).toBe('2026-12-02T03:28:19.225Z');
    expect(screen.getByTestId('case-actions').textContent).not.toContain('T03:28:19.225Z');
    expect(screen.getByTestId('case-actions').textContent).toContain('signed off by Dr Audit at');
    // Signed off, the caveat stays, without asking again for what the sign-off confirmed.
    expect(screen.getByTestId('case-check-first').textContent).toBe(
      '⚠ Its estimate asked to check first: views look swapped. What the sign-off confirmed is in the audit log.',
    );
  });

  it('is formatted in the reader’s zone, with the zone named', () => {
    const at = '2026-12-02T03:28:19.225Z';
    expect(localDateTime(at, { locale: 'en-GB', timeZone: 'Europe/Berlin' })).toBe(
      '2 Dec 2026, 04:28:19 CET',
    );
    expect(localDateTime(at, { locale: 'en-GB', timeZone: 'UTC' })).toBe(
      '2 Dec 2026, 03:28:19 UTC',
    );
    expect(localDateTime('not a time')).toBe('not a time');
  });
});

describe('export links', () => {
  it('list a report exported again once, the latest first, and only the latest export’s files', async () => {
    const { api } = setup([plain]);
    await chooseSession('c2');
    fireEvent.click(screen.getByTestId('worklist-row-c2'));
    for (let i = 0; i < 2; i++) {
      fireEvent.click(await waitFor(() => enabled('action-export')));
      await waitFor(() => expect(api.exportReport).toHaveBeenCalledTimes(i + 1));
      await waitFor(() => expect(screen.queryByTestId('review-busy')).toBeNull());
    }
    const links = within(screen.getByTestId('case-exports')).getAllByRole('link');
    expect(links).toHaveLength(1);
    expect(links[0].parentElement!.querySelector('span')!.getAttribute('title')).toBe(
      '/exports/case-1-2/report-case-1.pdf',
    );

    fireEvent.click(button('show-summary'));
    fireEvent.click(await screen.findByTestId('export-session'));
    await waitFor(() => expect(screen.getByTestId('session-exports')).toBeTruthy());
    // The session's report is not listed a second time beside the case export's.
    expect(screen.queryByTestId('case-exports')).toBeNull();
    expect(screen.getAllByTestId('download-report-case-1.pdf')).toHaveLength(1);
  });
});

function enabled(testId: string): HTMLButtonElement {
  const b = button(testId);
  expect(b.disabled).toBe(false);
  return b;
}
