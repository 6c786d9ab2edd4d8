/**
 * The stored cases open in the engine: each is opened once (images, checked against the content
 * imported, then the reader's calibrations replayed), runs the AI the first time it is seen, and
 * is kept in a small most-recently-used cache so that edits in the engine can be saved against
 * the stored case.
 */
import {
  type CaseApi,
  type CaseView,
  type Estimate,
  type EstimateRequest,
  type MaskRle,
  type Masks,
  type ViewName,
} from '../api/contract';
import { outlineAddedView } from './added-views';
import { SpvError, isSpvError } from '../api/errors';
import { sha256File } from '../inference/manifest-loader';
import type { CaseStore } from '../store/store';
import type { ImageRow } from '../store/types';
import {
  estimableMasks,
  imageSizes,
  latestSavedMasks,
  normalisedPatient,
  outlineMisfits,
  readerPatient,
  type CaseMasks,
  type EstimateToSave,
  type MaskSaver,
} from './saved-masks';
import { AI_NO_VOLUME } from './import-ai-results';
import { userCalibrationOf } from './stored-calibration';

/** A stored case open in the engine: its engine id, the reader and the masks last saved. */
export interface OpenStoredCase extends CaseMasks {
  engineCaseId: string;
  /** Who its viewer edits are saved under: the reader who opened it in the viewer. */
  reader: string;
  sessionId: number | null;
  view: CaseView;
  /**
   * The AI's outlines of views whose saved outline no longer fits the image, not saved because
   * the case is signed off (shown read-only instead of the misaligned ones; saved once it is
   * unlocked and opened again).
   */
  unsavedAiOutlines: Partial<Record<ViewName, MaskRle>>;
  /**
   * Set when the case's views were swapped after it was opened (OpenCases.forgetSwapped): its
   * engine copy has the old labels, so an edit made on it is no edit of the case as it is now.
   */
  viewsSwapped?: boolean;
}

/** Stored cases kept open (below the engine's own limit of 32, which it shares with other opens). */
export const DEFAULT_OPEN_STORED_CASES = 16;

/**
 * The default byte bound of the stored cases kept open: 128 MiB. Each holds its images as PNG data
 * URLs and its last saved masks decoded (1 byte a pixel): a typical 800 × 600 pair is 2–3 MB, so
 * the 16 of the count bound fit, while one of the largest images accepted (8192², see
 * src/decode/bad-input.ts) is some 100 MB a view. Counting cases alone let a few such cases hold
 * gigabytes of the host's memory (the engine bounds its own copies by bytes alike:
 * DEFAULT_OPEN_CASE_BYTES); forgetting a case costs only opening it again.
 */
export const DEFAULT_OPEN_STORED_CASE_BYTES = 128 * 1024 * 1024;

export interface OpenCasesLimits {
  /** How many stored cases are kept open; DEFAULT_OPEN_STORED_CASES by default. */
  maxOpenCases?: number;
  /** Bytes they may hold together (openCaseBytes); by default DEFAULT_OPEN_STORED_CASE_BYTES. */
  maxOpenCaseBytes?: number;
}

/**
 * The bytes an open stored case holds: its images' data URLs (one byte a character: base64) and
 * its last saved masks, decoded. The rest (ids, notices, RLE outlines) is small beside them.
 */
export function openCaseBytes(open: OpenStoredCase): number {
  let bytes = 0;
  for (const image of [open.view.coronal, open.view.transverse])
    if (image) bytes += image.pngDataUrl.length;
  for (const saved of Object.values(open.latest)) if (saved) bytes += saved.mask.byteLength;
  return bytes;
}

export class OpenCases {
  private readonly byEngineId = new Map<string, OpenStoredCase>();
  /** Engine ids of stored cases whose views were swapped since (see swappedCaseOf). */
  private readonly swappedEngineIds = new Map<string, number>();
  private readonly byCaseId = new Map<number, OpenStoredCase>();
  /** The stored case last opened for the reader's viewer (openInViewer). */
  private viewerCaseId: number | null = null;

  constructor(
    private readonly store: CaseStore,
    private readonly engine: CaseApi,
    private readonly saver: MaskSaver,
    private readonly limits: OpenCasesLimits = {},
  ) {}

  /** The open stored case behind an engine case id, if the engine case is a stored one. */
  byEngineCaseId(engineCaseId: string): OpenStoredCase | undefined {
    return this.byEngineId.get(engineCaseId);
  }

  /** Opens a stored case for the reader's viewer, which keeps it open while others come and go. */
  async openInViewer(
    caseId: number,
    reader: string,
    sessionId: number | null,
  ): Promise<OpenStoredCase> {
    const open = await this.open(caseId, reader, sessionId);
    // The viewer's reader is the one its edits are saved under (an export opening the same
    // case meanwhile must not change that).
    open.reader = reader;
    this.viewerCaseId = open.caseId;
    return open;
  }

  /**
   * Opens a stored case in the engine (once), running the AI the first time the case is seen.
   * `reader` is recorded only when the case is not open yet: callers that save pass their own
   * actor to each save, and the viewer's reader is set by openInViewer.
   */
  async open(caseId: number, reader: string, sessionId: number | null): Promise<OpenStoredCase> {
    const known = this.byCaseId.get(caseId);
    if (known) {
      known.sessionId = sessionId ?? known.sessionId;
      // Most recently used last: the Map's order is the eviction order.
      this.byCaseId.delete(caseId);
      this.byCaseId.set(caseId, known);
      // Unlocked since it was opened signed off: its AI outlines that fit can be saved now.
      if (Object.keys(known.unsavedAiOutlines).length > 0) await this.refit(known);
      await this.outlineAddedView(known);
      return known;
    }
    const images = this.store.images(caseId);
    const coronal = images.find((i) => i.view === 'coronal');
    if (!coronal)
      throw new SpvError(
        'bad-input',
        `Case ${caseId} has no coronal image: import one first (…_coronal.png or a DICOM of its study: Import in the Review tab, or spv import PATH). A <name>_transverse file joins its <name>_coronal's case only from the same folder.`,
      );
    const transverse = images.find((i) => i.view === 'transverse') ?? null;
    for (const image of [coronal, transverse]) if (image) await assertUnchanged(image);
    let view = await this.engine.openCase({
      coronalPath: coronal.originalPath,
      transversePath: transverse?.originalPath ?? null,
      // The frame chosen at import, for a multi-frame file.
      coronalFrame: storedFrame(coronal),
      transverseFrame: transverse ? storedFrame(transverse) : null,
    });
    // Replay the reader's depth-ruler calibrations, so the case reopens as it was calibrated.
    for (const image of [coronal, transverse]) {
      const replay = image?.calibration ? userCalibrationOf(image.calibration) : null;
      if (image && replay)
        view = await this.engine.calibrate({ caseId: view.caseId, view: image.view, ...replay });
    }
    const open: OpenStoredCase = {
      caseId,
      engineCaseId: view.caseId,
      reader,
      sessionId,
      view,
      latest: await latestSavedMasks(this.store, caseId, imageSizes(view)),
      unsavedAiOutlines: {},
    };
    this.byCaseId.set(caseId, open);
    this.byEngineId.set(view.caseId, open);
    // The ids of an older copy a viewer still sends (forgetImagesChanged) find this one now.
    for (const [engineId, known] of this.byEngineId)
      if (known.caseId === caseId && known !== open) this.byEngineId.set(engineId, open);
    this.forgetBeyondLimits(caseId);
    if (!this.store.latestMask(caseId, 'coronal', 'ai')) await this.runAi(open);
    else await this.refit(open);
    await this.outlineAddedView(open);
    return open;
  }

  /**
   * A view imported after the AI ran on the case is outlined, and the case estimated with both
   * views, whoever opens it (the viewer, an import with the AI, a report, Accept AI): see
   * added-views.ts. Nothing to do (a few reads) for any other case.
   */
  private async outlineAddedView(open: OpenStoredCase): Promise<void> {
    await outlineAddedView(
      { store: this.store, openCases: this, modelHash: this.saver.modelHash },
      open,
      open.reader,
    );
  }

  /**
   * The views whose saved outline no longer fits the image (outlineMisfits) get the AI's outline
   * at the image's size, saved as a new AI version, so that the viewer and every estimate work on
   * an outline of this image; the saved ones are left as they are. A signed-off case is not
   * changed: the outline is kept in memory and shown read-only.
   */
  private async refit(open: OpenStoredCase): Promise<void> {
    const misfits = outlineMisfits(this.store, open.caseId, imageSizes(open.view));
    const outlines: Partial<Record<ViewName, MaskRle>> = {};
    for (const misfit of misfits.filter((m) => !m.refitted))
      outlines[misfit.view] =
        open.unsavedAiOutlines[misfit.view] ??
        (await this.engine.segment({ caseId: open.engineCaseId, view: misfit.view }));
    if (Object.keys(outlines).length === 0) {
      open.unsavedAiOutlines = {};
      return;
    }
    if (this.store.getCase(open.caseId).status === 'signed-off') {
      open.unsavedAiOutlines = outlines;
      return;
    }
    await this.saver.saveAiOutlines(open, outlines);
    open.unsavedAiOutlines = {};
    this.store.audit('model', 'mask.refit', open.caseId, {
      reason: 'the saved outline no longer fits the image (its size changed)',
      views: misfits
        .filter((m) => outlines[m.view])
        .map((m) => ({
          view: m.view,
          savedAt: m.savedAt,
          savedSize: m.savedSize,
          imageSize: m.imageSize,
        })),
    });
  }

  /**
   * An estimate of an open stored case. The engine forgets its oldest cases; when it has
   * forgotten this one, the case is opened again (same images, same calibration) and retried.
   */
  async estimate(open: OpenStoredCase, req: Omit<EstimateRequest, 'caseId'>): Promise<Estimate> {
    // The engine's answer is the contract's Estimate already (Engine.estimate parses it there,
    // where its internal estimate becomes the API's): not parsed again here.
    try {
      return await this.engine.estimate({ ...req, caseId: open.engineCaseId });
    } catch (error) {
      if (!(isSpvError(error) && error.code === 'not-found')) throw error;
      this.forget(open.caseId);
      const again = await this.open(open.caseId, open.reader, open.sessionId);
      // The viewer keeps the id it was given: it goes on finding the case under it.
      this.byEngineId.set(open.engineCaseId, again);
      return this.engine.estimate({ ...req, caseId: again.engineCaseId });
    }
  }

  /**
   * The AI's outline of one view of an open stored case; opened again and retried when the engine
   * has forgotten it (as estimate does).
   */
  async segment(open: OpenStoredCase, view: ViewName): Promise<MaskRle> {
    try {
      return await this.engine.segment({ caseId: open.engineCaseId, view });
    } catch (error) {
      if (!(isSpvError(error) && error.code === 'not-found')) throw error;
      this.forget(open.caseId);
      const again = await this.open(open.caseId, open.reader, open.sessionId);
      this.byEngineId.set(open.engineCaseId, again);
      return this.engine.segment({ caseId: again.engineCaseId, view });
    }
  }

  /**
   * An estimate to save: the estimate, with the calibration read before the engine ran (so that a
   * recalibration meanwhile makes it stale, never fresh) and the patient and calipers it used.
   */
  async estimateToSave(
    open: OpenStoredCase,
    req: Omit<EstimateRequest, 'caseId'>,
  ): Promise<EstimateToSave> {
    const calibration = this.store.calibrationOf(open.caseId);
    const estimate = await this.estimate(open, req);
    return {
      estimate,
      calibration,
      patient: normalisedPatient(req.patient),
      // Always the same key order, so that unchanged calipers compare equal.
      caliperLines: (req.caliperLines ?? []).map(({ view, kind, a, b }) => ({ view, kind, a, b })),
    };
  }

  /**
   * Each open case holds its images as PNG data URLs and its masks: the oldest are forgotten until
   * the rest are within the count and byte bounds. Two stay whatever their size: the case in the
   * reader's viewer (its edits must keep being saved under it) and `opening`, the case just opened
   * (about to be used).
   */
  private forgetBeyondLimits(opening: number): void {
    const maxCases = this.limits.maxOpenCases ?? DEFAULT_OPEN_STORED_CASES;
    const maxBytes = this.limits.maxOpenCaseBytes ?? DEFAULT_OPEN_STORED_CASE_BYTES;
    let bytes = 0;
    for (const open of this.byCaseId.values()) bytes += openCaseBytes(open);
    for (const [caseId, open] of [...this.byCaseId]) {
      if (this.byCaseId.size <= maxCases && bytes <= maxBytes) break;
      if (caseId === this.viewerCaseId || caseId === opening) continue;
      this.forget(caseId);
      bytes -= openCaseBytes(open);
    }
  }

  /**
   * Forgets a stored case whose views were just swapped (CaseStore.swapViews): its open copy has
   * the old labels. The next open opens its images again, the new way round; a viewer's edit still
   * on its way under the old copy is marked (viewsSwapped) so that it is not saved.
   */
  forgetSwapped(caseId: number): void {
    const open = this.byCaseId.get(caseId);
    if (open) open.viewsSwapped = true;
    for (const [engineId, known] of this.byEngineId)
      if (known.caseId === caseId) {
        // An older copy too (forgetImagesChanged): an edit queued under it is no edit of the case.
        known.viewsSwapped = true;
        this.swappedEngineIds.set(engineId, caseId);
      }
    this.forget(caseId);
  }

  /**
   * Forgets a stored case that an import gave another image (a view added): its open copy was
   * opened without it, so the next open opens the case with all its images. Its engine ids are
   * kept: a viewer showing the case goes on saving its edits under the id it has (they are the
   * reader's, never dropped), and the next open takes them over (see open).
   */
  forgetImagesChanged(caseId: number): void {
    this.byCaseId.delete(caseId);
  }

  /**
   * The stored case whose views were swapped after its engine copy `engineCaseId` was made: an
   * edit still sent under that id (a viewer not yet reloaded, a second window) was drawn on the
   * images the old way round. Undefined for any other id.
   */
  swappedCaseOf(engineCaseId: string): number | undefined {
    return this.swappedEngineIds.get(engineCaseId);
  }

  private forget(caseId: number): void {
    this.byCaseId.delete(caseId);
    // Its own engine id and any older ones a viewer still sends (see estimate and
    // forgetImagesChanged).
    for (const [engineId, known] of this.byEngineId)
      if (known.caseId === caseId) this.byEngineId.delete(engineId);
  }

  private async runAi(open: OpenStoredCase): Promise<void> {
    const coronal = await this.engine.segment({ caseId: open.engineCaseId, view: 'coronal' });
    const transverse = open.view.transverse
      ? await this.engine.segment({ caseId: open.engineCaseId, view: 'transverse' })
      : null;
    const masks: Masks = { coronal, transverse };
    const usable = estimableMasks(open.view, masks);
    if (!usable) {
      // No calibration, no volume: keep the AI masks, leave the case 'new' until it is calibrated.
      await this.saver.save(open, masks, null, 'model', 'ai');
      return;
    }
    let estimate: EstimateToSave | null = null;
    let noVolume: string | null = null;
    try {
      // With the header's patient inputs (no reader has given any yet): the worklist's verdicts of
      // a child's case are then the child's.
      const patient = readerPatient(this.store, open.caseId, open.view);
      estimate = await this.estimateToSave(open, { masks: usable, patient });
    } catch (error) {
      // The AI's outline gives no volume (empty, too large for the grid, across two regions): its
      // masks are kept all the same, for the reader to correct; the reason goes in the audit log
      // and comes back as the estimate's error when the case is opened.
      if (!isSpvError(error) || error.code !== 'bad-input') throw error;
      noVolume = error.message;
    }
    await this.saver.save(open, masks, estimate, 'model', 'ai');
    if (noVolume !== null)
      this.store.audit('model', AI_NO_VOLUME, open.caseId, { reason: noVolume });
    if (this.store.getCase(open.caseId).status === 'new')
      this.store.setStatus(open.caseId, 'ai-ready', 'model');
  }
}

/** The frame of a multi-frame image chosen at import (src/store/import.ts), else null. */
function storedFrame(image: ImageRow): number | null {
  return typeof image.meta.frame === 'number' ? image.meta.frame : null;
}

/**
 * Refuses an image whose file is gone or is no longer the file imported (same SHA-256 as at
 * import): a stored case, signed off or not, must never show or report another image.
 */
async function assertUnchanged(image: ImageRow): Promise<void> {
  let hash: string;
  try {
    hash = await sha256File(image.originalPath);
  } catch {
    throw new SpvError(
      'not-found',
      `The ${image.view} image of case ${image.caseId} is no longer at ${image.originalPath}, where it was imported from: put the file back there, or import it from where it is now (the same file is found again).`,
    );
  }
  if (hash !== image.contentHash) {
    throw new SpvError(
      'bad-input',
      `The file at ${image.originalPath} changed since it was imported as the ${image.view} image of case ${image.caseId}: it is not the image that was reviewed. Put the original file back there; a new image belongs in a new import.`,
    );
  }
}
