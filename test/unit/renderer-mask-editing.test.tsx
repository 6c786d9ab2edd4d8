// @vitest-environment happy-dom
/**
 * The mask-editing hook (renderer/hooks/use-mask-editing.ts): whole-mask operations and "Reset to AI"
 * are undoable steps, and each change asks for a new estimate.
 */
import { act, renderHook } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { useMaskEditing } from '../../renderer/hooks/use-mask-editing';
import type { MaskSet } from '../../renderer/viewer/types';

const W = 8;
const H = 6;

/** A mask with the rectangle [x0, x1) × [y0, y1) set. */
function rect(x0: number, y0: number, x1: number, y1: number): Uint8Array {
  const m = new Uint8Array(W * H);
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) m[y * W + x] = 1;
  return m;
}

function setup() {
  const masksRef: { current: MaskSet } = {
    current: {
      coronal: { width: W, height: H, ai: rect(1, 1, 6, 5), current: rect(1, 1, 6, 5) },
      transverse: { width: W, height: H, ai: rect(2, 2, 5, 4), current: rect(2, 2, 5, 4) },
    },
  };
  const onMasksChanged = vi.fn();
  const setMessage = vi.fn();
  const hook = renderHook(() =>
    useMaskEditing({ masksRef, activeView: 'coronal', caseView: null, setMessage, onMasksChanged }),
  );
  return { masksRef, onMasksChanged, setMessage, hook };
}

describe('useMaskEditing', () => {
  it('undoes "Reset to AI" on both views in one step', () => {
    const { masksRef, onMasksChanged, hook } = setup();
    const coronal = masksRef.current.coronal!;
    const transverse = masksRef.current.transverse!;
    // The reader's edits on both views (as the viewers apply them in place).
    coronal.current.set(rect(1, 1, 3, 5));
    transverse.current.set(rect(0, 0, 8, 6));
    const edited = [coronal.current.slice(), transverse.current.slice()];

    act(() => hook.result.current.resetToAi());
    expect([coronal.current, transverse.current]).toEqual([coronal.ai, transverse.ai]);
    expect(onMasksChanged).toHaveBeenCalledTimes(1);

    act(() => hook.result.current.undo());
    expect([coronal.current, transverse.current]).toEqual(edited);
    expect(hook.result.current.canUndo).toBe(false);
    act(() => hook.result.current.redo());
    expect([coronal.current, transverse.current]).toEqual([coronal.ai, transverse.ai]);
    expect(onMasksChanged).toHaveBeenCalledTimes(3);
  });

  it('fills holes on the active view as one undoable step, and says when nothing changes', () => {
    const { masksRef, setMessage, hook } = setup();
    const coronal = masksRef.current.coronal!;
    const before = coronal.current.slice();
    coronal.current[3 * W + 3] = 0; // a hole inside the spleen (the viewer edited in place)
    const holed = coronal.current.slice();

    act(() => hook.result.current.fillHoles());
    expect(coronal.current).toEqual(before);
    expect(setMessage).toHaveBeenLastCalledWith('Fill holes on the coronal mask');
    act(() => hook.result.current.fillHoles());
    expect(setMessage).toHaveBeenLastCalledWith('Fill holes: nothing to change');
    act(() => hook.result.current.undo());
    expect(coronal.current).toEqual(holed);
  });
});
