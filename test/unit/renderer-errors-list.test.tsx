// @vitest-environment happy-dom
/**
 * The errors panel's list: the same failure again is one entry, not a pile ("the mask is empty"
 * after each stroke of a redraw), and a source's failures go once it succeeds.
 */
import { act, renderHook } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { useErrors } from '../../renderer/hooks/use-errors';

describe('the errors list', () => {
  it('keeps one entry for a failure repeated, and forgets a source once it succeeds', () => {
    const { result } = renderHook(() => useErrors());
    const empty = new Error('coronal view: The mask is empty: draw the spleen.');
    act(() => {
      result.current.pushError('Estimate', empty);
      result.current.pushError('Saving the edit', new Error('disk full'));
      result.current.pushError('Estimate', empty);
    });
    expect(result.current.errors.map((e) => [e.source, e.message])).toEqual([
      ['Saving the edit', 'disk full'],
      ['Estimate', 'coronal view: The mask is empty: draw the spleen.'],
    ]);
    act(() => result.current.clearErrors('Estimate'));
    expect(result.current.errors.map((e) => e.source)).toEqual(['Saving the edit']);
  });
});
