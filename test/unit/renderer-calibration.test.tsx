// @vitest-environment happy-dom
/**
 * Calibrating by a drawn line (renderer/hooks/use-calibration.ts): the engine's answer replaces the
 * case shown, unless the reader has opened another case meanwhile.
 */
import { act, renderHook } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import type { CaseView, SpvApi } from '../../src/api';
import { useCalibration } from '../../renderer/hooks/use-calibration';
import { caseView } from './renderer-fixtures';

function setup() {
  let answer: { resolve(cv: CaseView): void; reject(e: Error): void } | null = null;
  // The hook calls only calibrate(); the rest of SpvApi is never reached here.
  const api = {
    calibrate: vi.fn(
      () => new Promise<CaseView>((resolve, reject) => (answer = { resolve, reject })),
    ),
  } as unknown as SpvApi;
  const setCaseView = vi.fn();
  const onCalibrated = vi.fn();
  const pushError = vi.fn();
  const hook = renderHook(
    ({ shown }: { shown: CaseView }) =>
      useCalibration({
        api,
        caseView: shown,
        setCaseView,
        setMessage: () => undefined,
        pushError,
        onCalibrated,
      }),
    { initialProps: { shown: caseView('A') } },
  );
  // Returns the apply() call in a box: an async function returning it would wait for it.
  const start = () => {
    act(() => hook.result.current.drawLine('coronal', [0, 0], [0, 2]));
    let pending: Promise<void> = Promise.resolve();
    act(() => {
      pending = hook.result.current.apply(60);
    });
    return { pending };
  };
  const respond = () => answer!;
  return { hook, start, respond, setCaseView, onCalibrated, pushError };
}

describe('useCalibration', () => {
  it('shows the calibrated case and asks for an estimate', async () => {
    const { start, respond, setCaseView, onCalibrated } = setup();
    const { pending } = start();
    const calibrated = { ...caseView('A'), title: 'A calibrated' };
    await act(async () => {
      respond().resolve(calibrated);
      await pending;
    });
    expect(setCaseView).toHaveBeenCalledWith(calibrated);
    expect(onCalibrated).toHaveBeenCalledTimes(1);
  });

  it('drops an answer, or an error, for a case the reader has left', async () => {
    for (const outcome of ['answer', 'error'] as const) {
      const { hook, start, respond, setCaseView, onCalibrated, pushError } = setup();
      const { pending } = start();
      hook.rerender({ shown: caseView('B') });
      await act(async () => {
        if (outcome === 'answer') respond().resolve(caseView('A'));
        else respond().reject(new Error('A could not be calibrated'));
        await pending;
      });
      expect(setCaseView).not.toHaveBeenCalled();
      expect(onCalibrated).not.toHaveBeenCalled();
      expect(pushError).not.toHaveBeenCalled();
    }
  });
});
