/**
 * What the viewer refuses on a read-only case (a signed-off stored case): the gestures that change
 * it, its masks or its calipers. Looking stays free: panning, zooming, the overlay, brightness.
 */
import type { Tool } from './types';

/** The tools whose gestures change the case (the toolbar disables them on a read-only case). */
export const EDITING_TOOLS: ReadonlySet<Tool> = new Set([
  'brush',
  'eraser',
  'lasso-add',
  'lasso-cut',
  'caliper',
]);

/**
 * Why a gesture with `tool` may not start (`readOnly`, the case's refusal), or null when it may:
 * refused as it starts, so that no stroke is drawn that the store would not save.
 */
export function refusedGesture(tool: Tool, readOnly: string | null): string | null {
  return readOnly !== null && EDITING_TOOLS.has(tool) ? readOnly : null;
}
