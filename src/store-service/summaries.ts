/** Store rows → the API's summaries (CaseSummary, worklists). */
import type { CaseSummary, SessionDetail } from '../api/store-contract';
import type { CaseStore } from '../store/store';
import type { CaseRow } from '../store/types';

export function caseSummary(store: CaseStore, row: CaseRow): CaseSummary {
  const images = store.images(row.id);
  const latest = store.latestEstimate(row.id);
  return {
    caseId: String(row.id),
    title: row.title,
    patientKey: row.patientKey,
    patientName: row.patientName,
    studyInstanceUid: row.studyInstanceUid,
    studyDate: row.studyDate,
    status: row.status,
    version: row.version,
    views: images.map((i) => i.view).sort(),
    calibrated: images.length > 0 && images.every((i) => i.calibration !== null),
    volumeMl: latest?.estimate.volumeMl ?? null,
    ci95Ml: latest?.estimate.ci95Ml ?? null,
    signedOffAt: row.signedOffAt,
    signedOffBy: row.signedOffBy,
    flagComment: row.flagComment,
  };
}

export function sessionDetail(store: CaseStore, sessionId: number): SessionDetail {
  const session = store.getSession(sessionId);
  return {
    sessionId: String(session.id),
    title: session.title,
    reader: session.reader,
    createdAt: session.createdAt,
    worklist: store.sessionCases(sessionId).map((entry) => ({
      position: entry.position,
      timeSpentMs: entry.timeSpentMs,
      case: caseSummary(store, store.getCase(entry.caseId)),
    })),
  };
}
