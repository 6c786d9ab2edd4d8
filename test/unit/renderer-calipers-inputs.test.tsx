// @vitest-environment happy-dom
/**
 * Calipers the reader can choose, redraw and remove (renderer/hooks/use-estimate-inputs.ts). A redraw
 * on the transverse view once replaced whichever caliper was older, so redrawing a bad thickness
 * silently replaced the width; and no caliper could be removed. Each change is read from `latest`
 * inside the same act(), as the request builders read it before React re-renders.
 */
import { act, renderHook } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { useEstimateInputs } from '../../renderer/hooks/use-estimate-inputs';

function setup() {
  const { result } = renderHook(() => useEstimateInputs());
  const kinds = (view: 'coronal' | 'transverse') =>
    (result.current.latest.current?.calipers[view] ?? []).map((c) => `${c.kind}:${c.b.join(',')}`);
  return { result, kinds };
}

describe('caliper kinds and removal', () => {
  it('redraws a bad thickness in place of the thickness, keeping the width', () => {
    const { result, kinds } = setup();
    act(() => {
      result.current.addCaliper('transverse', [0, 0], [40, 0]); // the width
      result.current.addCaliper('transverse', [20, 0], [20, 3]); // a bad thickness
    });
    expect(result.current.transverseKind).toBe('thickness');
    act(() => result.current.addCaliper('transverse', [20, 0], [20, 18])); // redrawn
    expect(kinds('transverse')).toEqual(['width:40,0', 'thickness:20,18']);
    expect(result.current.calipers.transverse.map((c) => c.kind)).toEqual(['width', 'thickness']);
  });

  it('draws the kind the reader chose, replacing that kind only', () => {
    const { result, kinds } = setup();
    act(() => {
      result.current.addCaliper('transverse', [0, 0], [40, 0]);
      result.current.addCaliper('transverse', [20, 0], [20, 18]);
      result.current.setTransverseKind('width');
      result.current.addCaliper('transverse', [0, 0], [44, 0]);
    });
    expect(kinds('transverse')).toEqual(['thickness:20,18', 'width:44,0']);
    // The coronal view always measures the length, whatever is chosen for the transverse one.
    act(() => result.current.addCaliper('coronal', [0, 0], [90, 0]));
    expect(kinds('coronal')).toEqual(['length:90,0']);
  });

  it('removes a caliper by kind, at once, and offers that kind next', () => {
    const { result, kinds } = setup();
    let removed: boolean[] = [];
    let seenBySend: string[] = [];
    act(() => {
      result.current.addCaliper('transverse', [0, 0], [8, 0]); // an accidental 0.8-cm width
      result.current.addCaliper('transverse', [20, 0], [20, 18]);
      removed = [result.current.removeCaliper('width'), result.current.removeCaliper('width')];
      seenBySend = kinds('transverse');
    });
    expect(removed).toEqual([true, false]);
    expect(seenBySend).toEqual(['thickness:20,18']);
    expect(result.current.calipers.transverse).toHaveLength(1);
    expect(result.current.transverseKind).toBe('width');
  });

  it('removes the caliper drawn last, whichever view, then the one before', () => {
    const { result, kinds } = setup();
    const removed: unknown[] = [];
    act(() => {
      result.current.addCaliper('coronal', [0, 0], [90, 0]);
      result.current.addCaliper('transverse', [0, 0], [40, 0]);
      result.current.addCaliper('coronal', [0, 0], [95, 0]); // the length redrawn: now the last
      removed.push(result.current.removeLastCaliper());
    });
    expect(kinds('coronal')).toEqual([]);
    expect(kinds('transverse')).toEqual(['width:40,0']);
    act(() => {
      removed.push(result.current.removeLastCaliper());
      removed.push(result.current.removeLastCaliper());
    });
    expect(removed).toEqual([
      { view: 'coronal', kind: 'length' },
      { view: 'transverse', kind: 'width' },
      null,
    ]);
    expect(result.current.calipers).toEqual({ coronal: [], transverse: [] });
  });

  it('removes a reopened case’s restored calipers too, the last listed first', () => {
    const { result, kinds } = setup();
    act(() =>
      result.current.restoreInputs(null, [
        { view: 'coronal', kind: 'length', a: [0, 0], b: [90, 0] },
        { view: 'transverse', kind: 'thickness', a: [0, 0], b: [0, 18] },
      ]),
    );
    expect(result.current.transverseKind).toBe('width'); // the missing one
    act(() => void result.current.removeLastCaliper());
    expect(kinds('transverse')).toEqual([]);
    expect(kinds('coronal')).toEqual(['length:90,0']);
  });
});

describe('the reader’s width/thickness choice', () => {
  it('is kept when a coronal length is drawn or removed', () => {
    const { result } = renderHook(() => useEstimateInputs());
    act(() => result.current.setTransverseKind('thickness'));
    act(() => result.current.addCaliper('coronal', [0, 0], [10, 0]));
    expect(result.current.transverseKind).toBe('thickness');
    act(() => void result.current.removeCaliper('length'));
    expect(result.current.transverseKind).toBe('thickness');
    act(() => result.current.addCaliper('transverse', [0, 0], [0, 5]));
    expect(result.current.calipers.transverse.map((c) => c.kind)).toEqual(['thickness']);
  });
});
