// @vitest-environment happy-dom
/**
 * A signed-off (read-only) stored case offers no calibration: its uncalibrated transverse view gets
 * no calibration tool and no dialog (the store would refuse the line the reader drew), and the
 * dialog's place says why instead (renderer/hooks/use-calibration.ts, CalibrationDialog.tsx).
 */
import { act, cleanup, render, renderHook, screen } from '@testing-library/react';
import type { JSX } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CaseView, SpvApi } from '../../src/api';
import { viewerTool } from '../../renderer/case-views';
import { CalibrationDialog, CalibrationRefused } from '../../renderer/components/CalibrationDialog';
import { useCalibration } from '../../renderer/hooks/use-calibration';
import { caseView } from './renderer-fixtures';

afterEach(cleanup);

const SIGNED_OFF = 'case 5 is signed off: unlock it with a reason in the Review tab to change it';

/** A case whose coronal view is calibrated and whose transverse view is not. */
function transverseUncalibrated(): CaseView {
  const base = caseView('engine-5');
  return {
    ...base,
    coronal: { ...base.coronal, calibration: { spacingX: 0.3, spacingY: 0.3, source: 'user' } },
    transverse: { ...base.coronal, view: 'transverse', calibration: null },
  };
}

/** The side panel's calibration slot and the transverse viewer's tool, wired as the App wires them. */
function CalibrationSlot(props: { api: SpvApi; readOnly: string | null }): JSX.Element {
  const calibration = useCalibration({
    api: props.api,
    caseView: transverseUncalibrated(),
    setCaseView: () => undefined,
    setMessage: () => undefined,
    pushError: () => undefined,
    onCalibrated: () => undefined,
    readOnly: props.readOnly,
  });
  const { uncalibratedView } = calibration;
  return (
    <>
      <span data-testid="transverse-tool">
        {viewerTool('transverse', 'brush', uncalibratedView)}
      </span>
      {uncalibratedView && (
        <CalibrationDialog
          view={uncalibratedView}
          line={calibration.lineOn(uncalibratedView)}
          busy={calibration.busy}
          onApply={(mm) => void calibration.apply(mm)}
          {...calibration.dialog}
        />
      )}
      {calibration.refused && <CalibrationRefused {...calibration.refused} />}
    </>
  );
}

describe('calibration on a signed-off case', () => {
  it('offers neither the calibration tool nor the dialog, and says the case cannot be calibrated', () => {
    const api = { calibrate: vi.fn() } as unknown as SpvApi;
    render(<CalibrationSlot api={api} readOnly={SIGNED_OFF} />);
    expect(screen.queryByTestId('calibration-dialog')).toBeNull();
    expect(screen.getByTestId('transverse-tool').textContent).toBe('brush');
    const note = screen.getByTestId('calibration-refused');
    expect(note.textContent).toMatch(/transverse image cannot be calibrated/);
    expect(note.textContent).toContain(SIGNED_OFF);
  });

  it('sends no calibration even if a line reaches it (the store would refuse it)', async () => {
    const api = { calibrate: vi.fn() } as unknown as SpvApi;
    const hook = renderHook(() =>
      useCalibration({
        api,
        caseView: transverseUncalibrated(),
        setCaseView: () => undefined,
        setMessage: () => undefined,
        pushError: () => undefined,
        onCalibrated: () => undefined,
        readOnly: SIGNED_OFF,
      }),
    );
    act(() => hook.result.current.drawLine('transverse', [0, 0], [0, 2]));
    await act(() => hook.result.current.apply(10));
    expect(api.calibrate).not.toHaveBeenCalled();
    expect(hook.result.current.uncalibratedView).toBeNull();
    expect(hook.result.current.refused).toEqual({ view: 'transverse', reason: SIGNED_OFF });
  });

  it('still offers the tool and the dialog once the case is editable', () => {
    const api = { calibrate: vi.fn() } as unknown as SpvApi;
    render(<CalibrationSlot api={api} readOnly={null} />);
    expect(screen.getByTestId('calibration-dialog').textContent).toMatch(/transverse image/);
    expect(screen.getByTestId('transverse-tool').textContent).toBe('calibrate');
    expect(screen.queryByTestId('calibration-refused')).toBeNull();
  });
});
