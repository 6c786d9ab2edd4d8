// @vitest-environment happy-dom
/**
 * On a read-only (signed-off) case the armed tool is Pan: the editing tool the toolbar disables
 * must not also look selected, and a drag then looks around instead of being refused. The tool it
 * put aside comes back once the case may be edited again (unlocked, or another case opened),
 * unless the reader chose another tool meanwhile.
 */
import { act, renderHook } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { useViewerControls } from '../../renderer/hooks/use-viewer-controls';
import { caseView } from './renderer-fixtures';

const SIGNED_OFF = 'case 1 is signed off: unlock it with a reason in the Review tab';

function controls(readOnly: string | null) {
  return renderHook(({ ro }) => useViewerControls(caseView('1'), ro), {
    initialProps: { ro: readOnly },
  });
}

describe('the tool on a read-only case', () => {
  it('is Pan while the case is read-only, and the editing tool again once it is not', () => {
    const hook = controls(null);
    act(() => hook.result.current.setTool('eraser'));
    hook.rerender({ ro: SIGNED_OFF });
    expect(hook.result.current.tool).toBe('pan');
    hook.rerender({ ro: null });
    expect(hook.result.current.tool).toBe('eraser');
  });

  it('opens a read-only case with Pan armed, the brush back on the next editable case', () => {
    const hook = controls(SIGNED_OFF);
    expect(hook.result.current.tool).toBe('pan');
    hook.rerender({ ro: null });
    expect(hook.result.current.tool).toBe('brush');
  });

  it('keeps a tool the reader chose while read-only', () => {
    const hook = controls(null);
    act(() => hook.result.current.setTool('caliper'));
    hook.rerender({ ro: SIGNED_OFF });
    act(() => hook.result.current.setTool('calibrate'));
    hook.rerender({ ro: null });
    expect(hook.result.current.tool).toBe('calibrate');
  });

  it('leaves a looking tool as it is', () => {
    const hook = controls(null);
    act(() => hook.result.current.setTool('pan'));
    hook.rerender({ ro: SIGNED_OFF });
    expect(hook.result.current.tool).toBe('pan');
    hook.rerender({ ro: null });
    expect(hook.result.current.tool).toBe('pan');
  });
});
