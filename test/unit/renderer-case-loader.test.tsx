// @vitest-environment happy-dom
/**
 * Opening cases (renderer/hooks/use-case-loader.ts): when the reader opens B while A is still being
 * segmented, A's late masks (or its late error) must not land on B.
 */
import { act, renderHook } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import type { MaskRle, SegmentRequest, SpvApi } from '../../src/api';
import { useCaseLoader } from '../../renderer/hooks/use-case-loader';
import type { MaskSet } from '../../renderer/viewer/types';
import { caseView } from './renderer-fixtures';

/** A 4×2 mask with `n` foreground pixels first. */
const rle = (n: number): MaskRle => ({ width: 4, height: 2, runs: [0, n, 8 - n] });

/** An api whose segment() answers only when the test says so. */
function deferredApi() {
  const pending = new Map<string, { resolve(m: MaskRle): void; reject(e: Error): void }>();
  const api = {
    openSample: vi.fn(async ({ sampleId }: { sampleId: string | null }) =>
      caseView(sampleId ?? 's'),
    ),
    segment: vi.fn(
      (req: SegmentRequest) =>
        new Promise<MaskRle>((resolve, reject) => pending.set(req.caseId, { resolve, reject })),
    ),
  };
  // The loader calls only these two; the rest of SpvApi is never reached in these tests.
  return { api: api as unknown as SpvApi, pending };
}

function setup() {
  const { api, pending } = deferredApi();
  const masksRef: { current: MaskSet } = { current: {} };
  const shown: string[] = [];
  const masksLoaded = vi.fn();
  const pushError = vi.fn();
  const { result } = renderHook(() =>
    useCaseLoader({
      api,
      masksRef,
      showCase: (cv) => {
        shown.push(cv.caseId);
        masksRef.current = {};
      },
      masksLoaded,
      closeOpenDialog: () => undefined,
      setMessage: () => undefined,
      pushError,
    }),
  );
  /** Opens A, then B while A is still being segmented; both openings wait for segment(). */
  const openAThenB = async () => {
    const openings = { openA: Promise.resolve(true), openB: Promise.resolve(true) };
    await act(async () => {
      openings.openA = result.current.openSample('A');
      await vi.waitFor(() => expect(pending.has('A')).toBe(true));
      openings.openB = result.current.openSample('B');
      await vi.waitFor(() => expect(pending.has('B')).toBe(true));
    });
    return openings;
  };
  return { pending, masksRef, shown, masksLoaded, pushError, openAThenB };
}

describe('useCaseLoader', () => {
  it('drops the masks of a case the reader has already left', async () => {
    const { pending, masksRef, shown, masksLoaded, openAThenB } = setup();
    const { openA, openB } = await openAThenB();
    expect(shown).toEqual(['A', 'B']);
    await act(async () => {
      pending.get('B')!.resolve(rle(3));
      await openB;
      pending.get('A')!.resolve(rle(6)); // A's answer comes last
      await openA;
    });
    expect(Array.from(masksRef.current.coronal!.current).filter((v) => v).length).toBe(3);
    expect(masksLoaded).toHaveBeenCalledTimes(1);
  });

  it("ignores the error of a case the reader has already left, but reports the current one's", async () => {
    const { pending, pushError, openAThenB } = setup();
    const { openA, openB } = await openAThenB();
    await act(async () => {
      pending.get('A')!.reject(new Error('A failed'));
      await openA;
    });
    expect(pushError).not.toHaveBeenCalled();
    await act(async () => {
      pending.get('B')!.reject(new Error('B failed'));
      await openB;
    });
    expect(pushError).toHaveBeenCalledWith('Open B', expect.any(Error));
  });
});
