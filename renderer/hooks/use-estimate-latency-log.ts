/**
 * Stroke end → estimate shown, kept on `window.spvPerf` for `npm run bench:ui` (read through the
 * page, never shown).
 */
import { useEffect, useRef } from 'react';
import type { Estimate } from '../../src/api';
import type { LiveState } from '../live-estimate';

declare global {
  interface Window {
    spvPerf?: { estimateLatenciesMs: number[]; engineMs: number[] };
  }
}

export function useEstimateLatencyLog(estimate: LiveState<Estimate>): void {
  const lastReceived = useRef<number | null>(null);
  useEffect(() => {
    // One entry per answer shown (the state also changes when a new request starts).
    if (
      estimate.value &&
      estimate.requestedAt !== null &&
      estimate.receivedAt !== null &&
      estimate.receivedAt !== lastReceived.current
    ) {
      lastReceived.current = estimate.receivedAt;
      window.spvPerf ??= { estimateLatenciesMs: [], engineMs: [] };
      window.spvPerf.estimateLatenciesMs.push(estimate.receivedAt - estimate.requestedAt);
      window.spvPerf.engineMs.push(estimate.value.elapsedMs);
    }
  }, [estimate]);
}
