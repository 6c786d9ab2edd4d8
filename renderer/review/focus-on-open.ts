/**
 * Focus for the Review tab's inline steps (the sign-off checks, the swap confirmation), opened from
 * a button that is off while they are open: on opening, the step is scrolled into sight (at
 * 1366×768 it opens below the fold) and its first control takes the focus, which would otherwise
 * drop to the page with the button that opened it.
 */
import { useEffect, useRef, type RefObject } from 'react';

/**
 * A ref for the step's element: once it is mounted it is scrolled into view and the first element
 * matching `first` inside it (the step itself when none) is focused.
 */
export function useFocusOnOpen<T extends HTMLElement>(first: string): RefObject<T | null> {
  const ref = useRef<T>(null);
  useEffect(() => {
    const step = ref.current;
    if (!step) return;
    // The whole step, not just the control: its confirm button sits at its foot. Some DOMs (the
    // tests') have no scrollIntoView.
    step.scrollIntoView?.({ block: 'nearest' });
    (step.querySelector<HTMLElement>(first) ?? step).focus({ preventScroll: true });
    // On mount only: a step is a new element each time it opens.
  }, []);
  return ref;
}
