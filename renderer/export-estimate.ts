/** The menu's Export: the case, its estimate and the current masks downloaded as one JSON file. */
import type { CaseView, Estimate, EstimateRequest } from '../src/api';

export function downloadEstimateJson(
  cv: CaseView,
  masks: EstimateRequest['masks'],
  estimate: Estimate | null,
): void {
  const payload = {
    caseId: cv.caseId,
    title: cv.title,
    exportedAt: new Date().toISOString(),
    estimate,
    masks,
  };
  const url = URL.createObjectURL(
    new Blob([JSON.stringify(payload, null, 1)], { type: 'application/json' }),
  );
  const a = document.createElement('a');
  a.href = url;
  a.download = `${cv.caseId}-estimate.json`;
  a.click();
  // Revoked later, not at once: the browser may not have read the blob when click() returns.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
