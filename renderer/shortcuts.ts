/**
 * The keyboard map, in one place so that tooltips, the help and the handler agree. Pure: maps a
 * key event's fields to an action name.
 */
export type ShortcutAction =
  | 'undo'
  | 'redo'
  | 'open'
  | 'tool-brush'
  | 'tool-eraser'
  | 'tool-lasso-add'
  | 'tool-lasso-cut'
  | 'tool-caliper'
  | 'tool-pan'
  | 'brush-smaller'
  | 'brush-larger'
  | 'fit'
  | 'fill-holes'
  | 'smooth'
  | 'keep-largest'
  | 'toggle-overlay'
  | 'cycle-overlay'
  | 'toggle-reconstruction'
  | 'remove-caliper';

export interface KeyInput {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
}

const PLAIN: Record<string, ShortcutAction> = {
  b: 'tool-brush',
  e: 'tool-eraser',
  l: 'tool-lasso-add',
  k: 'tool-lasso-cut',
  m: 'tool-caliper',
  h: 'tool-pan',
  '[': 'brush-smaller',
  ']': 'brush-larger',
  f: 'fit',
  s: 'smooth',
  i: 'keep-largest',
  v: 'toggle-overlay',
  o: 'cycle-overlay',
  r: 'toggle-reconstruction',
  // The handler acts only while the Caliper tool is active (the last caliper drawn goes).
  Delete: 'remove-caliper',
  Backspace: 'remove-caliper',
};

export function shortcutFor(e: KeyInput): ShortcutAction | null {
  const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
  if (e.ctrlKey || e.metaKey) {
    if (key === 'z') return e.shiftKey ? 'redo' : 'undo';
    if (key === 'y') return 'redo';
    if (key === 'o') return 'open';
    return null;
  }
  if (e.altKey) return null;
  if (e.shiftKey && key === 'f') return 'fill-holes';
  return PLAIN[key] ?? null;
}
