// @vitest-environment happy-dom
/**
 * Two uncalibrated views: an implausible calibration of the first is questioned on that view, and
 * the dialog moves on to the other view only once the reader has kept or redrawn it.
 */
import { act, renderHook } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import type { CalibrateRequest, CaseView, SpvApi } from '../../src/api';
import { calibrationFromTwoPoints } from '../../src/imaging/calibration';
import { useCalibration } from '../../renderer/hooks/use-calibration';
import type { MaskSet } from '../../renderer/viewer/types';
import { caseView } from './renderer-fixtures';

describe('calibrating two uncalibrated views', () => {
  it('keeps the question on the coronal view until it is kept, then turns to the transverse', async () => {
    const base = caseView('A');
    const [width, height] = [400, 320];
    const mask = new Uint8Array(width * height);
    for (let y = 100; y < 120; y++) mask.fill(1, y * width + 100, y * width + 300);
    const image = { ...base.coronal, width, height, calibration: null };
    let shown: CaseView = { ...base, coronal: image, transverse: { ...image, view: 'transverse' } };
    const masks: MaskSet = { coronal: { width, height, ai: mask.slice(), current: mask } };
    const api = {
      // The engine's own two-point rule.
      calibrate: vi.fn(async (req: CalibrateRequest) => {
        const calibration = calibrationFromTwoPoints(req.pointA, req.pointB, req.distanceMm);
        return req.view === 'coronal'
          ? { ...shown, coronal: { ...shown.coronal, calibration } }
          : { ...shown, transverse: { ...shown.transverse!, calibration } };
      }),
    } as unknown as SpvApi;
    const hook = renderHook(
      ({ caseView: current }: { caseView: CaseView }) =>
        useCalibration({
          api,
          caseView: current,
          setCaseView: (next) => {
            shown = next;
            hook.rerender({ caseView: next });
          },
          setMessage: () => {},
          pushError: vi.fn(),
          onCalibrated: vi.fn(),
          masks: { current: masks },
        }),
      { initialProps: { caseView: shown } },
    );
    // Coronal: the untouched old default, 10 mm over 200 px (0.05 mm/px, a 1-cm spleen).
    act(() => hook.result.current.drawLine('coronal', [20, 20], [20, 220]));
    await act(() => hook.result.current.apply(10));
    let state = hook.result.current;
    expect(state.uncalibratedView).toBe('coronal');
    expect(state.dialog.warning).toMatch(/0\.050 mm per pixel/);
    expect(state.dialog.onCancel).not.toBeNull(); // "keep" is offered
    // Redrawn with the right distance: plausible, and the transverse view's turn comes.
    act(() => hook.result.current.drawLine('coronal', [20, 20], [20, 220]));
    await act(() => hook.result.current.apply(80));
    state = hook.result.current;
    expect(shown.coronal.calibration?.spacingX).toBeCloseTo(0.4, 12);
    expect(state.uncalibratedView).toBe('transverse');
    expect(state.dialog.warning).toBeNull();
  });
});
