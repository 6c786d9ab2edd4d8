/** Small cases and worklist entries for the renderer's unit tests. */
import type { CaseView } from '../../src/api';
import type { CaseStatus, CaseSummary, WorklistEntry } from '../../src/api/store-contract';

/** A one-view 4×2 case with no calibration. */
export function caseView(caseId: string): CaseView {
  const image = {
    view: 'coronal' as const,
    width: 4,
    height: 2,
    pngDataUrl: 'data:image/png;base64,',
    calibration: null,
    sourceName: `${caseId}.png`,
  };
  return { caseId, title: caseId, coronal: image, transverse: null, referenceVolumeMl: null };
}

/** A stored, calibrated one-view case with no estimate yet. */
export function caseSummary(caseId: string, status: CaseStatus = 'new'): CaseSummary {
  return {
    caseId,
    title: `case ${caseId}`,
    patientKey: 'P',
    patientName: null,
    studyInstanceUid: null,
    studyDate: null,
    status,
    version: 1,
    views: ['coronal'],
    calibrated: true,
    volumeMl: null,
    ci95Ml: null,
    signedOffAt: null,
    signedOffBy: null,
    flagComment: null,
    estimateId: null,
    checkFirst: [],
  };
}

/** A worklist entry at position `position` for that case. */
export function worklistEntry(caseId: string, status: CaseStatus, position: number): WorklistEntry {
  return { position, timeSpentMs: 0, case: caseSummary(caseId, status) };
}
