// @vitest-environment happy-dom
/**
 * What the reader sees of a case that cannot be changed, and of a calibration kept although it was
 * questioned: a signed-off case's editing tools are drawn disabled with the reason as their
 * tooltip (renderer/components/Toolbar.tsx), and "Keep the current calibration" leaves one line in
 * the status bar, not the question again (renderer/hooks/use-calibration.ts).
 */
import { act, cleanup, fireEvent, render, renderHook, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Toolbar } from '../../renderer/components/Toolbar';
import { useCalibration } from '../../renderer/hooks/use-calibration';
import type { MaskSet } from '../../renderer/viewer/types';
import type { CalibrateRequest, CaseView, SpvApi } from '../../src/api';
import { calibrationFromTwoPoints } from '../../src/imaging/calibration';
import { caseView, toolbarProps } from './renderer-fixtures';

const REASON = 'sample-02 is signed off: unlock it with a reason in the Review tab to change it';

/** Every control that changes the masks or calipers. */
const EDITING = [
  'tool-brush',
  'tool-eraser',
  'tool-lasso-add',
  'tool-lasso-cut',
  'tool-caliper',
  'smooth',
  'fill-holes',
  'keep-largest',
  'reset-ai',
];

afterEach(cleanup);

const button = (testId: string) => screen.getByTestId(testId) as HTMLButtonElement;

describe('the toolbar on a signed-off case', () => {
  it('disables the editing tools, each with the read-only reason as its tooltip', () => {
    const onSmooth = vi.fn();
    const onTool = vi.fn();
    render(<Toolbar {...toolbarProps({ readOnly: REASON, onSmooth, onTool })} />);
    for (const id of EDITING) {
      expect(button(id).disabled, id).toBe(true);
      expect(button(id).title, id).toBe(REASON);
    }
    fireEvent.click(button('smooth'));
    fireEvent.click(button('tool-eraser'));
    expect(onSmooth).not.toHaveBeenCalled();
    expect(onTool).not.toHaveBeenCalled();
    // Looking around stays possible: panning, the overlay, fitting, opening another case.
    for (const id of ['tool-pan', 'fit', 'open-case']) expect(button(id).disabled, id).toBe(false);
  });

  it('leaves the tools enabled, with their own tooltips, on a case that can be changed', () => {
    render(<Toolbar {...toolbarProps({ readOnly: null })} />);
    for (const id of EDITING) expect(button(id).disabled, id).toBe(false);
    expect(button('smooth').title).toBe('Smooth the outline (S)');
    expect(button('tool-eraser').title).toBe('Eraser: remove from the mask (E)');
  });

  it('gives a disabled Recalibrate its reason on the button itself', () => {
    render(
      <Toolbar
        {...toolbarProps({
          readOnly: REASON,
          recalibration: { view: 'coronal', allowed: false, reason: REASON },
          onRecalibrate: () => undefined,
        })}
      />,
    );
    expect(button('recalibrate').disabled).toBe(true);
    expect(button('recalibrate').title).toBe(REASON);
  });
});

/** A 400×320 coronal case whose mask is a 200-pixel-long bar, calibrated by the engine's rule. */
function calibrationSetup() {
  const base = caseView('A');
  const [width, height] = [400, 320];
  const mask = new Uint8Array(width * height);
  for (let y = 100; y < 120; y++) mask.fill(1, y * width + 100, y * width + 300);
  const masks: MaskSet = { coronal: { width, height, ai: mask.slice(), current: mask } };
  let shown: CaseView = { ...base, coronal: { ...base.coronal, width, height } };
  // The engine's answer: the view's calibration from the two points.
  const api = {
    calibrate: vi.fn(async (req: CalibrateRequest) => {
      const calibration = calibrationFromTwoPoints(req.pointA, req.pointB, req.distanceMm);
      return { ...shown, coronal: { ...shown.coronal, calibration } };
    }),
  } as unknown as SpvApi;
  const messages: string[] = [];
  const hook = renderHook(
    ({ cv }: { cv: CaseView }) =>
      useCalibration({
        api,
        caseView: cv,
        setCaseView: (next) => {
          shown = next;
          hook.rerender({ cv: next });
        },
        setMessage: (m) => messages.push(m),
        pushError: vi.fn(),
        onCalibrated: vi.fn(),
        masks: { current: masks },
      }),
    { initialProps: { cv: shown } },
  );
  const calibrate = async (lengthPx: number, distanceMm: number) => {
    act(() => hook.result.current.drawLine('coronal', [20, 20], [20, 20 + lengthPx]));
    await act(() => hook.result.current.apply(distanceMm));
  };
  return { hook, calibrate, messages };
}

describe('keeping a questioned calibration', () => {
  it('leaves one line in the status bar saying it was kept although questioned', async () => {
    const { hook, calibrate, messages } = calibrationSetup();
    await calibrate(200, 10); // 0.05 mm/px: questioned
    expect(messages.at(-1)).toMatch(/Check the calibration/);
    act(() => hook.result.current.dialog.onCancel?.());
    expect(hook.result.current.uncalibratedView).toBeNull();
    expect(messages.at(-1)).toBe('coronal calibration kept although questioned (0.050 mm/px)');
  });

  it('says which calibration stays when a recalibration is given up', async () => {
    const { hook, calibrate, messages } = calibrationSetup();
    await calibrate(200, 60); // 0.3 mm/px: plausible
    act(() => hook.result.current.recalibrate('coronal'));
    expect(hook.result.current.uncalibratedView).toBe('coronal');
    act(() => hook.result.current.dialog.onCancel?.());
    expect(hook.result.current.uncalibratedView).toBeNull();
    expect(messages.at(-1)).toBe('coronal calibration kept (0.300 mm/px)');
  });
});
