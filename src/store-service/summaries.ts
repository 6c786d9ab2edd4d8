/** Store rows → the API's summaries (CaseSummary, CaseDetail, worklists). */
import { checkFirst } from '../clinical/check-first';
import type { CaseDetail, CaseSummary, SessionDetail } from '../api/store-contract';
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
    estimateId: latest ? String(latest.id) : null,
    checkFirst: latest ? checkFirst(latest.estimate) : [],
  };
}

/** A case with its images, mask versions, calipers, AI and final estimates and audit trail. */
export function caseDetail(store: CaseStore, id: number): CaseDetail {
  const row = store.getCase(id);
  const ai = store.latestEstimate(id, 'ai');
  const final = store.latestEstimate(id);
  return {
    summary: caseSummary(store, row),
    images: store.images(id).map((i) => ({
      view: i.view,
      originalPath: i.originalPath,
      format: i.format,
      width: i.width,
      height: i.height,
      calibrated: i.calibration !== null,
    })),
    masks: store.masks(id).map((m) => ({
      maskId: String(m.id),
      view: m.view,
      version: m.version,
      source: m.source,
      author: m.author,
      createdAt: m.createdAt,
      areaPx: m.areaPx,
    })),
    measurements: store.measurements(id).map((m) => ({
      view: m.view,
      kind: m.kind,
      valueCm: m.valueCm,
      points: m.points,
      author: m.author,
      createdAt: m.createdAt,
    })),
    aiEstimate: ai?.estimate ?? null,
    finalEstimate: final?.estimate ?? null,
    audit: store.auditLog(id).map((a) => ({
      at: a.at,
      actor: a.actor,
      action: a.action,
      caseId: a.caseId === null ? null : String(a.caseId),
      detail: a.detail,
    })),
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
