// @vitest-environment happy-dom
/**
 * A stored case's finished strokes are never left waiting unsaved (renderer/hooks/use-live-analysis.ts
 * with the real mask-editing hook): while an estimate is in flight, the next finished stroke is
 * sent to be saved at once, the store ends on the newest masks, and no estimate is run twice. A
 * stroke that a case switch cuts off is saved whole or not at all (here: not at all).
 */
import { act, cleanup } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { Estimate, EstimateRequest, Masks, SpvApi } from '../../src/api';
import type { CaseSummary, SaveCorrectionRequest } from '../../src/api/store-contract';
import { caseSummary } from './renderer-fixtures';
import { deferred, renderStoredCaseEditing } from './renderer-live-analysis-harness';

afterEach(cleanup);

/** The coronal mask's set pixels, as a short name for assertions ("0,5" = pixels 0 and 5). */
const pixelsOf = (masks: Masks): string => {
  const { runs } = masks.coronal;
  const set: number[] = [];
  let at = 0;
  runs.forEach((n, k) => {
    if (k % 2 === 1) for (let i = 0; i < n; i++) set.push(at + i);
    at += n;
  });
  return set.join(',');
};

/**
 * The API as the store service answers a stored case: estimates held until the test answers them
 * (the boundary is controllable), saves answered at once. `stored` lists the masks the store saves
 * for the case, in the order it saves them: the service's per-case queue saves every estimate and
 * every save of a case in the order the calls reach it, and each call reaches it as it is made.
 */
function storeApi() {
  const calls: string[] = [];
  const stored: string[] = [];
  const estimates: ReturnType<typeof deferred<Estimate>>[] = [];
  const api = {
    estimate: (req: EstimateRequest) => {
      calls.push(`estimate ${pixelsOf(req.masks)}`);
      stored.push(pixelsOf(req.masks));
      const d = deferred<Estimate>();
      estimates.push(d);
      return d.promise;
    },
    saveCorrection: async (req: SaveCorrectionRequest): Promise<CaseSummary> => {
      calls.push(`save ${pixelsOf(req.masks)}${req.masksOnly ? ' (masks only)' : ''}`);
      stored.push(pixelsOf(req.masks));
      return caseSummary(req.caseId);
    },
    explain: () => new Promise(() => undefined),
  } as unknown as SpvApi;
  return { api, calls, stored, estimates };
}

const answer = { volumeMl: 1 } as unknown as Estimate;

/** The app's wiring of the two hooks for stored case 5 (a calibrated one-view 4×2 case). */
function setup(locked = false) {
  const store = storeApi();
  const errors: unknown[] = [];
  const pushError = (_source: string, err: unknown) => errors.push(err);
  const editing = renderStoredCaseEditing(store.api, { caseId: '5', locked, pushError });
  return { ...store, ...editing, errors };
}

describe('saving the edits of a stored case while an estimate runs', () => {
  it('sends a finished stroke to be saved before the estimate in flight returns, and ends on the newest masks', async () => {
    const { calls, stored, estimates, hook, errors, stroke } = setup();
    stroke([0]); // its estimate leaves at once (and saves stroke 1)
    expect(calls).toEqual(['estimate 0']);

    stroke([5]); // finished while the first estimate runs
    // Saved now, not once the first estimate returns: a window closed meanwhile loses nothing.
    expect(calls).toEqual(['estimate 0', 'save 0,5 (masks only)']);
    stroke([6]);
    expect(calls).toEqual(['estimate 0', 'save 0,5 (masks only)', 'save 0,5,6 (masks only)']);

    await act(async () => {
      estimates[0].resolve(answer);
      await new Promise((r) => setTimeout(r, 0));
    });
    // One estimate for the strokes that waited, of the newest masks: the engine work does not double.
    expect(calls.filter((c) => c.startsWith('estimate'))).toEqual(['estimate 0', 'estimate 0,5,6']);
    await act(async () => {
      estimates[1].resolve(answer);
      await hook.result.current.analysis.settled();
    });
    expect(stored).toEqual(['0', '0,5', '0,5,6', '0,5,6']);
    expect(stored.at(-1)).toBe('0,5,6');
    expect(hook.result.current.analysis.estimateNow()).toBe(answer);
    expect(errors).toEqual([]);
  });

  it('sends no save of its own when the estimate can leave at once (it saves the edit itself)', async () => {
    const { calls, estimates, hook, stroke } = setup();
    stroke([0]);
    await act(async () => {
      estimates[0].resolve(answer);
      await hook.result.current.analysis.settled();
    });
    stroke([1]);
    expect(calls).toEqual(['estimate 0', 'estimate 0,1']);
  });

  it('never saves part of a stroke that a case switch cuts off', async () => {
    const { calls, stored, estimates, hook, stroke, beginStroke, masksRef } = setup();
    stroke([0]);
    stroke([1]); // waits behind the first estimate; saved at once
    // A third stroke is being painted when the first estimate returns: the estimate that leaves
    // then is built of the finished strokes only.
    const cut = beginStroke([6, 7]);
    await act(async () => {
      estimates[0].resolve(answer);
      await new Promise((r) => setTimeout(r, 0));
    });
    expect(calls.at(-1)).toBe('estimate 0,1');
    // The reader changes an input meanwhile: its estimate waits, the masks are saved at once.
    act(() => hook.result.current.analysis.scheduleEstimate());
    // The reader opens another case with the third stroke still open: the estimate left waiting is
    // sent now, built of the finished strokes; the cut-off stroke is then discarded, as the viewer
    // does with a gesture on masks no longer shown.
    act(() => {
      hook.result.current.analysis.reset();
      hook.result.current.editing.clearMasks();
    });
    cut.discard();
    expect(masksRef.current).toEqual({});
    await act(async () => {
      estimates[1].resolve(answer);
      estimates[2].resolve(answer);
      await hook.result.current.analysis.settled();
    });
    expect(calls).toEqual([
      'estimate 0',
      'save 0,1 (masks only)',
      'estimate 0,1',
      'save 0,1 (masks only)',
      'estimate 0,1',
    ]);
    // None of pixels 6 and 7 was ever sent.
    for (const masks of stored) expect(masks.split(',')).not.toContain('6');
  });

  it('sends no save for a signed-off case (the store refuses its edits): its estimate only', () => {
    const { calls, hook } = setup(true);
    act(() => hook.result.current.analysis.scheduleEstimate()); // the case opened
    act(() => hook.result.current.analysis.scheduleEstimate()); // the reader changed an input
    expect(calls).toEqual(['estimate ']);
  });
});
