// @vitest-environment happy-dom
/**
 * The estimate inputs hook (renderer/hooks/use-estimate-inputs.ts). A request is built from `latest`
 * when it is sent, which can be before React renders the change that scheduled it: opening another
 * case clears the calipers and estimates at once, and that estimate must not carry (or, for a stored
 * case, save) the previous case's calipers. These read `latest` inside the same act(), before any
 * re-render, as the request builders do.
 */
import { act, renderHook } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { useEstimateInputs } from '../../renderer/hooks/use-estimate-inputs';

describe('useEstimateInputs', () => {
  it('clears the calipers in what the next request reads, before React re-renders', () => {
    const { result } = renderHook(() => useEstimateInputs());
    act(() => {
      result.current.addCaliper('coronal', [10, 10], [110, 10]);
      result.current.addCaliper('transverse', [5, 5], [45, 5]);
    });
    expect(result.current.latest.current?.calipers.coronal).toHaveLength(1);
    expect(result.current.latest.current?.calipers.transverse).toHaveLength(1);

    let seenBySend: unknown = null;
    act(() => {
      result.current.clearCalipers();
      // What a request built right now (as showCase's estimate is) would carry.
      seenBySend = result.current.latest.current?.calipers;
    });
    expect(seenBySend).toEqual({ coronal: [], transverse: [] });
    expect(result.current.calipers).toEqual({ coronal: [], transverse: [] });
  });

  it('places the transverse width before the thickness, and the new one in latest at once', () => {
    const { result } = renderHook(() => useEstimateInputs());
    const kinds: string[][] = [];
    act(() => {
      result.current.addCaliper('transverse', [0, 0], [40, 0]);
      kinds.push((result.current.latest.current?.calipers.transverse ?? []).map((c) => c.kind));
      result.current.addCaliper('transverse', [20, -10], [20, 10]);
      kinds.push((result.current.latest.current?.calipers.transverse ?? []).map((c) => c.kind));
    });
    expect(kinds).toEqual([['width'], ['width', 'thickness']]);
  });

  it('sets the case and the patient in latest before the re-render', () => {
    const { result } = renderHook(() => useEstimateInputs());
    const patient = { ageYears: 4, sex: 'female' as const, heightCm: 102 };
    let seen: unknown = null;
    act(() => {
      result.current.setPatient(patient);
      seen = result.current.latest.current?.patient;
    });
    expect(seen).toEqual(patient);
    expect(result.current.patient).toEqual(patient);
  });
});
