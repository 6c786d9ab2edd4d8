// @vitest-environment happy-dom
/**
 * The Review tab's sign-off step and Swap views as a reader uses them (second UI audit):
 * - the case in the viewer: its worklist row, its note and its sign-off step follow the viewer's
 *   latest saved estimate (an edited outline drops "uncertain AI … outline" at once, Reset to AI
 *   brings it back), over the real store service and engine;
 * - the step says per item what the reader concludes and what to do if it does not hold, and sends
 *   the store's phrases unchanged;
 * - the step and the swap confirmation take the focus when they open, are named by their heading,
 *   close on Escape and give the focus back to the button that opened them;
 * - the swap confirmation says that the undo history goes;
 * - the case browser shows ⚠ by the volume of a case with things to check first.
 */
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { useState, type JSX } from 'react';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Estimate, MaskRle, Masks, SpvApi } from '../../src/api';
import type {
  CaseSummary,
  SessionDetail,
  SignOffRequest,
  StoredCaseView,
} from '../../src/api/store-contract';
import type { StoreService } from '../../src/store-service/service';
import { CaseBrowser } from '../../renderer/review/CaseBrowser';
import { checkFirstStep } from '../../renderer/review/check-first-steps';
import { ReviewPanel } from '../../renderer/review/ReviewPanel';
import { pageEditSequence } from '../../renderer/save-order';
import {
  copySamples,
  HAVE_MODELS_AND_SAMPLES,
  startStoreHarness,
  type StoreHarness,
} from '../integration/store-engine-harness';
import { caseSummary, caseView } from './renderer-fixtures';

afterEach(() => {
  cleanup();
  globalThis.localStorage?.removeItem('spv-reader');
});

const READER = 'Dr Review Flow';
const UNCERTAIN = 'uncertain AI transverse outline';

const button = (testId: string) => screen.getByTestId(testId) as HTMLButtonElement;
const checkFirstOf = (caseId: string) =>
  screen.queryByTestId(`worklist-check-first-${caseId}`)?.textContent ?? null;

/** `rle` with one more pixel set: an edited outline, no longer the AI's own. */
function withOneMorePixel(rle: MaskRle): MaskRle {
  const runs = [...rle.runs];
  // Runs alternate unset, set, unset…: the first set run grows into the unset run after it.
  const k = runs.findIndex((n, i) => i % 2 === 1 && n > 0 && (runs[i + 1] ?? 0) > 1);
  if (k < 0) throw new Error('the mask has no set run followed by unset pixels');
  runs[k] += 1;
  runs[k + 1] -= 1;
  return { ...rle, runs };
}

describe.skipIf(!HAVE_MODELS_AND_SAMPLES)(
  'review flow: the case in the viewer follows its latest saved estimate',
  () => {
    let harness: StoreHarness;
    let service: StoreService;
    let caseId: string;
    beforeAll(async () => {
      harness = await startStoreHarness('spv-review-flow-');
      service = harness.openService();
      const folder = join(harness.dir, 'cases');
      mkdirSync(folder);
      // sample-07: the shipped model is unsure of its transverse outline.
      copySamples(folder, ['sample-07']);
      [caseId] = (await service.importPaths({ paths: [folder], runAi: true, frame: null })).caseIds;
      await service.createSession({ reader: READER, caseIds: [caseId!], title: 'review flow' });
    }, 120_000);
    afterAll(() => harness?.close());

    /**
     * The panel over the real store, and a stand-in for the app's viewer: it shows what the store
     * opened and, like the app's live analysis, estimates an edit through the store (which saves
     * it) and hands the answer to the panel as the viewer's latest estimate.
     */
    function setup() {
      globalThis.localStorage?.setItem('spv-reader', READER);
      let opened: StoredCaseView | null = null;
      let shown: Estimate | null = null;
      let showEstimate: (e: Estimate | null) => void = () => undefined;
      function Workstation(): JSX.Element {
        const [inViewer, setInViewer] = useState<string | null>(null);
        const [estimate, setEstimate] = useState<Estimate | null>(null);
        showEstimate = (e) => {
          shown = e;
          setEstimate(e);
        };
        return (
          <ReviewPanel
            api={service}
            onOpenCase={(id, view) => {
              opened = view;
              setInViewer(id);
              showEstimate(view.estimate);
            }}
            settleViewer={async (id) => (id === inViewer ? { estimate: shown } : null)}
            viewerCaseId={inViewer}
            viewerEstimate={estimate}
          />
        );
      }
      render(<Workstation />);
      /** The viewer sends `masks` of the opened case (an edit, or Reset to AI) and shows the answer. */
      const edit = async (masks: (o: StoredCaseView) => Masks) => {
        const o = opened!;
        const answer = await service.estimate({
          caseId: o.view.caseId,
          masks: masks(o),
          editOrder: pageEditSequence.next(),
        });
        act(() => showEstimate(answer));
        return answer;
      };
      return { edit };
    }

    it('drops the uncertain outline from the row, note and step after an edit, and brings it back after Reset to AI', async () => {
      const { edit } = setup();
      await waitFor(() => expect(screen.getByRole('option', { name: /review flow/ })).toBeTruthy());
      const session = (await service.listSessions())[0]!.sessionId;
      fireEvent.change(screen.getByTestId('session-select'), { target: { value: session } });
      await waitFor(() => expect(checkFirstOf(caseId)).toBe(`⚠ ${UNCERTAIN}`));
      fireEvent.click(screen.getByTestId(`worklist-row-${caseId}`));
      fireEvent.click(button('action-open'));
      await waitFor(() => expect(screen.getByTestId('case-actions-in-viewer')).toBeTruthy());
      await waitFor(() => expect(screen.queryByTestId('review-busy')).toBeNull());
      expect(screen.getByTestId('case-check-first').textContent).toContain(UNCERTAIN);

      // One stroke on the transverse outline: the viewer's estimate no longer asks, nor does the row.
      const edited = await edit((o) => ({
        coronal: o.currentMasks!.coronal,
        transverse: withOneMorePixel(o.currentMasks!.transverse!),
      }));
      expect(edited.uncertainOutline ?? []).toEqual([]);
      await waitFor(() => expect(checkFirstOf(caseId)).toBeNull());
      expect(screen.queryByTestId('case-check-first')).toBeNull();
      expect(screen.getByTestId(`worklist-row-${caseId}`).textContent).toContain(
        `${edited.volumeMl.toFixed(0)} mL`,
      );
      expect(screen.getByTestId(`worklist-row-${caseId}`).getAttribute('data-status')).toBe(
        'corrected',
      );

      // Reset to AI: the AI's outlines again, and with them the item to check, in the row and step.
      const reset = await edit((o) => o.aiMasks!);
      expect(reset.uncertainOutline).toEqual(['transverse']);
      await waitFor(() => expect(checkFirstOf(caseId)).toBe(`⚠ ${UNCERTAIN}`));
      expect(screen.getByTestId('case-check-first').textContent).toContain(UNCERTAIN);
      fireEvent.click(button('action-sign-off'));
      const step = screen.getByTestId('sign-off-checks');
      expect(step.textContent).toContain("I have checked the AI's transverse outline");
      expect((await service.listCases({}))[0]!.status).not.toBe('signed-off');
    });
  },
);

describe('review flow: what the sign-off step says per item', () => {
  it('says what the reader concludes and what to do if it does not hold', () => {
    expect(checkFirstStep('views look swapped')).toEqual({
      confirm: 'I have checked which image is which: the coronal one shows the long axis.',
      remedy: 'If they are swapped, Cancel and use Swap coronal ⇄ transverse.',
    });
    expect(checkFirstStep('uncertain AI coronal outline')).toEqual({
      confirm: "I have checked the AI's coronal outline against the image.",
      remedy: 'Correct it in the viewer if it is wrong (an edited outline clears this).',
    });
    const scale = checkFirstStep('transverse scale implausible');
    expect(scale.confirm).toMatch(/^I have checked the calibration of the transverse view/);
    expect(scale.remedy).toMatch(/Recalibrate in the toolbar/);
    const length = checkFirstStep('length implausible');
    expect(length.confirm).toMatch(/^I have checked the calibration and the coronal outline/);
    expect(length.remedy).toMatch(/correct it in the viewer.*Recalibrate in the toolbar/);
    const unlike = checkFirstStep('unlike the training data');
    expect(unlike.confirm).toMatch(/^I have compared the volume with the length-based formulas/);
    expect(unlike.remedy).toMatch(/Check the outlines first/);
    const outline = checkFirstStep('transverse outline implausible');
    expect(outline.confirm).toMatch(
      /^I have checked the transverse outline against the image: it is the spleen's section/,
    );
    expect(outline.remedy).toMatch(/correct or redraw it in the viewer/);
    // A phrase from a newer engine is still named, to be ticked.
    expect(checkFirstStep('something new')).toEqual({
      confirm: 'I have checked: something new.',
      remedy: null,
    });
  });
});

/** A two-view case whose views look swapped and whose coronal outline is uncertain. */
const doubtful: CaseSummary = {
  ...caseSummary('c1', 'ai-ready'),
  views: ['coronal', 'transverse'],
  volumeMl: 167,
  ci95Ml: [89, 311],
  estimateId: '7',
  checkFirst: ['views look swapped', 'uncertain AI coronal outline'],
};

/**
 * The panel over a store answering `doubtful` (each sign-off and swap recorded and answered at
 * once), with the case opened in the viewer.
 */
async function openDoubtfulCase() {
  globalThis.localStorage?.setItem('spv-reader', 'Dr A');
  // The case as stored now: signed off once a sign-off is answered.
  let current = doubtful;
  const session = (): SessionDetail => ({
    sessionId: 's1',
    title: 'Monday list',
    reader: 'Dr A',
    createdAt: '2026-11-28T10:00:00Z',
    worklist: [{ position: 0, timeSpentMs: 0, case: current }],
  });
  const signOffs: SignOffRequest[] = [];
  const api = {
    listCases: vi.fn(async () => [current]),
    listSessions: vi.fn(async () => [{ ...session(), caseCount: 1, signedOffCount: 0 }]),
    getSession: vi.fn(async () => session()),
    getCase: vi.fn(async () => ({ summary: current })),
    recordTimeSpent: vi.fn(async () => ({})),
    openStoredCase: vi.fn(async (): Promise<StoredCaseView> => ({
      caseId: 'c1',
      view: caseView('engine-c1'),
      status: current.status,
      locked: current.status === 'signed-off',
      aiMasks: null,
      currentMasks: null,
      estimate: null,
      estimateId: '7',
      patient: null,
      caliperLines: [],
    })),
    signOff: vi.fn(async (req: SignOffRequest) => {
      signOffs.push(req);
      current = { ...current, status: 'signed-off' };
      return current;
    }),
    swapViews: vi.fn(async () => doubtful),
  } as unknown as SpvApi;
  const swapped: string[] = [];
  function Workstation(): JSX.Element {
    const [inViewer, setInViewer] = useState<string | null>(null);
    return (
      <ReviewPanel
        api={api}
        onOpenCase={(id) => setInViewer(id)}
        settleViewer={async (id) =>
          id === inViewer ? { estimate: { volumeMl: 167 } as Estimate } : null
        }
        viewerCaseId={inViewer}
        onViewsSwapped={(_id, title) => swapped.push(title)}
      />
    );
  }
  render(<Workstation />);
  await waitFor(() => expect(screen.getByRole('option', { name: /Monday list/ })).toBeTruthy());
  fireEvent.change(screen.getByTestId('session-select'), { target: { value: 's1' } });
  await waitFor(() => expect(screen.getByTestId('worklist-row-c1')).toBeTruthy());
  fireEvent.click(screen.getByTestId('worklist-row-c1'));
  fireEvent.click(button('action-open'));
  await waitFor(() => expect(screen.getByTestId('case-actions-in-viewer')).toBeTruthy());
  await waitFor(() => expect(screen.queryByTestId('review-busy')).toBeNull());
  return { api, signOffs, swapped };
}

describe('review flow: the sign-off step', () => {
  it('names each item by what the reader concludes, with its remedy, and sends the store’s phrases', async () => {
    const { signOffs } = await openDoubtfulCase();
    fireEvent.click(button('action-sign-off'));
    const step = screen.getByTestId('sign-off-checks');
    const first = within(step).getByTestId('sign-off-check-0') as HTMLInputElement;
    expect(first.labels?.[0]?.textContent).toBe(
      ' I have checked which image is which: the coronal one shows the long axis.',
    );
    expect(screen.getByTestId('sign-off-remedy-0').textContent).toBe(
      'If they are swapped, Cancel and use Swap coronal ⇄ transverse.',
    );
    expect(first.getAttribute('aria-describedby')).toBe(screen.getByTestId('sign-off-remedy-0').id);
    expect(
      (within(step).getByTestId('sign-off-check-1') as HTMLInputElement).labels?.[0]?.textContent,
    ).toBe(" I have checked the AI's coronal outline against the image.");
    expect(screen.getByTestId('sign-off-remedy-1').textContent).toBe(
      'Correct it in the viewer if it is wrong (an edited outline clears this).',
    );
    fireEvent.click(first);
    fireEvent.click(within(step).getByTestId('sign-off-check-1'));
    fireEvent.click(button('sign-off-confirm'));
    await waitFor(() => expect(signOffs).toHaveLength(1));
    expect(signOffs[0]!.checked).toEqual(['views look swapped', 'uncertain AI coronal outline']);
  });

  it('takes the focus when it opens, is named by its heading, and Escape closes it, the focus back on Sign off', async () => {
    const { signOffs } = await openDoubtfulCase();
    const signOff = button('action-sign-off');
    signOff.focus();
    fireEvent.click(signOff);
    const step = screen.getByTestId('sign-off-checks');
    expect(document.activeElement).toBe(screen.getByTestId('sign-off-check-0'));
    expect(screen.getByRole('group', { name: 'Before signing off' })).toBe(step);

    fireEvent.keyDown(screen.getByTestId('sign-off-check-0'), { key: 'Escape' });
    expect(screen.queryByTestId('sign-off-checks')).toBeNull();
    await waitFor(() => expect(document.activeElement).toBe(button('action-sign-off')));
    expect(button('action-sign-off').disabled).toBe(false);

    // Cancel does the same.
    fireEvent.click(button('action-sign-off'));
    fireEvent.click(button('sign-off-cancel'));
    await waitFor(() => expect(document.activeElement).toBe(button('action-sign-off')));
    expect(signOffs).toEqual([]);
  });

  it('leaves the focus in the case’s actions, not on the page, once the case is signed off', async () => {
    await openDoubtfulCase();
    fireEvent.click(button('action-sign-off'));
    fireEvent.click(screen.getByTestId('sign-off-check-0'));
    fireEvent.click(screen.getByTestId('sign-off-check-1'));
    fireEvent.click(button('sign-off-confirm'));
    // Sign off is off for a signed-off case: its section keeps the focus.
    await waitFor(() => expect(document.activeElement).toBe(screen.getByTestId('case-actions')));
  });
});

describe('review flow: the swap confirmation', () => {
  it('says the undo history goes, takes the focus, is named, closes on Escape and gives the focus back', async () => {
    const { api, swapped } = await openDoubtfulCase();
    fireEvent.click(button('action-swap-views'));
    const dialog = screen.getByRole('dialog', { name: 'Swap the views of this case?' });
    expect(dialog).toBe(screen.getByTestId('swap-views-confirm'));
    expect(dialog.textContent).toContain(
      'The undo history of this case is cleared; swap again to swap back.',
    );
    expect(document.activeElement).toBe(button('swap-views-confirm-button'));

    fireEvent.keyDown(button('swap-views-confirm-button'), { key: 'Escape' });
    expect(screen.queryByTestId('swap-views-confirm')).toBeNull();
    await waitFor(() => expect(document.activeElement).toBe(button('action-swap-views')));
    expect(api.swapViews).not.toHaveBeenCalled();

    // Swapped: the host is told (its status line says so), and the focus is back on the button.
    fireEvent.click(button('action-swap-views'));
    fireEvent.click(button('swap-views-confirm-button'));
    await waitFor(() => expect(api.swapViews).toHaveBeenCalledTimes(1));
    await waitFor(() => expect(swapped).toEqual(['case c1']));
    await waitFor(() => expect(document.activeElement).toBe(button('action-swap-views')));
  });
});

describe('review flow: a swap whose new volume fails', () => {
  it('still shows the case again as stored, and says what failed', async () => {
    const { api } = await openDoubtfulCase();
    const opens = vi.mocked(api.openStoredCase).mock.calls.length;
    // Saved, then its estimate failed (an outline of one view gives no volume).
    vi.mocked(api.swapViews).mockRejectedValueOnce(
      new Error('Case 1: the views are swapped, but the coronal outline gives no volume.'),
    );
    fireEvent.click(button('action-swap-views'));
    fireEvent.click(button('swap-views-confirm-button'));
    await waitFor(() => expect(api.openStoredCase).toHaveBeenCalledTimes(opens + 1));
    expect(screen.getByTestId('review-errors').textContent).toMatch(
      /Swapping the views: Case 1: the views are swapped, but the coronal outline gives no volume/,
    );
  });
});

describe('review flow: the case browser', () => {
  it('shows ⚠ by the volume of a case with things to check first, the phrases in its tooltip', () => {
    render(
      <CaseBrowser
        cases={[doubtful, { ...caseSummary('c2', 'ai-ready'), volumeMl: 210, ci95Ml: [1, 2] }]}
        lastImport={null}
        busy={false}
        onImport={() => undefined}
        onCreateSession={() => undefined}
      />,
    );
    const mark = screen.getByTestId('browser-check-first-c1');
    expect(mark.textContent).toBe('⚠');
    expect(mark.title).toBe(
      'Check first: views look swapped; uncertain AI coronal outline. The volume and its verdicts rest on them.',
    );
    expect(screen.getByRole('img', { name: /^Check first: views look swapped/ })).toBe(mark);
    expect(mark.closest('td')?.textContent).toBe('167 mL ⚠');
    expect(screen.queryByTestId('browser-check-first-c2')).toBeNull();
  });
});
