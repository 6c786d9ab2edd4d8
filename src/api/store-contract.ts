/**
 * Cases, review sessions and reports (issue 5): the store half of the API contract.
 * Kept separate from ./contract.ts so that the engine and the store can grow apart.
 * Environment-free: zod and types only, importable by the renderer.
 */
import { z } from 'zod';
import {
  CaseViewSchema,
  EditOrderSchema,
  EstimateSchema,
  CaliperLineSchema,
  ClassificationSchema,
  LengthsSchema,
  MasksSchema,
  PatientSchema,
} from './contract';

export const CaseStatusSchema = z.enum([
  'new',
  'ai-ready',
  'in-review',
  'corrected',
  'signed-off',
  'flagged',
]);
export type CaseStatus = z.infer<typeof CaseStatusSchema>;

/** A reader's name as typed: what the audit log records as "who". */
const ReaderSchema = z.string().trim().min(1, 'a reader name is required').max(200);
const IdSchema = z.string().regex(/^\d+$/, 'ids are decimal numbers');

export const CaseSummarySchema = z.object({
  caseId: z.string(),
  title: z.string(),
  patientKey: z.string(),
  patientName: z.string().nullable(),
  studyInstanceUid: z.string().nullable(),
  studyDate: z.string().nullable(),
  status: CaseStatusSchema,
  version: z.number().int(),
  views: z.array(z.enum(['coronal', 'transverse'])),
  calibrated: z.boolean(),
  volumeMl: z.number().nullable(),
  ci95Ml: z.tuple([z.number(), z.number()]).nullable(),
  signedOffAt: z.string().nullable(),
  signedOffBy: z.string().nullable(),
  flagComment: z.string().nullable(),
  /** The id of the latest estimate (the one `volumeMl` is), which sign-off takes; null without. */
  estimateId: z.string().nullable(),
  /**
   * What the latest estimate asks the reader to check before trusting its verdicts (an uncertain
   * AI outline, views that look swapped, an implausible scale or length: checkFirst in
   * src/clinical/check-first.ts); empty when nothing, or without an estimate.
   */
  checkFirst: z.array(z.string()),
});
export type CaseSummary = z.infer<typeof CaseSummarySchema>;

export const MaskVersionSchema = z.object({
  maskId: z.string(),
  view: z.enum(['coronal', 'transverse']),
  version: z.number().int(),
  source: z.enum(['ai', 'manual']),
  author: z.string(),
  createdAt: z.string(),
  areaPx: z.number().int(),
});
export type MaskVersion = z.infer<typeof MaskVersionSchema>;

export const AuditEntrySchema = z.object({
  at: z.string(),
  actor: z.string(),
  action: z.string(),
  caseId: z.string().nullable(),
  detail: z.record(z.string(), z.unknown()),
});
export type AuditEntry = z.infer<typeof AuditEntrySchema>;

export const CaseDetailSchema = z.object({
  summary: CaseSummarySchema,
  images: z.array(
    z.object({
      view: z.enum(['coronal', 'transverse']),
      originalPath: z.string(),
      format: z.string(),
      width: z.number().int(),
      height: z.number().int(),
      calibrated: z.boolean(),
    }),
  ),
  masks: z.array(MaskVersionSchema),
  /** Caliper lengths the reader drew, every change kept. */
  measurements: z.array(
    z.object({
      view: z.enum(['coronal', 'transverse']),
      kind: z.enum(['length', 'width', 'thickness', 'craniocaudal']),
      valueCm: z.number(),
      /** The caliper's end points (image pixels) when the reader drew it. */
      points: z
        .tuple([z.tuple([z.number(), z.number()]), z.tuple([z.number(), z.number()])])
        .nullable(),
      author: z.string(),
      createdAt: z.string(),
    }),
  ),
  aiEstimate: EstimateSchema.nullable(),
  finalEstimate: EstimateSchema.nullable(),
  audit: z.array(AuditEntrySchema),
});
export type CaseDetail = z.infer<typeof CaseDetailSchema>;

export const StoredCaseViewSchema = z.object({
  caseId: z.string(),
  /** The engine's case (its caseId is what segment/estimate/explain take). */
  view: CaseViewSchema,
  status: CaseStatusSchema,
  locked: z.boolean(),
  aiMasks: MasksSchema.nullable(),
  currentMasks: MasksSchema.nullable(),
  estimate: EstimateSchema.nullable(),
  /** The id of `estimate`, the one sign-off takes; null without one. */
  estimateId: z.string().nullable(),
  /**
   * The reader's newest patient inputs for the case (null: none given, or not known): those
   * `estimate` used, or newer ones saved without an estimate (typed before calibrating).
   */
  patient: PatientSchema.nullable(),
  /** The caliper lines `estimate` used: the viewer draws them again. */
  caliperLines: z.array(CaliperLineSchema),
});
export type StoredCaseView = z.infer<typeof StoredCaseViewSchema>;

/**
 * What the AI found for one case an import touched (`spv import --ai`, the Review tab), from the
 * case's latest stored estimate: its volume, or why there is none, and what to check first.
 */
export const ImportAiResultSchema = z.object({
  caseId: z.string(),
  title: z.string(),
  /** Null when there is no volume: `noVolumeReason` says why. */
  volumeMl: z.number().nullable(),
  ci95Ml: z.tuple([z.number(), z.number()]).nullable(),
  /** The DeepSPV model that gave the volume (one view or both); null without a volume. */
  mode: z.enum(['single', 'dual']).nullable(),
  /** The estimate's reference verdicts (volume, length); empty without a volume. */
  classification: z.array(ClassificationSchema),
  /** Why there is no volume (no calibration, an outline that gives none, the AI failed); else null. */
  noVolumeReason: z.string().nullable(),
  /** checkFirst of the estimate (src/clinical/check-first.ts); empty when nothing, or no estimate. */
  checkFirst: z.array(z.string()),
});
export type ImportAiResult = z.infer<typeof ImportAiResultSchema>;

export const ImportReportSchema = z.object({
  imported: z.array(
    z.object({ path: z.string(), caseId: z.string(), view: z.enum(['coronal', 'transverse']) }),
  ),
  /** Copies of images already stored (the stored one's file is still where it was): left out. */
  duplicates: z.array(z.object({ path: z.string(), reason: z.string() })),
  /**
   * Images already stored whose file had moved, found again here: the stored image now points at
   * `path` (audited as image.relocate), so that its case opens again. Not duplicates left out: the
   * case reads the file from here. Defaults to empty on parse: a host of the previous version
   * reported these among `duplicates` and sends no such field.
   */
  relocated: z
    .array(
      z.object({
        path: z.string(),
        /** Where the image was imported from (or last found), where its file no longer is. */
        previousPath: z.string(),
        caseId: z.string(),
        view: z.enum(['coronal', 'transverse']),
      }),
    )
    .default([]),
  /** Files that could not be imported: unreadable, not decodable, a third image for a study. */
  failed: z.array(z.object({ path: z.string(), reason: z.string() })),
  /**
   * With `runAi`: the cases the AI could not run on after the import (their images were imported;
   * `ai` says the same as their reason for having no volume). `reason` is the error's own message.
   * Defaults to empty on parse: a host of the previous version listed these among `failed`.
   */
  aiFailed: z.array(z.object({ caseId: z.string(), reason: z.string() })).default([]),
  /**
   * Files that are not ultrasound images and were not tried (a README, a mask PNG, a link to
   * nothing), each with the reason: listed, never passed over in silence.
   */
  skipped: z.array(z.object({ path: z.string(), reason: z.string() })),
  /** The cases given an image by this import (a new case, or a view added to one). */
  caseIds: z.array(z.string()),
  /**
   * With `runAi`: one entry per case of `caseIds` and per case of `relocated` (whose AI may never
   * have run while its file was missing), in case order. Absent without `runAi` (and from hosts
   * older than this field: a renderer treats absent as "not known").
   */
  ai: z.array(ImportAiResultSchema).optional(),
});
export type ImportReport = z.infer<typeof ImportReportSchema>;

export const WorklistEntrySchema = z.object({
  position: z.number().int(),
  timeSpentMs: z.number().int(),
  case: CaseSummarySchema,
});
export type WorklistEntry = z.infer<typeof WorklistEntrySchema>;

export const SessionDetailSchema = z.object({
  sessionId: z.string(),
  title: z.string(),
  reader: z.string(),
  createdAt: z.string(),
  worklist: z.array(WorklistEntrySchema),
});
export type SessionDetail = z.infer<typeof SessionDetailSchema>;

export const SessionListItemSchema = z.object({
  sessionId: z.string(),
  title: z.string(),
  reader: z.string(),
  createdAt: z.string(),
  caseCount: z.number().int(),
  signedOffCount: z.number().int(),
});
export type SessionListItem = z.infer<typeof SessionListItemSchema>;

export const BlandAltmanSchema = z.object({
  /** e.g. "AI vs final" or "DeepSPV vs Prassopoulos". */
  name: z.string(),
  n: z.number().int(),
  meanDifferenceMl: z.number().nullable(),
  limitsOfAgreementMl: z.tuple([z.number(), z.number()]).nullable(),
});

export const SessionSummaryRowSchema = z.object({
  caseId: z.string(),
  title: z.string(),
  patientKey: z.string(),
  status: CaseStatusSchema,
  aiVolumeMl: z.number().nullable(),
  finalVolumeMl: z.number().nullable(),
  finalCi95Ml: z.tuple([z.number(), z.number()]).nullable(),
  diceCoronal: z.number().nullable(),
  diceTransverse: z.number().nullable(),
  timeSpentMs: z.number().int(),
  formulas: z.record(z.string(), z.number().nullable()),
  flagComment: z.string().nullable(),
  signedOffBy: z.string().nullable(),
  signedOffAt: z.string().nullable(),
  /** What the final estimate asks the reader to check first (CaseSummary.checkFirst). */
  checkFirst: z.array(z.string()),
  /** The case's images are under each other's view names since import (swapped in the app). */
  viewsSwapped: z.boolean(),
  /**
   * The checkFirst phrases the reader confirmed having checked at the sign-off that still stands;
   * empty when none were asked, or the case is not signed off (or was unlocked since).
   */
  checkedAtSignOff: z.array(z.string()),
  /**
   * The final estimate's reference verdicts with their limits ("normal: adult volume ≤ 314 mL"),
   * "normal?" while they rest on something to check that no standing sign-off confirmed.
   */
  verdicts: z.array(z.string()),
  /**
   * Whom those verdicts were decided for ("age 5 years · female", or that none was given); null
   * when the estimate does not record it (made before it did) or in an anonymised export.
   */
  limitsFor: z.string().nullable(),
});
export type SessionSummaryRow = z.infer<typeof SessionSummaryRowSchema>;

export const SessionSummarySchema = z.object({
  sessionId: z.string(),
  reader: z.string(),
  rows: z.array(SessionSummaryRowSchema),
  meanTimePerCaseMs: z.number().nullable(),
  meanDice: z.number().nullable(),
  blandAltman: z.array(BlandAltmanSchema),
  /** Bland–Altman plots as PNG data: URLs. */
  plots: z.array(z.object({ name: z.string(), pngDataUrl: z.string() })),
  /**
   * The cases whose final volume is not a reader's verified review of their final masks (never
   * reviewed, edited after their latest estimate, or an estimate that asks to check something
   * first that no sign-off confirmed): listed in `rows`, left out of the agreement statistics and
   * the mean Dice, each with the reason.
   */
  notReviewed: z.array(z.object({ caseId: z.string(), reason: z.string() })),
});
export type SessionSummary = z.infer<typeof SessionSummarySchema>;

export const ExportedFileSchema = z.object({
  name: z.string(),
  /** Where the host wrote it (under the data folder's exports/). */
  path: z.string(),
  mimeType: z.string(),
  /** The file itself, as a data: URL, so that a browser can offer it as a download. */
  dataUrl: z.string(),
});
export type ExportedFile = z.infer<typeof ExportedFileSchema>;

export const ReportFormatSchema = z.enum(['pdf', 'dicom-pdf', 'dicom-sr']);
export type ReportFormat = z.infer<typeof ReportFormatSchema>;

// ---- requests -------------------------------------------------------------------------------

export const ImportPathsRequestSchema = z.object({
  paths: z.array(z.string().min(1)).min(1).max(10_000),
  /** Run the AI on every imported case at once (cases become "AI ready"); else on first open. */
  runAi: z.boolean().optional(),
  /**
   * The frame (0-based) of every multi-frame DICOM imported; single-frame images ignore it.
   * Without it a multi-frame file is refused with the reason.
   */
  frame: z.number().int().min(0).max(100_000).nullable().optional(),
});
export const ListCasesRequestSchema = z.object({ status: CaseStatusSchema.nullable().optional() });
export const CaseRequestSchema = z.object({ caseId: IdSchema });
export const OpenStoredCaseRequestSchema = z.object({
  caseId: IdSchema,
  reader: ReaderSchema,
  sessionId: IdSchema.nullable().optional(),
});
export const ReaderCaseRequestSchema = z.object({ caseId: IdSchema, reader: ReaderSchema });
/** Makes the AI's outlines the case's final ones again: see StoreApi.acceptAi. */
export const AcceptAiRequestSchema = ReaderCaseRequestSchema.extend({
  /**
   * The acceptance's place among the viewer's edits (EditOrderSchema in ./contract.ts), numbered
   * like an edit: an edit of the same viewer sent before it that reaches the store after it is not
   * saved over the accepted outlines.
   */
  editOrder: EditOrderSchema.nullable().optional(),
});
export const SaveCorrectionRequestSchema = z.object({
  caseId: IdSchema,
  reader: ReaderSchema,
  masks: MasksSchema,
  patient: PatientSchema.nullable().optional(),
  caliperLengths: LengthsSchema.partial().nullable().optional(),
  caliperLines: z.array(CaliperLineSchema).max(12).nullable().optional(),
  /**
   * Save the masks alone, without an estimate: how the viewer keeps each edit whatever its
   * estimate does. An uncalibrated case's correction is always saved so (it has no volume).
   */
  masksOnly: z.boolean().optional(),
  /**
   * The edit's place among the viewer's edits (EditOrderSchema in ./contract.ts): a save that
   * reaches the store after a newer edit of the same viewer was saved is answered but not saved.
   */
  editOrder: EditOrderSchema.nullable().optional(),
  /**
   * The engine's id of the case view the edit was drawn on (CaseView.caseId), when a viewer sends
   * it: an edit drawn on a view of the case from before its views were swapped is refused, not
   * saved onto the other image.
   */
  viewCaseId: z.string().optional(),
});
/**
 * The patient inputs alone (age, sex, height: they choose the reference limits), for a case the
 * viewer has no outline to send with them (its AI outline failed); see StoreApi.savePatientInputs.
 */
export const SavePatientInputsRequestSchema = z.object({
  caseId: IdSchema,
  reader: ReaderSchema,
  patient: PatientSchema.nullable(),
  /**
   * Its place among the viewer's edits (EditOrderSchema in ./contract.ts): not kept when a newer
   * edit, which carried newer inputs, was saved first.
   */
  editOrder: EditOrderSchema.nullable().optional(),
});
export const SignOffRequestSchema = z.object({
  caseId: IdSchema,
  reader: ReaderSchema,
  /**
   * The estimate the reader reviewed (CaseSummary.estimateId, StoredCaseView.estimateId): refused
   * when a newer one was saved since. The viewer always sends it; optional for the CLI.
   */
  estimateId: IdSchema.nullable().optional(),
  /**
   * The checkFirst phrases (CaseSummary.checkFirst) the reader confirmed having checked. A case
   * whose latest estimate has checkFirst items is signed off only when every one of them is here
   * (refused otherwise, naming the missing ones); the sign-off's audit entry records them.
   */
  checked: z.array(z.string()).max(20).optional(),
});
/**
 * Swaps a stored case's coronal and transverse views (a pair imported named the wrong way round):
 * see StoreApi.swapViews.
 */
export const SwapViewsRequestSchema = z.object({
  caseId: IdSchema,
  reader: ReaderSchema,
  /**
   * The swap's place among the viewer's edits (EditOrderSchema in ./contract.ts), numbered like
   * an edit: an edit of the same viewer sent before the swap (drawn on the images the old way
   * round) that reaches the store after it is not saved.
   */
  editOrder: EditOrderSchema.nullable().optional(),
});
export const FlagCaseRequestSchema = z.object({
  caseId: IdSchema,
  reader: ReaderSchema,
  comment: z.string().trim().min(1, 'say why the case is flagged').max(2000),
});
export const UnlockCaseRequestSchema = z.object({
  caseId: IdSchema,
  reader: ReaderSchema,
  reason: z.string().trim().min(3, 'an unlock needs a reason').max(2000),
});
export const CreateSessionRequestSchema = z.object({
  reader: ReaderSchema,
  caseIds: z.array(IdSchema).min(1).max(5000),
  title: z.string().max(200).nullable().optional(),
});
export const SessionRequestSchema = z.object({ sessionId: IdSchema });
export const ExportSessionRequestSchema = SessionRequestSchema.extend({
  /** Anonymised: no patient ids, titles or flag comments in the summary, and anonymised reports. */
  anonymise: z.boolean().optional(),
});
export const RecordTimeRequestSchema = z.object({
  sessionId: IdSchema,
  caseId: IdSchema,
  ms: z
    .number()
    .int()
    .nonnegative()
    .max(24 * 3600 * 1000),
});
export const ExportReportRequestSchema = z.object({
  caseId: IdSchema,
  format: ReportFormatSchema,
  anonymise: z.boolean().optional(),
  /** Who asks for the export, for the audit trail ('export' when not given, as from the CLI). */
  reader: ReaderSchema.optional(),
});

export type ImportPathsRequest = z.infer<typeof ImportPathsRequestSchema>;
export type ListCasesRequest = z.infer<typeof ListCasesRequestSchema>;
export type CaseRequest = z.infer<typeof CaseRequestSchema>;
export type OpenStoredCaseRequest = z.infer<typeof OpenStoredCaseRequestSchema>;
export type ReaderCaseRequest = z.infer<typeof ReaderCaseRequestSchema>;
export type AcceptAiRequest = z.infer<typeof AcceptAiRequestSchema>;
export type SaveCorrectionRequest = z.infer<typeof SaveCorrectionRequestSchema>;
export type SavePatientInputsRequest = z.infer<typeof SavePatientInputsRequestSchema>;
export type SignOffRequest = z.infer<typeof SignOffRequestSchema>;
export type SwapViewsRequest = z.infer<typeof SwapViewsRequestSchema>;
export type FlagCaseRequest = z.infer<typeof FlagCaseRequestSchema>;
export type UnlockCaseRequest = z.infer<typeof UnlockCaseRequestSchema>;
export type CreateSessionRequest = z.infer<typeof CreateSessionRequestSchema>;
export type SessionRequest = z.infer<typeof SessionRequestSchema>;
export type RecordTimeRequest = z.infer<typeof RecordTimeRequestSchema>;
export type ExportSessionRequest = z.infer<typeof ExportSessionRequestSchema>;
export type ExportReportRequest = z.infer<typeof ExportReportRequestSchema>;

export interface StoreApi {
  /** Imports files and folders (recursive); bad files are listed with their reason. */
  importPaths(req: ImportPathsRequest): Promise<ImportReport>;
  listCases(req: ListCasesRequest): Promise<CaseSummary[]>;
  getCase(req: CaseRequest): Promise<CaseDetail>;
  /** Opens a stored case in the engine; segments it and stores the AI estimate the first time. */
  openStoredCase(req: OpenStoredCaseRequest): Promise<StoredCaseView>;
  acceptAi(req: AcceptAiRequest): Promise<CaseSummary>;
  saveCorrection(req: SaveCorrectionRequest): Promise<CaseSummary>;
  /**
   * Keeps the patient inputs of a case that may be edited, without masks or an estimate: the case
   * opens with them again, and its next estimate uses them. Refused on a signed-off case.
   */
  savePatientInputs(req: SavePatientInputsRequest): Promise<CaseSummary>;
  flagCase(req: FlagCaseRequest): Promise<CaseSummary>;
  signOff(req: SignOffRequest): Promise<CaseSummary>;
  unlockCase(req: UnlockCaseRequest): Promise<CaseSummary>;
  /**
   * Swaps the case's views: the image labelled coronal becomes the transverse one and vice versa,
   * each with its own file, calibration and outlines (copied as new mask versions under the new
   * labels; earlier masks and estimates stay as they were, estimates of the old labelling). The
   * case is opened again the right way round and a new estimate saved (the AI's, and the reader's
   * outlines' when they corrected it; their patient inputs kept, their caliper lines dropped:
   * they were drawn for the other view), which is the only kind sign-off takes from then on.
   * Audited as 'case.swap-views'. Refused on a signed-off case (unlock it first) and on a case
   * with one view. A viewer showing the case opens it again (openStoredCase) afterwards.
   */
  swapViews(req: SwapViewsRequest): Promise<CaseSummary>;
  createSession(req: CreateSessionRequest): Promise<SessionDetail>;
  listSessions(req: Record<string, never> | undefined): Promise<SessionListItem[]>;
  getSession(req: SessionRequest): Promise<SessionDetail>;
  recordTimeSpent(req: RecordTimeRequest): Promise<WorklistEntry>;
  sessionSummary(req: SessionRequest): Promise<SessionSummary>;
  /** Writes the summary CSV, the plots and every case's PDF report; returns the files. */
  exportSession(req: ExportSessionRequest): Promise<ExportedFile[]>;
  exportReport(req: ExportReportRequest): Promise<ExportedFile>;
}

export const storeApiRequestSchemas = {
  importPaths: ImportPathsRequestSchema,
  listCases: ListCasesRequestSchema,
  getCase: CaseRequestSchema,
  openStoredCase: OpenStoredCaseRequestSchema,
  acceptAi: AcceptAiRequestSchema,
  saveCorrection: SaveCorrectionRequestSchema,
  savePatientInputs: SavePatientInputsRequestSchema,
  flagCase: FlagCaseRequestSchema,
  signOff: SignOffRequestSchema,
  unlockCase: UnlockCaseRequestSchema,
  swapViews: SwapViewsRequestSchema,
  createSession: CreateSessionRequestSchema,
  listSessions: z.object({}).optional(),
  getSession: SessionRequestSchema,
  recordTimeSpent: RecordTimeRequestSchema,
  sessionSummary: SessionRequestSchema,
  exportSession: ExportSessionRequestSchema,
  exportReport: ExportReportRequestSchema,
} as const satisfies Record<keyof StoreApi, z.ZodType>;
