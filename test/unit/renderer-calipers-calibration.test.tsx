// @vitest-environment happy-dom
/**
 * Redoing a calibration and questioning an implausible one (renderer/hooks/use-calibration.ts,
 * src/imaging/calibration-plausibility.ts). The case answer is built by the engine's own two-point
 * rule (calibrationFromTwoPoints), so the scale checked is the one the engine would return.
 */
import { act, renderHook } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import type { CalibrateRequest, Calibration, CaseView, SpvApi } from '../../src/api';
import { calibrationFromTwoPoints } from '../../src/imaging/calibration';
import {
  calibrationWarning,
  PLAUSIBLE_SPACING_MM,
} from '../../src/imaging/calibration-plausibility';
import { useCalibration } from '../../renderer/hooks/use-calibration';
import type { MaskSet } from '../../renderer/viewer/types';
import { caseView } from './renderer-fixtures';

/** A 400×320 coronal view whose mask is a 200-pixel-long bar (rows 100–119, columns 100–299). */
function coronalCase(calibration: Calibration | null): { cv: CaseView; masks: MaskSet } {
  const base = caseView('A');
  const [width, height] = [400, 320];
  const mask = new Uint8Array(width * height);
  for (let y = 100; y < 120; y++) mask.fill(1, y * width + 100, y * width + 300);
  return {
    cv: { ...base, coronal: { ...base.coronal, width, height, calibration } },
    masks: { coronal: { width, height, ai: mask.slice(), current: mask } },
  };
}

function setup(
  start: Calibration | null,
  refuse: string | null = null,
  readOnly: string | null = null,
) {
  const { cv, masks } = coronalCase(start);
  let shown = cv;
  const api = {
    // What the engine does: the view's calibration from the two points (or the service's refusal).
    calibrate: vi.fn(async (req: CalibrateRequest) => {
      if (refuse) throw new Error(refuse);
      const calibration = calibrationFromTwoPoints(req.pointA, req.pointB, req.distanceMm);
      return { ...shown, coronal: { ...shown.coronal, calibration } };
    }),
  } as unknown as SpvApi;
  const messages: string[] = [];
  const pushError = vi.fn();
  const onCalibrated = vi.fn();
  const hook = renderHook(
    ({ caseView: current }: { caseView: CaseView }) =>
      useCalibration({
        api,
        caseView: current,
        setCaseView: (next) => {
          shown = next;
          hook.rerender({ caseView: next });
        },
        setMessage: (m) => messages.push(m),
        pushError,
        onCalibrated,
        masks: { current: masks },
        readOnly,
      }),
    { initialProps: { caseView: cv } },
  );
  const calibrate = async (lengthPx: number, distanceMm: number) => {
    act(() => hook.result.current.drawLine('coronal', [20, 20], [20, 20 + lengthPx]));
    await act(() => hook.result.current.apply(distanceMm));
  };
  return { hook, calibrate, messages, pushError, onCalibrated, shown: () => shown };
}

const user: Calibration = { spacingX: 0.3, spacingY: 0.3, source: 'user' };

describe('calibration plausibility', () => {
  it('questions the untouched old default: 10 mm over 200 px', async () => {
    const { hook, calibrate, messages, onCalibrated } = setup(null);
    await calibrate(200, 10); // 0.05 mm/px: the 200-px spleen comes out 1.0 cm long
    const state = hook.result.current;
    expect(onCalibrated).toHaveBeenCalledTimes(1); // applied, but not silently
    expect(state.uncalibratedView).toBe('coronal'); // the dialog stays, to check it
    expect(state.dialog.warning).toMatch(/0\.050 mm per pixel/);
    expect(state.dialog.warning).toMatch(/length comes out at 1\.0 cm/);
    expect(messages.at(-1)).toMatch(/Check the calibration/);
    // Keeping it closes the dialog.
    act(() => state.dialog.onCancel?.());
    expect(hook.result.current.uncalibratedView).toBeNull();
  });

  it('accepts a plausible one and closes the dialog', async () => {
    const { hook, calibrate, messages } = setup(null);
    await calibrate(200, 60); // 0.3 mm/px: 6 cm
    expect(hook.result.current.uncalibratedView).toBeNull();
    expect(hook.result.current.dialog.warning).toBeNull();
    expect(messages.at(-1)).toBe('coronal calibrated');
  });

  it('bounds the scale by the depths and image heights of abdominal ultrasound', () => {
    // 8 cm over 1000 px and 30 cm over 300 px, the extremes of a real image, are both accepted.
    expect(calibrationWarning(80 / 1000, null)).toBeNull();
    expect(calibrationWarning(300 / 300, null)).toBeNull();
    expect(calibrationWarning(PLAUSIBLE_SPACING_MM.min / 2, null)).toMatch(/mm per pixel/);
    expect(calibrationWarning(PLAUSIBLE_SPACING_MM.max * 2, null)).toMatch(/mm per pixel/);
    expect(calibrationWarning(0.3, 35)).toMatch(/35\.0 cm/);
  });
});

describe('Recalibrate', () => {
  it('reopens the dialog for the reader’s calibration, and applies the new one', async () => {
    const { hook, calibrate, shown } = setup(user);
    expect(hook.result.current.uncalibratedView).toBeNull();
    expect(hook.result.current.recalibrationOf('coronal')).toEqual({
      view: 'coronal',
      allowed: true,
    });
    act(() => hook.result.current.recalibrate('coronal'));
    expect(hook.result.current.uncalibratedView).toBe('coronal');
    expect(hook.result.current.dialog.purpose).toBe('recalibrate');
    expect(hook.result.current.recalibrationOf('coronal')).toBeNull(); // the dialog is open
    await calibrate(200, 50);
    expect(shown().coronal.calibration?.spacingX).toBeCloseTo(0.25);
    expect(hook.result.current.uncalibratedView).toBeNull();
  });

  it('cannot reopen a calibration from the file', () => {
    const { hook } = setup({ spacingX: 0.3, spacingY: 0.3, source: 'pixel-spacing' });
    act(() => hook.result.current.recalibrate('coronal'));
    expect(hook.result.current.uncalibratedView).toBeNull();
  });

  it('says a signed-off case cannot be recalibrated, before the reader redraws it', () => {
    const why = 'Case 3 is signed off: unlock it with a reason in the Review tab to change it';
    const { hook } = setup(user, null, why);
    expect(hook.result.current.recalibrationOf('coronal')).toEqual({
      view: 'coronal',
      allowed: false,
      reason: why,
    });
    act(() => hook.result.current.recalibrate('coronal'));
    expect(hook.result.current.uncalibratedView).toBeNull();
  });

  it('shows the service’s refusal for a signed-off case in the dialog', async () => {
    const refusal =
      'Case 3 (case 3) was signed off by dr-a at 2026-01-01T00:00:00Z; unlock it with a reason before changing it.';
    const { hook, calibrate, pushError } = setup(user, refusal);
    act(() => hook.result.current.recalibrate('coronal'));
    await calibrate(200, 50);
    expect(hook.result.current.dialog.problem).toBe(refusal);
    expect(pushError).toHaveBeenCalledTimes(1);
    expect(hook.result.current.uncalibratedView).toBe('coronal');
    act(() => hook.result.current.dialog.onCancel?.());
    expect(hook.result.current.uncalibratedView).toBeNull();
  });
});
