/**
 * The app's wiring of the live-analysis and mask-editing hooks for one calibrated, stored 4×2
 * case, rendered with a test's API: for the renderer tests of what a stored case's edits send.
 */
import { act, renderHook } from '@testing-library/react';
import { useRef } from 'react';
import type { CaseView, SpvApi } from '../../src/api';
import { StrokeRecorder } from '../../renderer/editing/delta';
import type { EstimateInputs } from '../../renderer/hooks/use-estimate-inputs';
import { useLiveAnalysis, type StoredCaseRef } from '../../renderer/hooks/use-live-analysis';
import { useMaskEditing } from '../../renderer/hooks/use-mask-editing';
import type { MaskSet } from '../../renderer/viewer/types';
import { caseView } from './renderer-fixtures';

const W = 4;
const H = 2;

/** A promise the test settles when it chooses: an API call held at the boundary. */
export function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((res) => (resolve = res));
  return { promise, resolve };
}

/** A calibrated one-view case, its W×H coronal mask empty, open in the engine as `engineCaseId`. */
function calibrated(engineCaseId: string): CaseView {
  const cv = caseView(engineCaseId);
  return {
    ...cv,
    coronal: { ...cv.coronal, calibration: { spacingX: 1, spacingY: 1, source: 'user' } },
  };
}

/**
 * Renders the hooks as the app wires them (every finished edit asks for an estimate) for stored
 * case `caseId`, opened by "Dr A" (`engine-<caseId>` in the engine). `pushError` must be stable,
 * as the app's is: the hook keeps its requests for as long as api and pushError last.
 */
export function renderStoredCaseEditing(
  api: SpvApi,
  {
    caseId,
    locked = false,
    pushError,
  }: { caseId: string; locked?: boolean; pushError: (source: string, err: unknown) => void },
) {
  const masksRef: { current: MaskSet } = {
    current: {
      coronal: { width: W, height: H, ai: new Uint8Array(W * H), current: new Uint8Array(W * H) },
    },
  };
  const hook = renderHook(() => {
    const latest = useRef<EstimateInputs>({
      caseView: calibrated(`engine-${caseId}`),
      patient: { ageYears: null, sex: null, heightCm: null },
      calipers: { coronal: [], transverse: [] },
    });
    const storedCase = useRef<StoredCaseRef | null>({ caseId, reader: 'Dr A', locked });
    const analysis = useLiveAnalysis(api, pushError, masksRef, latest, storedCase);
    const editing = useMaskEditing({
      masksRef,
      activeView: 'coronal',
      caseView: latest.current.caseView,
      setMessage: () => undefined,
      onMasksChanged: analysis.scheduleEstimate,
    });
    return { analysis, editing, latest };
  });
  /** A stroke as the viewer paints it: pixels set in place while it is open. */
  const beginStroke = (pixels: number[]) => {
    const recorder = new StrokeRecorder(masksRef.current.coronal!.current);
    for (const p of pixels) recorder.set(p, 1);
    return recorder;
  };
  const finishStroke = (recorder: StrokeRecorder) => {
    const delta = recorder.finish()!;
    act(() => hook.result.current.editing.onStrokeEnd('coronal', delta));
  };
  const stroke = (pixels: number[]) => finishStroke(beginStroke(pixels));
  return { hook, masksRef, beginStroke, finishStroke, stroke };
}
