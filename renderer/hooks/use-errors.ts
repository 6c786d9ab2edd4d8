/**
 * The errors panel's list: every failure stays until dismissed (the newest 20 are kept), except
 * that the same failure again replaces its earlier copy, and the estimate's failures go once an
 * estimate succeeds (they were of masks since changed).
 */
import { useCallback, useRef, useState } from 'react';
import { ApiCallError } from '../api-client';
import type { UiError } from '../components/ErrorsPanel';

export interface ErrorList {
  errors: UiError[];
  /** Shows a failure of `source` (an API error keeps its code; anything else is 'internal'). */
  pushError(source: string, err: unknown): void;
  dismissError(id: number | 'all'): void;
  /** Forgets the failures of `source` (a later call of it succeeded). */
  clearErrors(source: string): void;
}

export function useErrors(): ErrorList {
  const [errors, setErrors] = useState<UiError[]>([]);
  const errorId = useRef(0);

  const pushError = useCallback((source: string, err: unknown) => {
    const code = err instanceof ApiCallError ? err.code : 'internal';
    const text = err instanceof Error ? err.message : String(err);
    setErrors((list) => [
      // The same failure again (an empty mask while redrawing, each stroke): one entry, the newest.
      ...list.filter((e) => !(e.source === source && e.message === text)).slice(-19),
      { id: ++errorId.current, source, code, message: text },
    ]);
  }, []);

  const dismissError = useCallback(
    (id: number | 'all') =>
      setErrors((list) => (id === 'all' ? [] : list.filter((e) => e.id !== id))),
    [],
  );

  const clearErrors = useCallback(
    (source: string) =>
      setErrors((list) =>
        list.some((e) => e.source === source) ? list.filter((e) => e.source !== source) : list,
      ),
    [],
  );

  return { errors, pushError, dismissError, clearErrors };
}
