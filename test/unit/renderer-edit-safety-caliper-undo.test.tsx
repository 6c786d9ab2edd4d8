// @vitest-environment happy-dom
/**
 * Placing and removing a caliper are steps of the same undo history as the strokes, in the order
 * made, and each undo or redo asks for a new estimate (renderer/hooks/use-mask-editing.ts with the
 * real estimate inputs, wired as the App wires them).
 */
import { act, renderHook } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { StrokeRecorder } from '../../renderer/editing/delta';
import { useEstimateInputs } from '../../renderer/hooks/use-estimate-inputs';
import { caliperAccess, useMaskEditing } from '../../renderer/hooks/use-mask-editing';
import type { MaskSet } from '../../renderer/viewer/types';

const W = 4;
const H = 2;

function setup(readOnly: string | null = null) {
  const masksRef: { current: MaskSet } = {
    current: {
      coronal: { width: W, height: H, ai: new Uint8Array(W * H), current: new Uint8Array(W * H) },
    },
  };
  const onMasksChanged = vi.fn();
  const setMessage = vi.fn();
  const hook = renderHook(() => {
    const inputs = useEstimateInputs();
    const editing = useMaskEditing({
      masksRef,
      activeView: 'coronal',
      caseView: null,
      setMessage,
      onMasksChanged,
      readOnly,
      calipers: caliperAccess(inputs),
    });
    return { inputs, editing };
  });
  const now = () => hook.result.current;
  const stroke = (pixel: number) => {
    const recorder = new StrokeRecorder(masksRef.current.coronal!.current);
    recorder.set(pixel, 1);
    const delta = recorder.finish()!;
    act(() => now().editing.onStrokeEnd('coronal', delta));
  };
  const painted = () => Array.from(masksRef.current.coronal!.current);
  /** What the estimate requests are built from, as the kinds of each view. */
  const calipersSent = () => {
    const { coronal, transverse } = now().inputs.latest.current.calipers;
    return [...coronal, ...transverse].map((c) => c.kind);
  };
  return { hook, now, stroke, painted, calipersSent, onMasksChanged, setMessage };
}

describe('calipers in the undo history', () => {
  it('undoes "stroke, caliper" caliper first, redoes them in order, and re-estimates each time', () => {
    const { now, stroke, painted, calipersSent, onMasksChanged } = setup();
    stroke(1);
    act(() =>
      now().editing.changeCalipers(() => now().inputs.addCaliper('coronal', [0, 0], [3, 1])),
    );
    expect(calipersSent()).toEqual(['length']);
    expect(onMasksChanged).toHaveBeenCalledTimes(2);

    act(() => now().editing.undo()); // the caliper goes first …
    expect(calipersSent()).toEqual([]);
    expect(now().inputs.calipers.coronal).toEqual([]);
    expect(painted()[1]).toBe(1);
    act(() => now().editing.undo()); // … then the stroke
    expect(painted()[1]).toBe(0);
    expect(now().editing.canUndo).toBe(false);

    act(() => now().editing.redo());
    expect([painted()[1], calipersSent()]).toEqual([1, []]);
    act(() => now().editing.redo());
    expect(calipersSent()).toEqual(['length']);
    expect(now().inputs.calipers.coronal).toEqual([{ kind: 'length', a: [0, 0], b: [3, 1] }]);
    expect(now().editing.canRedo).toBe(false);
    // Each undo and redo asked for an estimate, as a stroke's does.
    expect(onMasksChanged).toHaveBeenCalledTimes(6);
  });

  it('brings back a removed caliper, and a replaced one as it was', () => {
    const { now, calipersSent } = setup();
    const place = (b: [number, number]) =>
      act(() => now().editing.changeCalipers(() => now().inputs.addCaliper('coronal', [0, 0], b)));
    place([3, 1]);
    place([2, 1]); // redrawn: replaces the length caliper
    act(() => now().editing.changeCalipers(() => now().inputs.removeCaliper('length')));
    expect(calipersSent()).toEqual([]);
    act(() => now().editing.undo());
    expect(now().inputs.latest.current.calipers.coronal).toEqual([
      { kind: 'length', a: [0, 0], b: [2, 1] },
    ]);
    act(() => now().editing.undo());
    expect(now().inputs.latest.current.calipers.coronal).toEqual([
      { kind: 'length', a: [0, 0], b: [3, 1] },
    ]);
  });

  it('keeps the draw order and the width/thickness choice through undo and redo', () => {
    const { now } = setup();
    const change = (fn: () => unknown) => act(() => now().editing.changeCalipers(fn));
    // Drawn: transverse width, then coronal length; the reader then picks thickness.
    change(() => now().inputs.addCaliper('transverse', [0, 0], [3, 0]));
    change(() => now().inputs.addCaliper('coronal', [0, 0], [3, 1]));
    act(() => now().inputs.setTransverseKind('width'));
    change(() => now().inputs.removeLastCaliper()); // the length, drawn last
    act(() => now().editing.undo()); // the length is back …
    // … still the one drawn last: Delete takes it again, not the older width.
    expect(now().inputs.removeLastCaliper()).toEqual({ view: 'coronal', kind: 'length' });
    // A coronal step undone leaves the reader's transverse choice alone.
    expect(now().inputs.transverseKind).toBe('width');
  });

  it('records nothing when nothing changed, and drops the redo branch on a new caliper', () => {
    const { now, stroke, onMasksChanged, calipersSent } = setup();
    act(() => now().editing.changeCalipers(() => now().inputs.removeCaliper('length')));
    expect(now().editing.canUndo).toBe(false);
    expect(onMasksChanged).not.toHaveBeenCalled();
    stroke(2);
    act(() => now().editing.undo());
    act(() =>
      now().editing.changeCalipers(() => now().inputs.addCaliper('coronal', [0, 0], [3, 1])),
    );
    expect(now().editing.canRedo).toBe(false);
    act(() => now().editing.undo());
    expect(calipersSent()).toEqual([]);
    expect(now().editing.canUndo).toBe(false);
  });

  it('refuses caliper changes on a read-only case, saying why', () => {
    const { now, setMessage, calipersSent } = setup('case 5 is signed off');
    act(() =>
      now().editing.changeCalipers(() => now().inputs.addCaliper('coronal', [0, 0], [3, 1])),
    );
    expect(calipersSent()).toEqual([]);
    expect(setMessage).toHaveBeenCalledWith('case 5 is signed off');
  });
});
