// @vitest-environment happy-dom
/**
 * Every way a viewer gesture ends closes its stroke (renderer/editing/gesture.ts, as the viewer pane
 * uses it): a pen or touch cancel, lost pointer capture, a second press, the window losing focus,
 * or other masks. An open stroke would keep its mask "being stroked" and undo, redo and the
 * whole-mask tools would refuse with "finish the stroke first" for good.
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
import type { MaskSet } from '../../renderer/viewer/types';

const W = 40;
const H = 30;
const count = (m: Uint8Array) => m.reduce((s, v) => s + v, 0);

let stopListening: () => void = () => undefined;
afterEach(() => stopListening());

/**
 * A coronal mask, the editing hook, and a gesture slot whose committed strokes go into the hook's
 * history as the viewer pane's do; the slot ends gestures on the window's events.
 */
function setup() {
  const masks: MaskSet = {
    coronal: { width: W, height: H, ai: new Uint8Array(W * H), current: new Uint8Array(W * H) },
  };
  const masksRef: { current: MaskSet } = { current: masks };
  const setMessage = vi.fn();
  const hook = renderHook(() =>
    useMaskEditing({
      masksRef,
      activeView: 'coronal',
      caseView: null,
      setMessage,
      onMasksChanged: vi.fn(),
    }),
  );
  const ended: string[] = [];
  const slot = new GestureSlot<TrackedGesture>((_g, how, delta) => {
    ended.push(how);
    if (delta) act(() => hook.result.current.onStrokeEnd('coronal', delta));
  });
  stopListening = endGesturesOnWindowEvents(window, slot);
  const mask = masks.coronal!.current;
  /** A press with pointer `pointerId` that paints a short horizontal stroke at row `y`. */
  const press = (pointerId: number, y: number) => {
    slot.end('commit'); // as the pane does on a press
    const recorder = new StrokeRecorder(mask);
    paintSegment(recorder, W, H, [5, y], [15, y], brushShape(4, 1, 1), 1);
    slot.begin({ pointerId, recorder });
  };
  return { hook, setMessage, slot, mask, ended, press };
}

function pointerEvent(type: string, pointerId: number, bubbles = true): Event {
  return new PointerEvent(type, { pointerId, bubbles });
}

describe('a stroke that ends without a release', () => {
  it('is recorded when the pen is cancelled, and undo works again', () => {
    const { hook, setMessage, mask, ended, press } = setup();
    press(7, 10);
    const painted = count(mask);
    expect(painted).toBeGreaterThan(0);
    act(() => hook.result.current.undo());
    expect(setMessage).toHaveBeenLastCalledWith('Undo: finish the stroke first');

    // The system takes the pen over: no pointerup ever comes, only pointercancel.
    const pane = document.createElement('div');
    document.body.append(pane);
    pane.dispatchEvent(pointerEvent('pointercancel', 7));
    expect(ended).toEqual(['commit']);
    expect(strokeInProgress(mask)).toBe(false);
    act(() => hook.result.current.undo());
    expect(count(mask)).toBe(0);
    act(() => hook.result.current.redo());
    expect(count(mask)).toBe(painted);
    pane.remove();
  });

  it("is recorded when its pointer capture is lost, and not by another pointer's events", () => {
    const { hook, mask, ended, press } = setup();
    press(3, 10);
    const pane = document.createElement('div');
    document.body.append(pane);
    // Another finger lifting leaves this stroke alone.
    pane.dispatchEvent(pointerEvent('pointerup', 9));
    pane.dispatchEvent(pointerEvent('lostpointercapture', 9));
    expect(strokeInProgress(mask)).toBe(true);
    // Its own capture lost (the event stopped on its way up still counts).
    pane.dispatchEvent(pointerEvent('lostpointercapture', 3, false));
    expect(ended).toEqual(['commit']);
    expect(strokeInProgress(mask)).toBe(false);
    act(() => hook.result.current.undo());
    expect(count(mask)).toBe(0);
    pane.remove();
  });

  it('is recorded when a second press starts a new stroke, each undoable on its own', () => {
    const { hook, mask, ended, press } = setup();
    press(1, 5);
    const afterFirst = mask.slice();
    press(2, 20); // a second finger: the first stroke never got its release
    window.dispatchEvent(pointerEvent('pointerup', 2));
    expect(ended).toEqual(['commit', 'commit']);
    expect(strokeInProgress(mask)).toBe(false);
    act(() => hook.result.current.undo());
    expect(mask).toEqual(afterFirst);
    act(() => hook.result.current.undo());
    expect(count(mask)).toBe(0);
  });

  it('is recorded when the window loses focus mid-stroke', () => {
    const { hook, mask, press } = setup();
    press(1, 5);
    window.dispatchEvent(new Event('blur'));
    expect(strokeInProgress(mask)).toBe(false);
    act(() => hook.result.current.undo());
    expect(count(mask)).toBe(0);
  });

  it('leaves no trace when discarded with masks no longer shown', () => {
    const { hook, setMessage, mask, ended, press, slot } = setup();
    press(1, 5);
    slot.end('discard'); // another case opened, or the pane unmounted, mid-stroke
    expect(ended).toEqual(['discard']);
    expect(strokeInProgress(mask)).toBe(false);
    expect(count(mask)).toBe(0);
    // Nothing went into the history, and undo is not refused.
    act(() => hook.result.current.undo());
    expect(setMessage).not.toHaveBeenCalled();
    expect(count(mask)).toBe(0);
    // A late release of that pointer does nothing more.
    window.dispatchEvent(pointerEvent('pointerup', 1));
    expect(ended).toEqual(['discard']);
  });
});
