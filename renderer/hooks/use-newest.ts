/**
 * For async work started again before the last run finished (opening one case after another): each
 * start gets a check that says, after any wait, whether it is still the newest start. Answers of a
 * superseded start can then be dropped whatever order they arrive in.
 */
import { useCallback, useRef } from 'react';

/** Returns `start()`; call it when the work starts, and the function it returns after each wait. */
export function useNewest(): () => () => boolean {
  const latest = useRef(0);
  return useCallback(() => {
    const mine = ++latest.current;
    return () => mine === latest.current;
  }, []);
}
