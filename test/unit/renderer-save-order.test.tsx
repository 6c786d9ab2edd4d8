// @vitest-environment happy-dom
/**
 * The viewer numbers every edit it sends for a stored case (renderer/hooks/use-live-analysis.ts
 * with the real mask-editing hook, renderer/save-order.ts): estimates and masks-only saves alike
 * carry increasing numbers under one id per page, in the order they leave, so that the store can
 * keep them in that order when the transport (the web host's separate HTTP requests) does not.
 */
import { act, cleanup } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { EditOrder, Estimate, EstimateRequest, SpvApi } from '../../src/api';
import {
  EstimateRequestSchema,
  type CaseSummary,
  type SaveCorrectionRequest,
  SaveCorrectionRequestSchema,
} from '../../src/api';
import { EditSequence } from '../../renderer/save-order';
import { caseSummary } from './renderer-fixtures';
import { deferred, renderStoredCaseEditing } from './renderer-live-analysis-harness';

afterEach(cleanup);

/** The API as a stored case's service answers: estimates held until the test answers them. */
function recordingApi() {
  const sent: { what: string; order: EditOrder | null | undefined }[] = [];
  const estimates: ReturnType<typeof deferred<Estimate>>[] = [];
  const api = {
    estimate: (req: EstimateRequest) => {
      sent.push({ what: 'estimate', order: req.editOrder });
      const d = deferred<Estimate>();
      estimates.push(d);
      return d.promise;
    },
    saveCorrection: async (req: SaveCorrectionRequest): Promise<CaseSummary> => {
      sent.push({ what: req.masksOnly ? 'save (masks only)' : 'save', order: req.editOrder });
      return caseSummary(req.caseId);
    },
    explain: () => new Promise(() => undefined),
  } as unknown as SpvApi;
  return { api, sent, estimates };
}

const answer = { volumeMl: 1 } as unknown as Estimate;

/** The app's wiring of the two hooks for stored case 7 (a calibrated one-view 4×2 case). */
function setup() {
  const recorded = recordingApi();
  const pushError = () => undefined;
  const { hook, stroke } = renderStoredCaseEditing(recorded.api, { caseId: '7', pushError });
  return { ...recorded, hook, stroke };
}

/** The numbers sent, checked to be one viewer's and increasing in the order the calls left. */
function expectIncreasing(sent: { order: EditOrder | null | undefined }[]) {
  const orders = sent.map((s) => s.order);
  for (const order of orders)
    expect(order).toEqual({ viewer: expect.any(String), seq: expect.any(Number) });
  expect(new Set(orders.map((o) => o!.viewer)).size).toBe(1);
  const seqs = orders.map((o) => o!.seq);
  for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBeGreaterThan(seqs[i - 1]);
}

describe('the order of the edits the viewer sends', () => {
  it('numbers strokes’ estimates and masks-only saves in the order they leave, waiting estimates after the saves sent meanwhile', async () => {
    const { sent, estimates, hook, stroke } = setup();
    stroke([0]); // its estimate leaves at once
    stroke([5]); // waits: its masks are saved at once
    stroke([6]); // likewise
    act(() => hook.result.current.analysis.scheduleEstimate()); // an input changed: likewise
    await act(async () => {
      estimates[0].resolve(answer);
      await new Promise((r) => setTimeout(r, 0));
    });
    // The waiting estimate left once the first returned, numbered then: after the saves.
    expect(sent.map((s) => s.what)).toEqual([
      'estimate',
      'save (masks only)',
      'save (masks only)',
      'save (masks only)',
      'estimate',
    ]);
    // A stroke still waiting when the reader opens another case is sent then, numbered then.
    stroke([7]);
    act(() => hook.result.current.analysis.reset());
    await act(async () => {
      estimates[1].resolve(answer);
      estimates[2].resolve(answer);
      await hook.result.current.analysis.settled();
    });
    expect(sent.map((s) => s.what).slice(5)).toEqual(['save (masks only)', 'estimate']);
    expectIncreasing(sent);
  });

  it('gives each page its own viewer id, its numbers growing from the first', () => {
    const page = new EditSequence();
    const reloaded = new EditSequence();
    expect(page.viewer).not.toBe(reloaded.viewer);
    expect(page.viewer.length).toBeGreaterThanOrEqual(16);
    const first = page.next();
    expect(page.next().seq).toBe(first.seq + 1);
    expect(reloaded.next()).toEqual({ viewer: reloaded.viewer, seq: 1 });
  });

  it('keeps the numbers through the hosts’ validation, and names a bad one', () => {
    const masks = { coronal: { width: 1, height: 1, runs: [1] } };
    const editOrder = { viewer: 'page', seq: 3 };
    expect(EstimateRequestSchema.parse({ caseId: 'c', masks, editOrder }).editOrder).toEqual(
      editOrder,
    );
    expect(
      SaveCorrectionRequestSchema.parse({ caseId: '1', reader: 'Dr A', masks, editOrder })
        .editOrder,
    ).toEqual(editOrder);
    const bad = EstimateRequestSchema.safeParse({
      caseId: 'c',
      masks,
      editOrder: { viewer: 'page', seq: -1 },
    });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues[0].path).toEqual(['editOrder', 'seq']);
  });
});
