/** A LiveRequest's state as React state: the component re-renders with every state it publishes. */
import { useEffect, useState } from 'react';
import type { LiveState } from '../live-estimate';

export function useLive<T>(live: {
  subscribe(l: (s: LiveState<T>) => void): () => void;
  current: LiveState<T>;
}): LiveState<T> {
  const [state, setState] = useState(live.current);
  useEffect(() => live.subscribe(setState), [live]);
  return state;
}
