// @vitest-environment happy-dom
/**
 * The controls for calipers and calibration: the × on a caliper's row, the transverse kind selector
 * beside the Caliper tool, Delete/Backspace, the Recalibrate button, and the calibration dialog's
 * empty distance, per-view wording and plausibility warning.
 */
import { cleanup, fireEvent, render, renderHook, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Calibration, CaseView } from '../../src/api';
import { recalibrationOf } from '../../renderer/case-views';
import { CalibrationDialog } from '../../renderer/components/CalibrationDialog';
import { ComparisonPanel, type MeasuredLengths } from '../../renderer/components/ComparisonPanel';
import { Toolbar, type ToolbarProps } from '../../renderer/components/Toolbar';
import {
  useKeyboardShortcuts,
  type ShortcutHandlers,
} from '../../renderer/hooks/use-keyboard-shortcuts';
import { shortcutFor } from '../../renderer/shortcuts';
import { caseView, toolbarProps } from './renderer-fixtures';

afterEach(cleanup);

const lengths = (caliper: MeasuredLengths['caliper']): MeasuredLengths => ({
  mask: { length: 10, width: 6, thickness: 4, craniocaudal: 9 },
  caliper,
});

function comparison(extra: Partial<Parameters<typeof ComparisonPanel>[0]>) {
  return render(
    <ComparisonPanel
      estimate={null}
      updating={false}
      calibrated
      lengths={lengths({ length: 10.2, width: 0.8 })}
      patient={{ ageYears: null, sex: null, heightCm: null }}
      onPatient={() => undefined}
      referenceVolumeMl={null}
      {...extra}
    />,
  );
}

describe('the comparison table’s ×', () => {
  it('removes the caliper of its row, also one drawn without a length', () => {
    const onRemoveCaliper = vi.fn();
    // The thickness is drawn across two regions: no length, but it must still be removable.
    comparison({ drawnCalipers: ['length', 'width', 'thickness'], onRemoveCaliper });
    expect(screen.queryByTestId('remove-caliper-craniocaudal')).toBeNull();
    fireEvent.click(screen.getByTestId('remove-caliper-width'));
    fireEvent.click(screen.getByTestId('remove-caliper-thickness'));
    expect(onRemoveCaliper.mock.calls).toEqual([['width'], ['thickness']]);
  });

  it('offers no × for a kind not drawn', () => {
    comparison({ drawnCalipers: ['length'], onRemoveCaliper: () => undefined });
    expect(screen.getByTestId('remove-caliper-length')).toBeTruthy();
    expect(screen.queryByTestId('remove-caliper-width')).toBeNull();
  });
});

const toolbar = (extra: Partial<ToolbarProps>) =>
  render(<Toolbar {...toolbarProps()} {...extra} />);

describe('the transverse caliper kind selector', () => {
  it('shows with the Caliper tool only, and sets the kind the reader picks', () => {
    const onCaliperKind = vi.fn();
    const { rerender } = toolbar({ tool: 'brush', caliperKind: 'width', onCaliperKind });
    expect(screen.queryByTestId('caliper-kind')).toBeNull();
    rerender(
      <Toolbar
        {...toolbarProps()}
        tool="caliper"
        caliperKind="thickness"
        onCaliperKind={onCaliperKind}
      />,
    );
    expect(screen.getByTestId('caliper-kind-thickness').getAttribute('aria-checked')).toBe('true');
    expect(screen.getByTestId('caliper-kind-width').getAttribute('aria-checked')).toBe('false');
    fireEvent.click(screen.getByTestId('caliper-kind-width'));
    expect(onCaliperKind).toHaveBeenCalledWith('width');
  });
});

describe('Delete and Backspace', () => {
  it('map to removing a caliper, but not with a modifier', () => {
    const key = (k: string, ctrlKey = false) =>
      shortcutFor({ key: k, ctrlKey, metaKey: false, shiftKey: false, altKey: false });
    expect(key('Delete')).toBe('remove-caliper');
    expect(key('Backspace')).toBe('remove-caliper');
    expect(key('Delete', true)).toBeNull();
  });

  it('call the window’s handler, and are left alone in a text field', () => {
    const removeCaliper = vi.fn();
    const noop = () => undefined;
    const handlers = new Proxy({} as ShortcutHandlers, {
      get: (_, name) => (name === 'remove-caliper' ? removeCaliper : noop),
    });
    renderHook(() => useKeyboardShortcuts(handlers));
    const press = fireEvent.keyDown(window, { key: 'Delete' });
    expect(removeCaliper).toHaveBeenCalledTimes(1);
    expect(press).toBe(false); // default prevented: the key is taken
    const input = document.createElement('input');
    document.body.append(input);
    fireEvent.keyDown(input, { key: 'Backspace' });
    expect(removeCaliper).toHaveBeenCalledTimes(1);
    input.remove();
  });
});

const withCalibration = (source: Calibration['source']): CaseView => {
  const cv = caseView('A');
  return {
    ...cv,
    coronal: { ...cv.coronal, calibration: { spacingX: 0.3, spacingY: 0.3, source } },
  };
};

describe('Recalibrate', () => {
  it('is offered for the reader’s own calibration only, and says why not for the file’s', () => {
    expect(recalibrationOf(withCalibration('user'), 'coronal')).toEqual({
      view: 'coronal',
      allowed: true,
    });
    expect(recalibrationOf(caseView('A'), 'coronal')).toBeNull(); // none yet: the dialog is open
    for (const source of ['pixel-spacing', 'ultrasound-regions', 'sidecar'] as const) {
      const r = recalibrationOf(withCalibration(source), 'coronal');
      expect(r?.allowed).toBe(false);
      expect(r && !r.allowed && r.reason).toMatch(/own calibration/);
    }
  });

  it('is a button for the reader’s calibration, disabled with the reason for the file’s', () => {
    const onRecalibrate = vi.fn();
    const { rerender } = toolbar({
      recalibration: recalibrationOf(withCalibration('user'), 'coronal'),
      onRecalibrate,
    });
    fireEvent.click(screen.getByTestId('recalibrate'));
    expect(onRecalibrate).toHaveBeenCalledWith('coronal');
    rerender(
      <Toolbar
        {...toolbarProps()}
        recalibration={recalibrationOf(withCalibration('pixel-spacing'), 'coronal')}
        onRecalibrate={onRecalibrate}
      />,
    );
    expect((screen.getByTestId('recalibrate') as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByTestId('recalibrate-why').getAttribute('title')).toMatch(/DICOM/);
  });
});

describe('the calibration dialog', () => {
  const line: [[number, number], [number, number]] = [
    [20, 20],
    [20, 220],
  ];
  const apply = () => screen.getByTestId('calibration-apply') as HTMLButtonElement;
  const type = (value: string) =>
    fireEvent.change(screen.getByTestId('calibration-distance'), { target: { value } });

  it('starts with no distance, and applies only a positive one the reader typed', () => {
    const onApply = vi.fn();
    render(<CalibrationDialog view="coronal" line={line} busy={false} onApply={onApply} />);
    expect((screen.getByTestId('calibration-distance') as HTMLInputElement).value).toBe('');
    expect(apply().disabled).toBe(true);
    type('0');
    expect(apply().disabled).toBe(true);
    type('-5');
    expect(apply().disabled).toBe(true);
    type('60');
    expect(apply().disabled).toBe(false);
    fireEvent.click(apply());
    expect(onApply).toHaveBeenCalledWith(60);
  });

  it('clears the distance when it moves on to the other view', () => {
    const { rerender } = render(
      <CalibrationDialog view="coronal" line={line} busy={false} onApply={() => undefined} />,
    );
    type('60');
    rerender(
      <CalibrationDialog view="transverse" line={null} busy={false} onApply={() => undefined} />,
    );
    expect((screen.getByTestId('calibration-distance') as HTMLInputElement).value).toBe('');
  });

  it('says what an uncalibrated view means for the volume, per view', () => {
    const { rerender } = render(
      <CalibrationDialog view="coronal" line={null} busy={false} onApply={() => undefined} />,
    );
    const why = () => screen.getByTestId('calibration-why').textContent ?? '';
    expect(why()).toMatch(/no volume can be computed until this view is calibrated/);
    rerender(
      <CalibrationDialog view="transverse" line={null} busy={false} onApply={() => undefined} />,
    );
    expect(why()).toMatch(
      /the transverse view is not used until calibrated; the volume shown comes from the coronal view alone/,
    );
    expect(why()).not.toMatch(/no volume can be computed/);
  });

  it('shows the warning, the refusal and the way to keep a calibration when there is one', () => {
    const onCancel = vi.fn();
    render(
      <CalibrationDialog
        view="coronal"
        line={null}
        busy={false}
        onApply={() => undefined}
        purpose="recalibrate"
        warning="Check the calibration: 0.050 mm per pixel is outside 0.06–1.5 mm/px"
        problem="Case 3 is signed off; its calibration cannot change."
        onCancel={onCancel}
      />,
    );
    expect(screen.getByRole('heading').textContent).toBe('Recalibrate the coronal image');
    expect(screen.getByTestId('calibration-warning').textContent).toMatch(/0\.050 mm per pixel/);
    expect(screen.getByTestId('calibration-problem').textContent).toMatch(/signed off/);
    fireEvent.click(screen.getByTestId('calibration-keep'));
    expect(onCancel).toHaveBeenCalledTimes(1);
  });
});
