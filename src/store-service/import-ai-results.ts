/**
 * What the AI found for a case an import touched (ImportReport.ai): read back from what the AI
 * stored (the case's latest estimate), or, without one, the reason there is no volume. The
 * command line prints it per case and the Review tab can show it, so that whoever imported a
 * day's studies sees which got a volume, which did not and why, and which ask to be checked first.
 */
import { basename } from 'node:path';
import type { ImportAiResult } from '../api/store-contract';
import { checkFirst } from '../clinical/check-first';
import type { CaseStore } from '../store/store';

/**
 * The audit action recorded when the AI's outline gives no volume (OpenCases, added-views.ts),
 * with the engine's reason: read back here as the case's reason for having none.
 */
export const AI_NO_VOLUME = 'ai.no-volume';

/**
 * The AI's result for stored case `caseId`. `aiError` is the message of the AI run that failed on
 * it during this import (its ImportReport.aiFailed reason; null when it ran, or had run before):
 * its reason for having no volume.
 */
export function importAiResult(
  store: CaseStore,
  caseId: number,
  aiError: string | null,
): ImportAiResult {
  const title = store.getCase(caseId).title;
  const latest = aiError === null ? store.latestEstimate(caseId) : null;
  if (!latest)
    return {
      caseId: String(caseId),
      title,
      volumeMl: null,
      ci95Ml: null,
      mode: null,
      classification: [],
      noVolumeReason:
        aiError !== null ? `the AI did not run: ${aiError}` : noVolumeReason(store, caseId),
      checkFirst: [],
    };
  const { estimate } = latest;
  return {
    caseId: String(caseId),
    title,
    volumeMl: estimate.volumeMl,
    ci95Ml: estimate.ci95Ml,
    mode: estimate.model,
    classification: estimate.classification,
    noVolumeReason: null,
    checkFirst: checkFirst(estimate),
  };
}

/** Why a case the AI ran on has no estimate, in the words the reader acts on. */
function noVolumeReason(store: CaseStore, caseId: number): string {
  // The AI's outline gave none (empty, too large for the grid, across two regions): the engine's
  // own message, which OpenCases keeps in the audit log.
  const said = store
    .auditLog(caseId)
    .filter((entry) => entry.action === AI_NO_VOLUME)
    .pop()?.detail.reason;
  if (typeof said === 'string') return said;
  const coronal = store.images(caseId).find((image) => image.view === 'coronal');
  if (!coronal)
    return 'the case has no coronal image: import one (…_coronal.png or a DICOM of its study: Import in the Review tab, or spv import PATH)';
  // The AI segments an uncalibrated image but computes no volume of it (OpenCases.runAi).
  if (coronal.calibration === null)
    return `${basename(coronal.originalPath)} has no calibration (no physical pixel size): calibrate it on the depth ruler when reviewing the case; no volume is computed for an uncalibrated image`;
  return 'the AI saved no estimate: open the case to see why';
}
