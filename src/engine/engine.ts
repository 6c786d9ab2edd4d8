/**
 * The engine: the service behind the API contract's CaseApi (src/api/contract.ts). It keeps the
 * opened cases in memory (decoded images, calibrations, the AI masks) and runs the pipeline of
 * docs/PIPELINE.md through an Inference — in process here, or the Electron host's utility process.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { EstimateSchema } from '../api/contract';
import type {
  CalibrateRequest,
  Estimate,
  CaseApi,
  CaseView,
  Calibration,
  EstimateRequest,
  ExplainRequest,
  MaskRle,
  Masks,
  OpenCaseRequest,
  OpenSampleRequest,
  SegmentRequest,
  Status,
  ViewImage,
  ViewName,
} from '../api/contract';
import { SpvError } from '../api/errors';
import { decodeCaseViews, encodeGreyPng, type DecodedImage } from '../decode';
import { patientFromStudy } from '../clinical/study-patient';
import { calibrationFromTwoPoints, spacingForMask } from '../imaging/calibration';
import { decodeMaskRle, encodeMaskRle, sameMask } from '../imaging/mask-codec';
import { loadManifest } from '../inference/manifest-loader';
import type { SessionOptions } from '../inference/onnx-inference';
import type { Inference, InferenceInfo, RvaeMode } from '../inference/types';
import type { Manifest } from '../models/manifest';
import { verifiedCaliperLengths } from './calipers';
import { VolumeEstimator, type DetailedEstimate, type EstimateOptions } from './estimator';
import { DEFAULT_SAMPLE_ID, readCaseIndex, type CaseRow } from './samples';
import { segmentImage, type AiSegmentation } from './segmentation';
import type { MasksInput, ViewMask } from './types';
import type { GreyImage } from '../imaging/types';

export interface EngineOptions {
  modelsDir: string;
  /** models/samples by default. */
  samplesDir?: string;
  /** An Inference from the host (Electron's utility process); in-process onnxruntime otherwise. */
  inference?: Inference;
  sessionOptions?: SessionOptions;
  host: Status['host'];
  /** How many opened cases to keep in memory; the oldest is forgotten first. */
  maxOpenCases?: number;
  /**
   * How many bytes of pixels (decoded images and AI masks) the opened cases may hold together; the
   * oldest is forgotten first, never the case used last. DEFAULT_OPEN_CASE_BYTES by default.
   */
  maxOpenCaseBytes?: number;
}

/** How many opened cases the engine keeps by default (the count bound). */
export const DEFAULT_OPEN_CASES = 32;

/**
 * The default byte bound of the opened cases: 256 MiB. A case holds its images as 32-bit floats
 * (4 bytes a pixel) and its AI masks (1 byte a pixel): a typical 800 × 600 ultrasound pair is
 * about 5 MB, so 32 of them (the count bound) fit, while a pair of 1500 × 1200 frames is 18 MB and
 * one of the largest images accepted (8192², src/decode/bad-input.ts) is 320 MB a view. Counting
 * cases alone let a few such cases take gigabytes of the host's memory, which the renderer and
 * the inference process share on a clinic PC; forgetting a case costs only decoding it again.
 */
export const DEFAULT_OPEN_CASE_BYTES = 256 * 1024 * 1024;

interface OpenedView {
  image: DecodedImage;
  calibration: Calibration | null;
  sourceName: string;
  /** The U-Net's mask and confidence for this image, once asked for (cached: it never changes). */
  ai: AiSegmentation | null;
}

interface OpenedCase {
  id: string;
  title: string;
  views: { coronal: OpenedView; transverse: OpenedView | null };
  referenceVolumeMl: number | null;
}

export interface Engine extends CaseApi {
  readonly manifest: Manifest;
  /** Volume from masks already at hand (the CLI's --mask mode, the store's re-estimates). */
  estimateFromMasks(masks: MasksInput, options?: EstimateOptions): Promise<DetailedEstimate>;
  /** The RVAE encoder's output for masks (the model chosen as estimateFromMasks would). */
  encodeMasks(
    masks: MasksInput,
  ): Promise<{ mode: RvaeMode; mu: Float32Array; logvar: Float32Array }>;
  /** The AI mask of one image and how sure the U-Net was of it (PIPELINE §3b). */
  segmentGrey(image: DecodedImage['grey']): Promise<AiSegmentation>;
  inferenceInfo(): InferenceInfo;
  close(): Promise<void>;
}

/**
 * True when two decoded images hold the same pixels (a file given for both views, or a copy):
 * the same size and the same bytes (sameMask compares bytes). For grey levels (finite, 0..255)
 * that is comparing values, bar a -0 against a +0; and one picture decodes to the same bits.
 */
function sameImage(a: GreyImage, b: GreyImage): boolean {
  const bytes = (image: GreyImage) =>
    new Uint8Array(image.data.buffer, image.data.byteOffset, image.data.byteLength);
  return a.width === b.width && a.height === b.height && sameMask(bytes(a), bytes(b));
}

/** The bytes a view holds in memory: its decoded pixels and, once computed, its AI mask. */
function viewBytes(view: OpenedView | null): number {
  if (!view) return 0;
  return view.image.grey.data.byteLength + (view.ai?.mask.byteLength ?? 0);
}

function caseBytes(opened: OpenedCase): number {
  return viewBytes(opened.views.coronal) + viewBytes(opened.views.transverse);
}

/** True when a mask has no pixel set. */
function isEmptyMask(mask: Uint8Array): boolean {
  return !mask.some((value) => value !== 0);
}

/**
 * Refuses an AI outline that is empty: the U-Net found no spleen in `image` (named as the reader
 * knows it). Said so, with `whatToDo`, rather than the generic "the mask is empty" meant for an
 * outline the reader erased (src/imaging/grid.ts), which would send them to run the AI that just
 * ran. The engine and the command line (src/cli/case-files.ts) say it alike.
 */
export function refuseIfNoSpleen(ai: AiSegmentation, image: string, whatToDo: string): void {
  if (!isEmptyMask(ai.mask)) return;
  throw new SpvError(
    'bad-input',
    `The AI found no spleen in ${image}: ${whatToDo}. No volume is computed.`,
  );
}

function viewName(view: ViewName): string {
  return view === 'coronal' ? 'coronal' : 'transverse';
}

class SpvEngine implements Engine {
  private readonly cases = new Map<string, OpenedCase>();
  private readonly estimator: VolumeEstimator;
  private sampleRows: CaseRow[] | null = null;

  constructor(
    readonly manifest: Manifest,
    private readonly inference: Inference,
    private readonly info: InferenceInfo,
    private readonly options: EngineOptions & { samplesDir: string },
  ) {
    this.estimator = new VolumeEstimator(manifest, inference, info);
  }

  inferenceInfo(): InferenceInfo {
    return this.info;
  }

  async getStatus(): Promise<Status> {
    const samples = await this.samples().catch(() => []);
    // Asked again: the provider can change at run time (OnnxInference falls back to the CPU when a
    // GPU fails on run()). In place, because the estimator holds this object for its warnings;
    // in process it is the inference's own object already. An inference process that does not
    // answer keeps what was known.
    Object.assign(this.info, await this.inference.info().catch(() => this.info));
    return {
      modelVersion: this.manifest.model_version,
      provider: this.info.provider,
      providersTried: this.info.providersTried,
      host: this.options.host,
      sampleCaseIds: samples.map((row) => row.id),
    };
  }

  async openSample(req: OpenSampleRequest): Promise<CaseView> {
    const id = req.sampleId ?? DEFAULT_SAMPLE_ID;
    const row = (await this.samples()).find((sample) => sample.id === id);
    if (!row)
      throw new SpvError(
        'not-found',
        `There is no sample case "${id}" in ${this.options.samplesDir}/index.csv.`,
      );
    const opened = await this.load(
      { coronalPath: row.coronal, transversePath: row.transverse, spacing: row.spacing },
      `Sample ${row.id}`,
      row.trueVolumeMl,
    );
    return this.caseView(opened);
  }

  async openCase(req: OpenCaseRequest): Promise<CaseView> {
    return this.caseView(await this.load(req, null, null));
  }

  async calibrate(req: CalibrateRequest): Promise<CaseView> {
    const opened = this.getCase(req.caseId);
    const view = this.getView(opened, req.view);
    view.calibration = calibrationFromTwoPoints(req.pointA, req.pointB, req.distanceMm);
    return this.caseView(opened);
  }

  async segment(req: SegmentRequest): Promise<MaskRle> {
    const view = this.getView(this.getCase(req.caseId), req.view);
    const ai = await this.aiSegmentation(view);
    return encodeMaskRle(ai.mask, view.image.grey.width, view.image.grey.height);
  }

  async segmentGrey(image: DecodedImage['grey']): Promise<AiSegmentation> {
    return segmentImage(this.inference, this.manifest, image);
  }

  async estimate(req: EstimateRequest): Promise<Estimate> {
    const opened = this.getCase(req.caseId);
    const masks = this.masksFor(opened, req.masks);
    const caliperLengths = verifiedCaliperLengths(
      req.caliperLines ?? [],
      (view) => this.getView(opened, view).calibration,
      req.caliperLengths,
    );
    this.refuseEmptyAiMasks(opened, masks);
    await this.markUneditedAiMasks(opened, masks);
    const detailed = await this.estimateFromMasks(masks, {
      patient: req.patient,
      caliperLengths,
    });
    // Only the contract's fields cross the API (a Float32Array would not survive JSON).
    return EstimateSchema.parse({ ...detailed, caliperLengths });
  }

  async estimateFromMasks(
    masks: MasksInput,
    options: EstimateOptions = {},
  ): Promise<DetailedEstimate> {
    return this.estimator.estimate(masks, options);
  }

  async encodeMasks(masks: MasksInput) {
    const mode = this.estimator.modeFor(masks);
    return { mode, ...(await this.estimator.encode(mode, masks)) };
  }

  async explain(req: ExplainRequest) {
    return this.estimator.explain(this.masksFor(this.getCase(req.caseId), req.masks));
  }

  async close(): Promise<void> {
    this.cases.clear();
    await this.inference.close();
  }

  // ---- helpers --------------------------------------------------------------------------------

  private async samples(): Promise<CaseRow[]> {
    this.sampleRows ??= (await readCaseIndex(join(this.options.samplesDir, 'index.csv'))).rows;
    return this.sampleRows;
  }

  private async load(
    req: OpenCaseRequest,
    title: string | null,
    referenceVolumeMl: number | null,
  ): Promise<OpenedCase> {
    const decoded = await decodeCaseViews(
      { coronal: req.coronalPath, transverse: req.transversePath },
      req,
      {
        spacing: req.spacing ?? null,
        howToChooseFrame: (view) => `as the ${view} image's frame when opening the case`,
      },
    );
    const openedView = (path: string, image: DecodedImage): OpenedView => ({
      image,
      calibration: image.calibration,
      sourceName: path.split(/[\\/]/).pop() ?? path,
      ai: null,
    });
    const coronal = openedView(req.coronalPath, decoded.coronal);
    const transverse =
      decoded.transverse && req.transversePath
        ? openedView(req.transversePath, decoded.transverse)
        : null;
    if (transverse && sameImage(coronal.image.grey, transverse.image.grey)) {
      // One picture as both views would give a dual-view volume from a single plane.
      throw new SpvError(
        'bad-input',
        `The coronal and transverse images are the same picture (${coronal.sourceName} and ${transverse.sourceName}): give the transverse view its own image, or open the case with the coronal view only.`,
      );
    }
    const opened: OpenedCase = {
      id: randomUUID(),
      title: title ?? coronal.sourceName,
      views: { coronal, transverse },
      referenceVolumeMl,
    };
    this.cases.set(opened.id, opened);
    this.forgetBeyondLimits();
    return opened;
  }

  /**
   * Forgets the cases used longest ago while there are more than the count bound or they hold
   * more than the byte bound. Maps iterate in insertion order, and every use moves a case to the
   * end (getCase): the first key is the case used longest ago, and the last one — the case just
   * opened or used, the one in the reader's viewer — is kept even when it alone is over the bound.
   */
  private forgetBeyondLimits(): void {
    const maxCases = this.options.maxOpenCases ?? DEFAULT_OPEN_CASES;
    const maxBytes = this.options.maxOpenCaseBytes ?? DEFAULT_OPEN_CASE_BYTES;
    let bytes = 0;
    for (const opened of this.cases.values()) bytes += caseBytes(opened);
    for (const [id, opened] of this.cases) {
      if (this.cases.size <= 1 || (this.cases.size <= maxCases && bytes <= maxBytes)) break;
      this.cases.delete(id);
      bytes -= caseBytes(opened);
    }
  }

  private getCase(caseId: string): OpenedCase {
    const opened = this.cases.get(caseId);
    if (!opened)
      throw new SpvError(
        'not-found',
        `Case ${caseId} is not open (it may have been closed): open it again.`,
      );
    // Most recently used last: opening many other cases (an import that runs the AI on a folder)
    // must not forget the case in the viewer while the reader still edits it.
    this.cases.delete(caseId);
    this.cases.set(caseId, opened);
    return opened;
  }

  private getView(opened: OpenedCase, view: ViewName): OpenedView {
    const found = opened.views[view];
    if (!found)
      throw new SpvError(
        'bad-input',
        `This case has no ${viewName(view)} image: add one when opening the case.`,
      );
    return found;
  }

  private async aiSegmentation(view: OpenedView): Promise<AiSegmentation> {
    if (!view.ai) {
      view.ai = await this.segmentGrey(view.image.grey);
      // The mask adds to the case's bytes: the case it belongs to was just used, so it stays.
      this.forgetBeyondLimits();
    }
    return view.ai;
  }

  /**
   * An empty mask that is the U-Net's own unedited answer means the AI found no spleen: said so,
   * naming the image (refuseIfNoSpleen). An empty mask where the AI found one was erased by the
   * reader: the estimator's own message says so.
   */
  private refuseEmptyAiMasks(opened: OpenedCase, masks: MasksInput): void {
    for (const view of ['coronal', 'transverse'] as const) {
      const mask = masks[view];
      const shown = opened.views[view];
      if (!mask || !shown?.ai || !isEmptyMask(mask.mask)) continue;
      refuseIfNoSpleen(
        shown.ai,
        `the ${viewName(view)} image ${shown.sourceName}`,
        'check that it is a view of the spleen, or draw the spleen with the brush or lasso',
      );
    }
  }

  /**
   * A mask identical to the U-Net's own carries the U-Net's confidence, so that the estimate can
   * warn about an uncertain outline nobody has corrected (PIPELINE §3b); an edited or hand-drawn
   * mask carries none. The AI mask is computed here if the case never asked for it (a stored case
   * re-opened in a new process), once per opened image.
   */
  private async markUneditedAiMasks(opened: OpenedCase, masks: MasksInput): Promise<void> {
    if (!this.manifest.segmenter.confidence) return; // models without a level: nothing to warn about
    const pairs: [OpenedView | null, ViewMask | null | undefined][] = [
      [opened.views.coronal, masks.coronal],
      [opened.views.transverse, masks.transverse],
    ];
    for (const [view, mask] of pairs) {
      if (!view || !mask) continue;
      const ai = await this.aiSegmentation(view);
      if (sameMask(ai.mask, mask.mask)) mask.aiConfidence = ai.confidence;
    }
  }

  /** Decode the request's masks and pair each with its image's calibration. */
  private masksFor(opened: OpenedCase, masks: Masks): MasksInput {
    const toViewMask = (view: ViewName, rle: MaskRle): ViewMask => {
      const image = this.getView(opened, view);
      const { width, height } = image.image.grey;
      if (rle.width !== width || rle.height !== height) {
        throw new SpvError(
          'bad-input',
          `The ${view} mask is ${rle.width}×${rle.height} but its image is ${width}×${height}: send a mask of the image's size.`,
        );
      }
      if (!image.calibration) {
        throw new SpvError(
          'not-calibrated',
          `${image.sourceName} has no calibration (no physical pixel size): calibrate it on the depth ruler or give the spacing in mm per pixel; no volume is computed for an uncalibrated image.`,
        );
      }
      const mask = decodeMaskRle(rle);
      // A DICOM with several calibrated regions: the outline takes the scale of the region it lies
      // in, and one outside the regions or across two scales is refused (src/imaging/calibration).
      const spacing = spacingForMask(mask, width, height, image.calibration, `The ${view} outline`);
      return { mask, width, height, spacing };
    };
    return {
      coronal: toViewMask('coronal', masks.coronal),
      transverse: masks.transverse ? toViewMask('transverse', masks.transverse) : null,
    };
  }

  private async viewImage(view: ViewName, opened: OpenedView): Promise<ViewImage> {
    const png = await encodeGreyPng(opened.image.grey);
    return {
      view,
      width: opened.image.grey.width,
      height: opened.image.grey.height,
      pngDataUrl: `data:image/png;base64,${png.toString('base64')}`,
      calibration: opened.calibration,
      sourceName: opened.sourceName,
      ...(opened.image.notices.length > 0 ? { notices: opened.image.notices } : {}),
    };
  }

  private async caseView(opened: OpenedCase): Promise<CaseView> {
    const studyPatient = patientFromStudy(opened.views.coronal.image.meta);
    return {
      caseId: opened.id,
      title: opened.title,
      coronal: await this.viewImage('coronal', opened.views.coronal),
      transverse: opened.views.transverse
        ? await this.viewImage('transverse', opened.views.transverse)
        : null,
      referenceVolumeMl: opened.referenceVolumeMl,
      ...(studyPatient ? { studyPatient } : {}),
    };
  }
}

/** Load and verify the models, start inference, and return the engine. */
export async function createEngine(options: EngineOptions): Promise<Engine> {
  const manifest = await loadManifest(options.modelsDir);
  // Loaded lazily: a host that brings its own inference (Electron's utility process) must never
  // load the native onnxruntime module in its own process.
  const inference =
    options.inference ??
    (await (
      await import('../inference/onnx-inference')
    ).OnnxInference.create(manifest, options.modelsDir, options.sessionOptions));
  const info = await inference.info();
  return new SpvEngine(manifest, inference, info, {
    ...options,
    samplesDir: options.samplesDir ?? join(options.modelsDir, 'samples'),
  });
}
