/**
 * What makes the Open and calibration dialogs modal for a keyboard reader: the focus moves in
 * when one opens, Tab and Shift+Tab cycle through its controls, a key pressed in it never also
 * reaches the window's shortcuts (Space would pan, a letter switch tools), and the focus goes back
 * where it was when it closes. The mouse is not held: the viewer stays usable by pointer.
 */
import { useEffect, useRef, type KeyboardEvent as ReactKeyboardEvent, type RefObject } from 'react';

/** What Tab can reach in a dialog, in document order. */
const FOCUSABLE =
  'button, input, select, textarea, a[href], summary, [tabindex]:not([tabindex="-1"])';

/** The controls of `root` Tab stops at: enabled and shown. */
export function tabStops(root: Element): HTMLElement[] {
  return [...root.querySelectorAll<HTMLElement>(FOCUSABLE)].filter(
    (el) => !el.matches(':disabled') && !el.closest('[hidden]') && el.tabIndex >= 0,
  );
}

/**
 * Where Tab (or Shift+Tab, `backwards`) goes from position `current` among `count` stops, going
 * round at either end; the first (last) stop when the focus is on none of them (-1).
 */
export function cycledIndex(current: number, count: number, backwards: boolean): number {
  if (count === 0) return -1;
  if (current < 0) return backwards ? count - 1 : 0;
  return (current + (backwards ? count - 1 : 1)) % count;
}

/**
 * A control Space or Enter works itself: focus given back to it after a click may not take the
 * reader's next Space (held to pan) as a press. Given back only when it had the keyboard's focus.
 */
function focusedByKeyboard(el: Element): boolean {
  try {
    return el.matches(':focus-visible');
  } catch {
    // A browser (or test DOM) without :focus-visible: give the focus back, as WCAG asks.
    return true;
  }
}

/**
 * Makes the element in `dialog` modal while mounted. `initial` gets the focus on opening (the
 * dialog's first control when null). Returns the dialog's keydown handler.
 */
export function useModalDialog(
  dialog: RefObject<HTMLElement | null>,
  initial: RefObject<HTMLElement | null> | null = null,
): (e: ReactKeyboardEvent) => void {
  const opener = useRef<{ el: HTMLElement; giveBack: boolean } | null>(null);
  useEffect(() => {
    const root = dialog.current;
    const active = document.activeElement;
    opener.current =
      active instanceof HTMLElement && active !== document.body && !root?.contains(active)
        ? { el: active, giveBack: focusedByKeyboard(active) }
        : null;
    const first = initial?.current ?? (root ? tabStops(root)[0] : undefined);
    first?.focus();
    return () => {
      const back = opener.current;
      const now = document.activeElement;
      // Given back only when the focus went with the dialog (or stayed in it): a reader who
      // clicked elsewhere meanwhile keeps the focus where they put it.
      const lost = now === null || now === document.body || (root?.contains(now) ?? false);
      if (!back || !lost || !back.el.isConnected) return;
      if (back.giveBack) back.el.focus();
      else if (root?.contains(now)) (now as HTMLElement).blur();
    };
  }, []);

  return (e) => {
    if (e.key === 'Tab') {
      const root = dialog.current;
      if (!root) return;
      const stops = tabStops(root);
      const next = cycledIndex(stops.indexOf(e.target as HTMLElement), stops.length, e.shiftKey);
      e.preventDefault();
      stops[next]?.focus();
    }
    // The window's shortcuts are for the viewer: a key pressed in a dialog is the dialog's (Space
    // would pan, Ctrl+Z undo an edit behind it). Only Ctrl+O goes on: a reader in the calibration
    // dialog can still open another case.
    if (!((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'o')) e.stopPropagation();
  };
}
