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
import { caseView } from './renderer-hook-fixtures';

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
  return { result, pending, masksRef, shown, masksLoaded, pushError };
}

describe('useCaseLoader', () => {
  it('drops the masks of a case the reader has already left', async () => {
    const { result, pending, masksRef, shown, masksLoaded } = setup();
    let openA: Promise<void> = Promise.resolve();
    let openB: Promise<void> = Promise.resolve();
    await act(async () => {
      openA = result.current.openSample('A');
      await vi.waitFor(() => expect(pending.has('A')).toBe(true));
      openB = result.current.openSample('B');
      await vi.waitFor(() => expect(pending.has('B')).toBe(true));
    });
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
    const { result, pending, pushError } = setup();
    let openA: Promise<void> = Promise.resolve();
    let openB: Promise<void> = Promise.resolve();
    await act(async () => {
      openA = result.current.openSample('A');
      await vi.waitFor(() => expect(pending.has('A')).toBe(true));
      openB = result.current.openSample('B');
      await vi.waitFor(() => expect(pending.has('B')).toBe(true));
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
