/**
 * The window's keyboard: space held pans (except on a control Space operates), every other key goes
 * through the map in shortcuts.ts to its handler. One handler per action, so a new shortcut does not compile until it does something.
 */
import { useEffect } from 'react';
import { shortcutFor, type ShortcutAction } from '../shortcuts';
import type { Tool } from '../viewer/types';

type ToolAction = Extract<ShortcutAction, `tool-${string}`>;

export type ShortcutHandlers = Record<Exclude<ShortcutAction, ToolAction>, () => void> & {
  tool(tool: Tool): void;
  panning(held: boolean): void;
};

function isToolAction(action: ShortcutAction): action is ToolAction {
  return action.startsWith('tool-');
}

// Shortcuts stay active on buttons, checkboxes and sliders, but not where the reader types.
function isTyping(t: EventTarget | null): boolean {
  return (
    (t instanceof HTMLInputElement && !['checkbox', 'radio', 'range', 'button'].includes(t.type)) ||
    t instanceof HTMLTextAreaElement ||
    t instanceof HTMLSelectElement
  );
}

/**
 * A control that Space works itself (presses a button, ticks a checkbox, opens a select): there it
 * must not start panning, or a keyboard-only reader could never tick the sign-off checks.
 */
function spaceOperates(t: EventTarget | null): boolean {
  if (!(t instanceof Element)) return false;
  return (
    t.closest(
      'button, input, select, textarea, summary, a[href], [role="button"], [role="checkbox"], [role="radio"], [role="switch"], [role="menuitem"], [role="tab"], [contenteditable="true"]',
    ) !== null
  );
}

export function useKeyboardShortcuts(handlers: ShortcutHandlers): void {
  // Attached again after every render, so the handlers always see the current state.
  useEffect(() => {
    const down = (e: KeyboardEvent) => {
      // Taken already by the control it was pressed on (the worklist's j/k and arrows): a key is
      // one action, never also a tool switch (k would arm Lasso − under the reader's next drag).
      if (e.defaultPrevented || isTyping(e.target)) return;
      if (e.key === ' ') {
        if (spaceOperates(e.target)) return;
        e.preventDefault();
        handlers.panning(true);
        return;
      }
      const action = shortcutFor(e);
      if (!action) return;
      if (isToolAction(action)) {
        e.preventDefault();
        handlers.tool(action.slice('tool-'.length) as Tool);
        return;
      }
      e.preventDefault();
      handlers[action]();
    };
    const up = (e: KeyboardEvent) => {
      if (e.key === ' ') handlers.panning(false);
    };
    window.addEventListener('keydown', down);
    window.addEventListener('keyup', up);
    return () => {
      window.removeEventListener('keydown', down);
      window.removeEventListener('keyup', up);
    };
  });
}
