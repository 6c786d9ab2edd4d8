/**
 * The estimate and the explanation of the current masks, kept live: each is a LiveRequest (at most
 * one request in flight, stale answers dropped), built from the masks and `latest` inputs at the
 * moment it is sent. A stored case's estimates are saved by the service as they happen; where no
 * estimate can be asked for (the case is not calibrated yet) its edits are saved on their own.
 */
import { useCallback, useMemo, type RefObject } from 'react';
import type { Estimate, EstimateRequest, Explanation, ExplainRequest, SpvApi } from '../../src/api';
import type { CaseSummary, SaveCorrectionRequest } from '../../src/api/store-contract';
import { encodeMaskRle } from '../../src/imaging/mask-codec';
import { LiveRequest, type LiveState } from '../live-estimate';
import { caliperLengthsCm } from '../measured-lengths';
import type { MaskSet } from '../viewer/types';
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
}

/** Sent only if the masks are gone by the time a scheduled request is built. */
const emptyMasks = (): EstimateRequest['masks'] => ({
  coronal: { width: 1, height: 1, runs: [1] },
});

export function useLiveAnalysis(
  api: SpvApi,
  pushError: (source: string, err: unknown) => void,
  masksRef: RefObject<MaskSet>,
  latest: RefObject<EstimateInputs>,
  storedCase?: RefObject<StoredCaseRef | null>,
): LiveAnalysis {
  const [estimator, explainer, saver] = useMemo(
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
        new LiveRequest<SaveCorrectionRequest, CaseSummary>(
          (req) => api.saveCorrection(req),
          (err) => pushError('Saving the edit', err),
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
    return {
      coronal: encodeMaskRle(cor.current, cor.width, cor.height),
      transverse: useTransverse ? encodeMaskRle(tr.current, tr.width, tr.height) : null,
    };
  }, [latest, masksRef]);

  /** The case to analyse: one whose coronal view is calibrated and masked; null otherwise. */
  const analysableCase = useCallback(() => {
    const cv = latest.current.caseView;
    return cv && cv.coronal.calibration && masksRef.current.coronal ? cv : null;
  }, [latest, masksRef]);

  /** Saves a stored case's masks without an estimate (every view, calibrated or not). */
  const scheduleSave = useCallback(() => {
    const stored = storedCase?.current;
    if (!stored || !masksRef.current.coronal) return;
    saver.schedule(() => {
      const { coronal: cor, transverse: tr } = masksRef.current;
      return {
        caseId: stored.caseId,
        reader: stored.reader,
        masks: {
          coronal: cor ? encodeMaskRle(cor.current, cor.width, cor.height) : emptyMasks().coronal,
          transverse: tr ? encodeMaskRle(tr.current, tr.width, tr.height) : null,
        },
        masksOnly: true,
      };
    });
  }, [saver, storedCase, masksRef]);

  const scheduleEstimate = useCallback(() => {
    const cv = analysableCase();
    // No estimate without a calibration, but a stored case's edit is kept all the same.
    if (!cv) return scheduleSave();
    estimator.schedule(() => {
      const masks = currentMasks();
      const { patient: pat, calipers: cals, caseView: view } = latest.current;
      const caliperLengths = caliperLengthsCm(cals, view);
      return {
        caseId: cv.caseId,
        masks: masks ?? emptyMasks(),
        patient: pat,
        caliperLengths: Object.keys(caliperLengths).length > 0 ? caliperLengths : null,
        // The lines themselves too: a stored case keeps them for its report.
        caliperLines: (['coronal', 'transverse'] as const).flatMap((v) =>
          cals[v].map((c) => ({ view: v, kind: c.kind, a: c.a, b: c.b })),
        ),
      };
    });
  }, [estimator, analysableCase, currentMasks, latest, scheduleSave]);

  const scheduleExplain = useCallback(() => {
    const cv = analysableCase();
    if (!cv) return;
    explainer.schedule(() => ({ caseId: cv.caseId, masks: currentMasks() ?? emptyMasks() }));
  }, [explainer, analysableCase, currentMasks]);

  const reset = useCallback(() => {
    estimator.reset();
    explainer.reset();
    saver.reset();
  }, [estimator, explainer, saver]);

  const estimateNow = useCallback(() => estimator.current.value, [estimator]);

  const settled = useCallback(
    () => Promise.all([estimator.settled(), saver.settled()]).then(() => undefined),
    [estimator, saver],
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
