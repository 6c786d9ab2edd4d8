/** The errors panel's list: every failure stays until dismissed (the newest 20 are kept). */
import { useCallback, useRef, useState } from 'react';
import { ApiCallError } from '../api-client';
import type { UiError } from '../components/ErrorsPanel';

export interface ErrorList {
  errors: UiError[];
  /** Shows a failure of `source` (an API error keeps its code; anything else is 'internal'). */
  pushError(source: string, err: unknown): void;
  dismissError(id: number | 'all'): void;
}

export function useErrors(): ErrorList {
  const [errors, setErrors] = useState<UiError[]>([]);
  const errorId = useRef(0);

  const pushError = useCallback((source: string, err: unknown) => {
    const code = err instanceof ApiCallError ? err.code : 'internal';
    const text = err instanceof Error ? err.message : String(err);
    setErrors((list) => [
      ...list.slice(-19),
      { id: ++errorId.current, source, code, message: text },
    ]);
  }, []);

  const dismissError = useCallback(
    (id: number | 'all') =>
      setErrors((list) => (id === 'all' ? [] : list.filter((e) => e.id !== id))),
    [],
  );

  return { errors, pushError, dismissError };
}
