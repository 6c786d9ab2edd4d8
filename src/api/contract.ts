/**
 * The one typed API contract between the UI and the core (DESIGN §2).
 *
 * The Electron preload exposes it through contextBridge (one method per call) and the web host
 * over HTTP (`POST /api/<method>` with the request as JSON body). Both validate every request with
 * the schemas below before it reaches the engine, and the renderer cannot tell which host it runs in.
 *
 * This file is environment-free: zod and types only, importable by the renderer.
 */
import { z } from 'zod';

export const ViewNameSchema = z.enum(['coronal', 'transverse']);
export type ViewName = z.infer<typeof ViewNameSchema>;

/** Physical pixel size in mm, and where it came from. */
/**
 * A calibrated ultrasound region of a DICOM image (0018,6011): inclusive pixel bounds and its own
 * pixel size in mm. A mask or caliper is measured with the scale of the region it lies in.
 */
export const CalibratedRegionSchema = z.object({
  x0: z.number().int(),
  y0: z.number().int(),
  x1: z.number().int(),
  y1: z.number().int(),
  spacingX: z.number().positive().max(10),
  spacingY: z.number().positive().max(10),
});
export type CalibratedRegion = z.infer<typeof CalibratedRegionSchema>;

export const CalibrationSchema = z.object({
  /** The image's main scale: that of its largest calibrated region, or the only one there is. */
  spacingX: z.number().positive().max(10),
  spacingY: z.number().positive().max(10),
  source: z.enum(['ultrasound-regions', 'pixel-spacing', 'sidecar', 'user', 'caller']),
  /** Human-readable detail, e.g. "US region 0: 0.0350 cm/px". */
  detail: z.string().optional(),
  /**
   * Only for source 'ultrasound-regions': every calibrated region, the main one first. Then a
   * mask or caliper takes the scale of the region holding it, and one reaching outside the regions,
   * or across regions of different scale, is refused (src/imaging/calibration.ts).
   */
  regions: z.array(CalibratedRegionSchema).min(1).max(16).optional(),
});
export type Calibration = z.infer<typeof CalibrationSchema>;

/**
 * A binary mask in run-length form: `runs` alternate background and foreground counts in
 * row-major order, starting with background (the first run may be 0). Compact on the wire
 * and exact; see src/imaging/mask-codec.ts.
 */
export const MaskRleSchema = z.object({
  width: z.number().int().positive().max(8192),
  height: z.number().int().positive().max(8192),
  runs: z.array(z.number().int().nonnegative()),
});
export type MaskRle = z.infer<typeof MaskRleSchema>;

export const ViewImageSchema = z.object({
  view: ViewNameSchema,
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  /** 8-bit greyscale PNG of the decoded image, as a data: URL. */
  pngDataUrl: z.string(),
  /** Null when the image carries no calibration: then no volume is ever computed. */
  calibration: CalibrationSchema.nullable(),
  sourceName: z.string(),
  /**
   * What the reader should know about how the image was read, though nothing failed: e.g. a given
   * spacing that was not used because the DICOM carries its own calibration. Absent when none.
   */
  notices: z.array(z.string()).optional(),
});
export type ViewImage = z.infer<typeof ViewImageSchema>;

export const PatientSchema = z.object({
  ageYears: z.number().min(0).max(130).nullable().optional(),
  sex: z.enum(['female', 'male']).nullable().optional(),
  heightCm: z.number().min(30).max(250).nullable().optional(),
});
export type Patient = z.infer<typeof PatientSchema>;

export const CaseViewSchema = z.object({
  caseId: z.string(),
  title: z.string(),
  coronal: ViewImageSchema,
  transverse: ViewImageSchema.nullable(),
  /** True volume when known (synthetic samples only), for demonstration. */
  referenceVolumeMl: z.number().nullable(),
  /**
   * The patient inputs the coronal image's DICOM header gives (age at the study, sex:
   * src/clinical/study-patient.ts); null or absent when it gives none (PNG, JPEG, a header without
   * them). A case starts with them in the patient fields until the reader changes them.
   */
  studyPatient: PatientSchema.nullable().optional(),
});
export type CaseView = z.infer<typeof CaseViewSchema>;

export const LengthsSchema = z.object({
  /** Coronal Feret length (cm). */
  length: z.number().nullable(),
  /** Transverse width (cm); null without a transverse view. */
  width: z.number().nullable(),
  /** Transverse thickness (cm); null without a transverse view. */
  thickness: z.number().nullable(),
  /** Coronal extent along the image x axis (cm), Yetter's cranio-caudal length. */
  craniocaudal: z.number().nullable(),
});
export type Lengths = z.infer<typeof LengthsSchema>;
/** The four lengths, in the order the schema (and every report) lists them. */
export const LENGTH_KINDS = LengthsSchema.keyof().options;

export const FormulaResultSchema = z.object({
  id: z.string(),
  name: z.string(),
  expression: z.string(),
  citation: z.string(),
  /** mL, or null where the formula cannot apply (a length is missing). */
  volumeMl: z.number().nullable(),
  /** Why volumeMl is null. */
  unavailableReason: z.string().nullable(),
});
export type FormulaResult = z.infer<typeof FormulaResultSchema>;

export const ClassificationSchema = z.object({
  /** 'normal' | 'enlarged' | 'unknown'. */
  status: z.enum(['normal', 'enlarged', 'unknown']),
  /** The limit that was applied, e.g. "adult volume ≤ 314 mL". */
  limitText: z.string(),
  citation: z.string(),
  detail: z.string(),
});
export type Classification = z.infer<typeof ClassificationSchema>;

export const EstimateSchema = z.object({
  volumeMl: z.number(),
  ci95Ml: z.tuple([z.number(), z.number()]),
  model: z.enum(['single', 'dual']),
  modelVersion: z.string(),
  provider: z.string(),
  /** The lengths the formulas used: the reader's caliper lengths where given, else the mask's. */
  lengths: LengthsSchema,
  /**
   * The reader's caliper lengths (cm) among those, as the engine took them: each drawn line
   * measured with its view's calibration, a typed length as sent. Only the kinds given; null when
   * none was (absent on estimates saved before this field existed). The store keeps these as the
   * reader's measurements.
   */
  caliperLengths: LengthsSchema.partial().nullable().optional(),
  formulas: z.array(FormulaResultSchema),
  classification: z.array(ClassificationSchema),
  warnings: z.array(z.string()),
  /**
   * The views whose unedited AI outline is uncertain (PIPELINE §3b; a warning says so too): the
   * volume and the reference verdicts rest on an outline the reader should check first.
   */
  uncertainOutline: z.array(z.enum(['coronal', 'transverse'])).optional(),
  /**
   * Short phrases for inputs the reader should check before trusting the verdicts (views that look
   * swapped, an implausible scale or length: src/engine/input-doubts.ts); each has a warning too.
   * Absent on estimates saved before this field existed.
   */
  inputDoubts: z.array(z.string()).optional(),
  /**
   * Which of `warnings` belongs to which check-first item (checkFirst in
   * src/clinical/check-first.ts: an input doubt, an uncertain AI outline): the item's phrase and
   * the warning's text, one entry per item, so that a report can say who checked a warning without
   * recognising it by its wording. Absent on estimates saved before this field existed.
   */
  checkFirstWarnings: z.array(z.object({ phrase: z.string(), warning: z.string() })).optional(),
  /** Wall time of the estimate in the engine, ms. */
  elapsedMs: z.number(),
});
export type Estimate = z.infer<typeof EstimateSchema>;

export const ExplanationSchema = z.object({
  model: z.enum(['single', 'dual']),
  /** Decoder reconstruction per view on the physical grid (values 0..1, row-major G×G). */
  reconstruction: z.array(
    z.object({ view: ViewNameSchema, size: z.number().int(), values: z.array(z.number()) }),
  ),
  gridSpacingMm: z.number(),
  /** Position on the first two latent principal components. */
  pcaPosition: z.tuple([z.number(), z.number()]),
  /** Training cloud: [pc1, pc2, volumeMl]. */
  trainingCloud: z.array(z.tuple([z.number(), z.number(), z.number()])),
  mahalanobis: z.number(),
  distanceThreshold: z.number(),
  outOfDistribution: z.boolean(),
});
export type Explanation = z.infer<typeof ExplanationSchema>;

export const StatusSchema = z.object({
  modelVersion: z.string(),
  provider: z.string(),
  providersTried: z.array(
    z.object({ provider: z.string(), ok: z.boolean(), error: z.string().optional() }),
  ),
  host: z.enum(['electron', 'web']),
  sampleCaseIds: z.array(z.string()),
});
export type Status = z.infer<typeof StatusSchema>;

// ---- requests -------------------------------------------------------------------------------

export const OpenCaseRequestSchema = z.object({
  coronalPath: z.string().min(1),
  transversePath: z.string().min(1).nullable().optional(),
  /**
   * Explicit calibration in mm/px for images that carry none. A DICOM's own calibration (its
   * ultrasound regions, else Pixel Spacing) or a PNG/JPEG's sidecar wins over it; the view's
   * `notices` then say so where the two differ.
   */
  spacing: z.object({ x: z.number().positive(), y: z.number().positive() }).nullable().optional(),
  /** For multi-frame DICOM: the frame of every multi-frame view without a frame of its own. */
  frame: z.number().int().nonnegative().nullable().optional(),
  /** The frame of a multi-frame coronal DICOM (a PNG/JPEG has only frame 0). */
  coronalFrame: z.number().int().nonnegative().nullable().optional(),
  /** The frame of a multi-frame transverse DICOM. */
  transverseFrame: z.number().int().nonnegative().nullable().optional(),
});
export const OpenSampleRequestSchema = z.object({ sampleId: z.string().nullable().optional() });
export const CalibrateRequestSchema = z.object({
  caseId: z.string(),
  view: ViewNameSchema,
  /** Two points (image pixels) drawn on the depth ruler and the known distance between them. */
  pointA: z.tuple([z.number(), z.number()]),
  pointB: z.tuple([z.number(), z.number()]),
  distanceMm: z.number().positive().max(1000),
});
export const SegmentRequestSchema = z.object({ caseId: z.string(), view: ViewNameSchema });
export const MasksSchema = z.object({
  coronal: MaskRleSchema,
  transverse: MaskRleSchema.nullable().optional(),
});
/** A caliper the reader drew: end points in image pixels of its view. */
export const CaliperLineSchema = z.object({
  view: ViewNameSchema,
  kind: z.enum(['length', 'width', 'thickness']),
  a: z.tuple([z.number(), z.number()]),
  b: z.tuple([z.number(), z.number()]),
});
export type CaliperLine = z.infer<typeof CaliperLineSchema>;
/** The view each caliper kind is drawn on (the viewer places them so; PIPELINE §7). */
export const CALIPER_VIEW = {
  length: 'coronal',
  width: 'transverse',
  thickness: 'transverse',
} as const satisfies Record<CaliperLine['kind'], ViewName>;

/**
 * Where an edit of a stored case stands among those one viewer sent: `viewer` names the viewer (a
 * random id made once per page, so a reload is a new viewer) and `seq` grows with each edit it
 * sends, estimates and saves alike, in the order sent. The store saves a case's edits in the order
 * they reach it, and over the web host two requests sent a few ms apart can arrive the other way
 * round: it never saves an edit older than one of the same viewer already saved. Edits of
 * different viewers (two windows) are not compared: the last to arrive is the latest. Optional:
 * without it (the CLI, older callers) every edit is saved as it arrives.
 */
export const EditOrderSchema = z.object({
  viewer: z.string().min(1).max(100),
  seq: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
});
export type EditOrder = z.infer<typeof EditOrderSchema>;

export const EstimateRequestSchema = z.object({
  caseId: z.string(),
  masks: MasksSchema,
  patient: PatientSchema.nullable().optional(),
  /**
   * Caliper lengths (cm) drawn by the reader; they replace the mask-measured ones in the formulas.
   * Where a line of the same kind is sent below, the engine measures that line itself and refuses a
   * length that differs from it by more than 1 µm, a rounded one included: send the line's length
   * unrounded, or the line alone (src/engine/calipers.ts).
   */
  caliperLengths: LengthsSchema.partial().nullable().optional(),
  /**
   * The reader's calipers themselves: measured by the engine (the newest line of each kind gives
   * that kind's length) and stored beside their lengths so reports can redraw them.
   */
  caliperLines: z.array(CaliperLineSchema).max(12).nullable().optional(),
  /**
   * The edit's place among the viewer's edits (EditOrderSchema), for a stored case: an estimate
   * that reaches the store after a newer edit of the same viewer was saved is still estimated and
   * answered, but neither its masks nor its estimate are saved as the case's latest.
   */
  editOrder: EditOrderSchema.nullable().optional(),
});
export const ExplainRequestSchema = z.object({ caseId: z.string(), masks: MasksSchema });

export type OpenCaseRequest = z.infer<typeof OpenCaseRequestSchema>;
export type OpenSampleRequest = z.infer<typeof OpenSampleRequestSchema>;
export type CalibrateRequest = z.infer<typeof CalibrateRequestSchema>;
export type SegmentRequest = z.infer<typeof SegmentRequestSchema>;
export type Masks = z.infer<typeof MasksSchema>;
export type EstimateRequest = z.infer<typeof EstimateRequestSchema>;
export type ExplainRequest = z.infer<typeof ExplainRequestSchema>;

/** The case and estimation API (engine). Store and report methods are in ./store-contract.ts. */
export interface CaseApi {
  getStatus(): Promise<Status>;
  openSample(req: OpenSampleRequest): Promise<CaseView>;
  openCase(req: OpenCaseRequest): Promise<CaseView>;
  calibrate(req: CalibrateRequest): Promise<CaseView>;
  segment(req: SegmentRequest): Promise<MaskRle>;
  estimate(req: EstimateRequest): Promise<Estimate>;
  explain(req: ExplainRequest): Promise<Explanation>;
}

/** Request schemas by method name, for hosts that validate at the boundary. */
export const caseApiRequestSchemas = {
  getStatus: z.object({}).optional(),
  openSample: OpenSampleRequestSchema,
  openCase: OpenCaseRequestSchema,
  calibrate: CalibrateRequestSchema,
  segment: SegmentRequestSchema,
  estimate: EstimateRequestSchema,
  explain: ExplainRequestSchema,
} as const;

/** Errors the API reports to the UI: a code the UI can act on and a message for the reader. */
export const ApiErrorSchema = z.object({
  code: z.enum([
    'bad-input',
    'not-calibrated',
    'out-of-range',
    'not-found',
    'model',
    'internal',
    'forbidden',
  ]),
  message: z.string(),
});
export type ApiError = z.infer<typeof ApiErrorSchema>;
