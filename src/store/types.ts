/** Row shapes of the cases database, as the store hands them to its callers. */
import type { Calibration, CaliperLine, Estimate, Patient } from '../api/contract';
import type { CaseStatus } from '../api/store-contract';

export type ViewName = 'coronal' | 'transverse';

/** Both views, coronal first (the order every listing of a case's views uses). */
export const VIEWS: readonly ViewName[] = ['coronal', 'transverse'];

/** Bytes of the installation's secret key for anonymised exports (CaseStore.pseudonymKey). */
export const PSEUDONYM_KEY_BYTES = 32;
export type MaskSource = 'ai' | 'manual';

export interface PatientInput {
  key: string;
  name?: string | null;
  birthDate?: string | null;
  sex?: string | null;
}

export interface CaseRow {
  id: number;
  patientId: number;
  patientKey: string;
  patientName: string | null;
  /** From the source DICOM (DA and CS text as written there); null when it had none. */
  patientBirthDate: string | null;
  patientSex: string | null;
  studyInstanceUid: string | null;
  studyDate: string | null;
  title: string;
  status: CaseStatus;
  version: number;
  signedOffAt: string | null;
  signedOffBy: string | null;
  flagComment: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface ImageInput {
  caseId: number;
  view: ViewName;
  contentHash: string;
  sopInstanceUid: string | null;
  originalPath: string;
  format: string;
  width: number;
  height: number;
  calibration: Calibration | null;
  meta: Record<string, unknown>;
}

export interface ImageRow extends ImageInput {
  id: number;
  importedAt: string;
}

export interface MaskInput {
  caseId: number;
  view: ViewName;
  source: MaskSource;
  author: string;
  width: number;
  height: number;
  areaPx: number;
  png: Buffer;
}

export interface MaskRow extends MaskInput {
  id: number;
  version: number;
  createdAt: string;
}

export interface EstimateInput {
  caseId: number;
  source: MaskSource;
  coronalMaskId: number | null;
  transverseMaskId: number | null;
  modelHash: string;
  author: string;
  estimate: Estimate;
  /**
   * The images' calibration when the estimate was asked for (CaseStore.calibrationOf, read
   * before the engine ran): sign-off refuses the estimate once the images are recalibrated.
   * Null or absent: not known (estimates saved before schema 5).
   */
  calibration?: string | null;
  /** The patient inputs the estimate used (null: none given); absent: not known. */
  patient?: Patient | null;
  /** The caliper lines the reader had drawn; absent: not known. */
  caliperLines?: readonly CaliperLine[];
}

export interface EstimateRow extends EstimateInput {
  id: number;
  createdAt: string;
  calibration: string | null;
}

export interface MeasurementInput {
  caseId: number;
  view: ViewName;
  kind: 'length' | 'width' | 'thickness' | 'craniocaudal';
  valueCm: number;
  points: [[number, number], [number, number]] | null;
  author: string;
}

export interface SessionRow {
  id: number;
  title: string;
  reader: string;
  createdAt: string;
}

export interface SessionCaseRow {
  sessionId: number;
  caseId: number;
  position: number;
  timeSpentMs: number;
}

export interface AuditRow {
  id: number;
  at: string;
  actor: string;
  action: string;
  caseId: number | null;
  detail: Record<string, unknown>;
}

/**
 * A view swap (CaseStore.swapViews): the mask versions that carried each image's outlines to its
 * image's new label, and the case's latest estimate before it (null: none), which, like every
 * estimate before the swap, is of the old labelling.
 */
export interface ViewSwap {
  masks: { from: ViewName; to: ViewName; fromMaskId: number; toMaskId: number; version: number }[];
  estimateIdBefore: number | null;
}
