// @vitest-environment happy-dom
/**
 * A case switch while a stroke is being painted (the button held, Enter pressed in the worklist):
 * the stroke belongs to the case left behind. Its end, reported later by the pane on its way out,
 * must not reach the next case's history: Ctrl+Z there would paint the old stroke onto the new
 * masks, and the change would be saved. The real editing hook, gesture slot and stroke recorder,
 * wired as the viewer pane wires them; the switch is the App's (clearMasks, then the new masks).
 */
import { act, renderHook } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { brushShape, paintSegment } from '../../renderer/editing/brush';
import { StrokeRecorder, strokeInProgress } from '../../renderer/editing/delta';
import {
  endGesturesOnWindowEvents,
  GestureSlot,
  type TrackedGesture,
} from '../../renderer/editing/gesture';
import { useMaskEditing } from '../../renderer/hooks/use-mask-editing';
import type { MaskSet, ViewMasks } from '../../renderer/viewer/types';

const W = 40;
const H = 30;
const count = (m: Uint8Array) => m.reduce((s, v) => s + v, 0);

/** A mask with the rectangle [x0, x1) × [y0, y1) set, as the AI's and the current one. */
function viewMasks(x0: number, y0: number, x1: number, y1: number): ViewMasks {
  const ai = new Uint8Array(W * H);
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) ai[y * W + x] = 1;
  return { width: W, height: H, ai, current: ai.slice() };
}

let stopListening: () => void = () => undefined;
afterEach(() => stopListening());

/** Case A shown, the editing hook, and a gesture slot that commits strokes as the pane does. */
function setup(readOnly: string | null = null) {
  const caseA = viewMasks(5, 5, 35, 25);
  const masksRef: { current: MaskSet } = { current: { coronal: caseA } };
  const setMessage = vi.fn();
  const onMasksChanged = vi.fn();
  const hook = renderHook(
    ({ locked }: { locked: string | null }) =>
      useMaskEditing({
        masksRef,
        activeView: 'coronal',
        caseView: null,
        setMessage,
        onMasksChanged,
        readOnly: locked,
      }),
    { initialProps: { locked: null as string | null } },
  );
  const slot = new GestureSlot<TrackedGesture>((_g, _how, delta) => {
    if (delta) act(() => hook.result.current.onStrokeEnd('coronal', delta));
  });
  stopListening = endGesturesOnWindowEvents(window, slot);
  /** Presses with the eraser and drags across case A's mask; the button stays down. */
  const eraseAndHold = (pointerId: number) => {
    const recorder = new StrokeRecorder(caseA.current);
    paintSegment(recorder, W, H, [2, 15], [38, 15], brushShape(6, 1, 1), 0);
    slot.begin({ pointerId, recorder });
    return recorder;
  };
  /** The App's case switch: the masks and history go, then case B's masks come in. */
  const switchToB = () => {
    act(() => hook.result.current.clearMasks());
    const caseB = viewMasks(10, 8, 25, 20);
    masksRef.current.coronal = caseB;
    hook.rerender({ locked: readOnly });
    act(() => hook.result.current.masksChanged());
    return caseB;
  };
  return { hook, masksRef, caseA, slot, eraseAndHold, switchToB, setMessage, onMasksChanged };
}

describe('a case switch while a stroke is being painted', () => {
  it('discards the stroke: its late end records nothing, and Ctrl+Z leaves the new case alone', () => {
    const { hook, caseA, eraseAndHold, switchToB } = setup();
    const storedA = caseA.current.slice();
    eraseAndHold(4);
    expect(count(caseA.current)).toBeLessThan(count(storedA));

    const caseB = switchToB();
    const shownB = caseB.current.slice();
    // Case A is as stored (the stroke's pixels are back), and nothing counts as being stroked.
    expect(caseA.current).toEqual(storedA);
    expect(strokeInProgress(caseA.current)).toBe(false);

    // The old pane's canvas goes and Chromium reports its pointer capture lost: the slot commits.
    window.dispatchEvent(new PointerEvent('lostpointercapture', { pointerId: 4 }));
    expect(hook.result.current.canUndo).toBe(false);
    act(() => hook.result.current.undo());
    expect(caseB.current).toEqual(shownB);
    expect(caseA.current).toEqual(storedA);
  });

  it('ignores a stroke finished on masks no longer shown, whatever ended it', () => {
    // A lasso applied by a pane that still holds case A's masks: a stroke recorded and finished
    // at once, after the switch, with no open stroke for the switch to discard.
    const { hook, caseA, switchToB, onMasksChanged } = setup();
    const storedA = caseA.current.slice();
    const caseB = switchToB();
    const shownB = caseB.current.slice();
    const calls = onMasksChanged.mock.calls.length;

    const lasso = new StrokeRecorder(caseA.current);
    paintSegment(lasso, W, H, [2, 15], [38, 15], brushShape(6, 1, 1), 0);
    act(() => hook.result.current.onStrokeEnd('coronal', lasso.finish()!));

    expect(hook.result.current.canUndo).toBe(false);
    expect(onMasksChanged.mock.calls.length).toBe(calls);
    act(() => hook.result.current.undo());
    expect(caseB.current).toEqual(shownB);
    // Case A's mask is put back as the store has it.
    expect(caseA.current).toEqual(storedA);
  });

  it("does not put a stale stroke's pixels back into a read-only case's masks", () => {
    // The refusal on a signed-off case undoes a refused stroke on the shown masks: a stroke from
    // the case left behind must not be "undone" there.
    const { caseA, hook, switchToB } = setup('Case B is signed off');
    const caseB = switchToB();
    const shownB = caseB.current.slice();
    const stale = new StrokeRecorder(caseA.current);
    paintSegment(stale, W, H, [12, 23], [22, 23], brushShape(4, 1, 1), 0);
    act(() => hook.result.current.onStrokeEnd('coronal', stale.finish()!));
    expect(caseB.current).toEqual(shownB);
  });

  it('still records a stroke on the masks shown, and one the switch discarded paints no more', () => {
    const { hook, caseA, eraseAndHold, switchToB, slot } = setup();
    const recorder = eraseAndHold(2);
    const caseB = switchToB();
    // The old pane goes on painting with the held button until it unmounts: nothing changes.
    const storedA = caseA.current.slice();
    paintSegment(recorder, W, H, [2, 20], [38, 20], brushShape(6, 1, 1), 0);
    expect(caseA.current).toEqual(storedA);
    slot.end('commit');
    expect(hook.result.current.canUndo).toBe(false);

    // A stroke on case B goes into B's history and undoes on B.
    const before = caseB.current.slice();
    const onB = new StrokeRecorder(caseB.current);
    paintSegment(onB, W, H, [12, 10], [22, 10], brushShape(4, 1, 1), 0);
    slot.begin({ pointerId: 3, recorder: onB });
    window.dispatchEvent(new PointerEvent('pointerup', { pointerId: 3 }));
    expect(hook.result.current.canUndo).toBe(true);
    act(() => hook.result.current.undo());
    expect(caseB.current).toEqual(before);
  });
});
