/**
 * The estimate and the explanation of the current masks, kept live: each is a LiveRequest (at most
 * one request in flight, stale answers dropped), built from the masks and `latest` inputs at the
 * moment it is sent. A stored case's estimates are saved by the service as they happen. An edit
 * whose estimate cannot leave at once (another is in flight, or the case is not calibrated yet) is
 * saved on its own, at once: a finished stroke never waits unsaved for an estimate. What is sent
 * leaves out a stroke still being painted, which a case switch would discard. Each estimate and
 * save carries its place among the page's edits (renderer/save-order.ts), numbered as it leaves,
 * so that the store never saves an older edit over a newer one that overtook it on the way.
 */
import { useCallback, useMemo, type RefObject } from 'react';
import type { Estimate, EstimateRequest, Explanation, ExplainRequest, SpvApi } from '../../src/api';
import type {
  CaseSummary,
  SaveCorrectionRequest,
  SavePatientInputsRequest,
} from '../../src/api/store-contract';
import { encodeMaskRle } from '../../src/imaging/mask-codec';
import { caliperLines } from '../editing/calipers';
import { finishedPixels } from '../editing/delta';
import { LiveRequest, SendNow, type LiveState } from '../live-estimate';
import { caliperLengthsCm } from '../measured-lengths';
import { pageEditSequence } from '../save-order';
import type { MaskSet, ViewMasks } from '../viewer/types';
import type { EstimateInputs } from './use-estimate-inputs';
import { useEstimateLatencyLog } from './use-estimate-latency-log';
import { useLive } from './use-live';

export interface LiveAnalysis {
  estimate: LiveState<Estimate>;
  explanation: LiveState<Explanation>;
  /** Asks for a fresh estimate; nothing happens until the coronal view is calibrated and masked. */
  scheduleEstimate(): void;
  scheduleExplain(): void;
  /** Forgets both (a new case is opening) and ignores answers still on their way. */
  reset(): void;
  /** The masks as the engine takes them; null without a case or a coronal mask. */
  currentMasks(): EstimateRequest['masks'] | null;
  /** The newest estimate, even one React has not rendered yet. */
  estimateNow(): Estimate | null;
  /** Resolves once every edit scheduled so far has been estimated or saved (or has failed). */
  settled(): Promise<void>;
}

/** The stored case in the viewer, if it is one: its edits are saved under `reader`. */
export interface StoredCaseRef {
  caseId: string;
  reader: string;
  /** Signed off: the store refuses its edits, so none is sent to be saved. */
  locked: boolean;
}

/** Sent only if the masks are gone by the time a scheduled request is built. */
const emptyMasks = (): EstimateRequest['masks'] => ({
  coronal: { width: 1, height: 1, runs: [1] },
});

/** A view's mask as sent to the service: its finished edits only (see finishedPixels). */
const encoded = (m: ViewMasks) => encodeMaskRle(finishedPixels(m.current), m.width, m.height);

export function useLiveAnalysis(
  api: SpvApi,
  pushError: (source: string, err: unknown) => void,
  masksRef: RefObject<MaskSet>,
  latest: RefObject<EstimateInputs>,
  storedCase?: RefObject<StoredCaseRef | null>,
): LiveAnalysis {
  const [estimator, explainer, saver, patientSaver] = useMemo(
    () =>
      [
        new LiveRequest<EstimateRequest, Estimate>(
          (req) => api.estimate(req),
          (err) => pushError('Estimate', err),
        ),
        new LiveRequest<ExplainRequest, Explanation>(
          (req) => api.explain(req),
          (err) => pushError('Explain', err),
          undefined,
          // An explanation saves nothing: one still waiting for a case left behind is dropped.
          false,
        ),
        new SendNow<SaveCorrectionRequest>(
          (req): Promise<CaseSummary> => api.saveCorrection(req),
          (err) => pushError('Saving the edit', err),
        ),
        new SendNow<SavePatientInputsRequest>(
          (req): Promise<CaseSummary> => api.savePatientInputs(req),
          (err) => pushError('Saving the patient details', err),
        ),
      ] as const,
    [api, pushError],
  );
  const estimate = useLive(estimator);
  const explanation = useLive(explainer);
  useEstimateLatencyLog(estimate);

  const currentMasks = useCallback((): EstimateRequest['masks'] | null => {
    const cv = latest.current.caseView;
    const cor = masksRef.current.coronal;
    if (!cv || !cor) return null;
    const tr = masksRef.current.transverse;
    // The transverse view joins (dual-view model) only when it too is calibrated.
    const useTransverse = tr && cv.transverse?.calibration;
    return { coronal: encoded(cor), transverse: useTransverse ? encoded(tr) : null };
  }, [latest, masksRef]);

  /** The case to analyse: one whose coronal view is calibrated and masked; null otherwise. */
  const analysableCase = useCallback(() => {
    const cv = latest.current.caseView;
    return cv && cv.coronal.calibration && masksRef.current.coronal ? cv : null;
  }, [latest, masksRef]);

  /**
   * Sends a stored case's masks to be saved now, no estimate (every view, calibrated or not), with
   * the patient inputs: on a case not calibrated yet no estimate keeps them. A case the viewer holds
   * no coronal outline of (its AI outline failed) sends the patient inputs alone.
   */
  const saveMasksNow = useCallback(() => {
    const stored = storedCase?.current;
    const { coronal: cor, transverse: tr } = masksRef.current;
    if (!stored || stored.locked) return;
    if (!cor) {
      patientSaver.send({
        caseId: stored.caseId,
        reader: stored.reader,
        patient: latest.current.patient,
        editOrder: pageEditSequence.next(),
      });
      return;
    }
    saver.send({
      caseId: stored.caseId,
      reader: stored.reader,
      masks: { coronal: encoded(cor), transverse: tr ? encoded(tr) : null },
      masksOnly: true,
      patient: latest.current.patient,
      editOrder: pageEditSequence.next(),
      // The view it was drawn on: refused if the case's views were swapped since.
      ...(latest.current.caseView ? { viewCaseId: latest.current.caseView.caseId } : {}),
    });
  }, [saver, patientSaver, storedCase, masksRef, latest]);

  const scheduleEstimate = useCallback(() => {
    const cv = analysableCase();
    // No estimate without a calibration, but a stored case's edit is kept all the same.
    if (!cv) return saveMasksNow();
    const sentAtOnce = estimator.schedule(() => {
      const masks = currentMasks();
      const { patient: pat, calipers: cals, caseView: view } = latest.current;
      const caliperLengths = caliperLengthsCm(cals, view);
      return {
        caseId: cv.caseId,
        masks: masks ?? emptyMasks(),
        patient: pat,
        caliperLengths: Object.keys(caliperLengths).length > 0 ? caliperLengths : null,
        // The lines themselves too: a stored case keeps them for its report.
        caliperLines: caliperLines(cals),
        // Numbered as it leaves (build runs then): after every save sent while it waited.
        editOrder: pageEditSequence.next(),
      };
    });
    // The estimate waits for the one in flight, and only an estimate that has left saves what it
    // carries: the edit goes to the store now, on its own, queued there after the one in flight.
    // The waiting estimate is built later from the same or newer masks, so it saves nothing older.
    if (!sentAtOnce) saveMasksNow();
  }, [estimator, analysableCase, currentMasks, latest, saveMasksNow]);

  const scheduleExplain = useCallback(() => {
    const cv = analysableCase();
    if (!cv) return;
    explainer.schedule(() => ({ caseId: cv.caseId, masks: currentMasks() ?? emptyMasks() }));
  }, [explainer, analysableCase, currentMasks]);

  const reset = useCallback(() => {
    estimator.reset();
    explainer.reset();
  }, [estimator, explainer]);

  const estimateNow = useCallback(() => estimator.current.value, [estimator]);

  const settled = useCallback(
    () =>
      Promise.all([estimator.settled(), saver.settled(), patientSaver.settled()]).then(
        () => undefined,
      ),
    [estimator, saver, patientSaver],
  );

  return {
    estimate,
    explanation,
    scheduleEstimate,
    scheduleExplain,
    reset,
    currentMasks,
    estimateNow,
    settled,
  };
}
