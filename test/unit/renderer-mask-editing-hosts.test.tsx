// @vitest-environment happy-dom
/**
 * Mask editing against strokes in progress and views a case lacks: undo, redo and the whole-mask
 * tools wait for the stroke being painted (its delta is recorded against the pixels as they were when
 * it began), smoothing uses the spacing of the view it edits, and the active view follows the case.
 */
import { act, renderHook } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { brushShape, paintSegment } from '../../renderer/editing/brush';
import { StrokeRecorder } from '../../renderer/editing/delta';
import { smoothMask } from '../../renderer/editing/morphology';
import { useMaskEditing } from '../../renderer/hooks/use-mask-editing';
import { useViewerControls } from '../../renderer/hooks/use-viewer-controls';
import type { MaskSet } from '../../renderer/viewer/types';
import type { CaseView, ViewName } from '../../src/api';
import { caseView } from './renderer-fixtures';

const W = 40;
const H = 30;
const count = (m: Uint8Array) => m.reduce((s, v) => s + v, 0);

/** A mask with the rectangle [x0, x1) × [y0, y1) set. */
function rect(x0: number, y0: number, x1: number, y1: number): Uint8Array {
  const m = new Uint8Array(W * H);
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) m[y * W + x] = 1;
  return m;
}

function setup(masks: MaskSet, activeView: ViewName = 'coronal', cv: CaseView | null = null) {
  const masksRef: { current: MaskSet } = { current: masks };
  const setMessage = vi.fn();
  const hook = renderHook(() =>
    useMaskEditing({ masksRef, activeView, caseView: cv, setMessage, onMasksChanged: vi.fn() }),
  );
  return { masksRef, setMessage, hook };
}

/** Paints a straight stroke as the viewer does: a recorder open from press to release. */
function beginStroke(mask: Uint8Array, from: [number, number], to: [number, number], value: 0 | 1) {
  const recorder = new StrokeRecorder(mask);
  paintSegment(recorder, W, H, from, to, brushShape(6, 1, 1), value);
  return recorder;
}

describe('mask editing while a stroke is being painted', () => {
  it('ignores undo, redo and whole-mask operations until the stroke ends, keeping the history whole', () => {
    const ai = rect(25, 10, 35, 25);
    const { masksRef, setMessage, hook } = setup({
      coronal: { width: W, height: H, ai, current: ai.slice() },
    });
    const mask = masksRef.current.coronal!.current;
    const original = mask.slice();
    // A: brush a blob away from the spleen.
    const a = beginStroke(mask, [4, 6], [14, 6], 1);
    act(() => hook.result.current.onStrokeEnd('coronal', a.finish()!));
    const afterA = mask.slice();
    // B: an eraser drag across A, with Ctrl+Z and the other tools pressed while the button is held.
    const b = beginStroke(mask, [9, 0], [9, 12], 0);
    const midStroke = mask.slice();
    act(() => {
      hook.result.current.undo();
      hook.result.current.redo();
      hook.result.current.smooth();
      hook.result.current.fillHoles();
      hook.result.current.keepLargestIsland();
      hook.result.current.resetToAi();
    });
    expect(mask).toEqual(midStroke);
    expect(setMessage).toHaveBeenCalledWith('Undo: finish the stroke first');
    expect(setMessage).toHaveBeenLastCalledWith('Reset to AI: finish the stroke first');
    act(() => hook.result.current.onStrokeEnd('coronal', b.finish()!));
    const afterB = mask.slice();
    expect(count(afterB)).toBeLessThan(count(afterA));

    // Undo B, then A; redo both: every step lands exactly where it was.
    act(() => hook.result.current.undo());
    expect(mask).toEqual(afterA);
    act(() => hook.result.current.undo());
    expect(mask).toEqual(original);
    act(() => hook.result.current.redo());
    expect(mask).toEqual(afterA);
    act(() => hook.result.current.redo());
    expect(mask).toEqual(afterB);
    // Once the stroke has ended the tools work again.
    act(() => hook.result.current.fillHoles());
    expect(setMessage).toHaveBeenLastCalledWith('Fill holes: nothing to change');
  });
});

describe('smoothing and the active view', () => {
  it('smooths with the spacing of the view it edits, not of the active view the case lacks', () => {
    // A spleen with a thin spur: how much of the spur survives depends on the radius.
    const spleen = rect(8, 8, 30, 24);
    for (let x = 30; x < 38; x++) for (let y = 14; y < 17; y++) spleen[y * W + x] = 1;
    // Coronal at 0.3 mm/px: 1.5 mm is 5 px. The transverse view does not exist.
    const cv = caseView('c1');
    cv.coronal = {
      ...cv.coronal,
      width: W,
      height: H,
      calibration: { spacingX: 0.3, spacingY: 0.3, source: 'user' },
    };
    const expected = smoothMask(spleen, W, H, 5);
    expect(expected).not.toEqual(smoothMask(spleen, W, H, 2));
    const { masksRef, hook } = setup(
      { coronal: { width: W, height: H, ai: spleen.slice(), current: spleen.slice() } },
      'transverse',
      cv,
    );
    act(() => hook.result.current.smooth());
    expect(masksRef.current.coronal!.current).toEqual(expected);
  });

  it('makes the coronal view active when a case without the active view opens', () => {
    const twoViews = caseView('two');
    twoViews.transverse = { ...twoViews.coronal, view: 'transverse' };
    const { result, rerender } = renderHook(({ cv }) => useViewerControls(cv), {
      initialProps: { cv: twoViews as CaseView | null },
    });
    act(() => result.current.setActiveView('transverse'));
    expect(result.current.activeView).toBe('transverse');
    rerender({ cv: caseView('coronal-only') });
    expect(result.current.activeView).toBe('coronal');
    // A two-view case leaves the reader's choice alone.
    rerender({ cv: twoViews });
    act(() => result.current.setActiveView('transverse'));
    rerender({ cv: { ...twoViews } });
    expect(result.current.activeView).toBe('transverse');
  });
});
