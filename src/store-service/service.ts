/**
 * The store service: the StoreApi half of the API (src/api/store-contract.ts), over the cases
 * database and the engine. It also fronts the engine's CaseApi so that every estimate of a stored
 * case is persisted as it happens (mask versions, estimate, audit): the UI edits as usual and
 * nothing is lost, while a signed-off case's changes are refused until it is unlocked.
 *
 * The work is done by its parts: the stored cases open in the engine (open-cases.ts), saving
 * their masks (saved-masks.ts) and calipers (calipers.ts), and exports (exports.ts).
 */
import { createHash } from 'node:crypto';
import {
  type CalibrateRequest,
  type CaseApi,
  type CaseView,
  type EditOrder,
  type Estimate,
  type EstimateRequest,
  type MaskRle,
  type Masks,
  type Patient,
  type ViewName,
} from '../api/contract';
import { SpvError } from '../api/errors';
import type { SpvApi } from '../api/index';
import type {
  CaseDetail,
  CaseRequest,
  CaseSummary,
  CreateSessionRequest,
  ExportReportRequest,
  ExportSessionRequest,
  ExportedFile,
  FlagCaseRequest,
  ImportPathsRequest,
  ImportReport,
  ListCasesRequest,
  ReportFormat,
  OpenStoredCaseRequest,
  AcceptAiRequest,
  RecordTimeRequest,
  SaveCorrectionRequest,
  SavePatientInputsRequest,
  SessionDetail,
  SessionListItem,
  SessionRequest,
  SessionSummary,
  SignOffRequest,
  StoredCaseView,
  SwapViewsRequest,
  UnlockCaseRequest,
  WorklistEntry,
} from '../api/store-contract';
import { manifestFiles, type Manifest } from '../models/manifest';
import { summariseSession } from '../reports/session-summary';
import { importPaths, type ImportProgress } from '../store/import';
import { CaseStore } from '../store/store';
import { transverseAddedAfterAi } from './added-views';
import { readerCalipers, savedCaliperLines } from './calipers';
import { CaseExports } from './exports';
import { importAiResult } from './import-ai-results';
import { OpenCases, type OpenStoredCase } from './open-cases';
import {
  estimableMasks,
  fits,
  imageSizes,
  MaskSaver,
  misfitNotice,
  normalisedPatient,
  outlineMisfits,
  readerPatient,
  repeatsLatestEstimate,
  storedMasks,
  type ImageSizes,
} from './saved-masks';
import { SavedEditOrder } from './save-order';
import { storedCalibration } from './stored-calibration';
import { caseDetail, caseSummary, sessionDetail } from './summaries';
import { swapStoredViews } from './swap-views';

/** What the service needs of the engine: the CaseApi, and the manifest for the model hash. */
export type EngineLike = CaseApi & { readonly manifest?: Manifest };

export interface StoreServiceOptions {
  dataDir: string;
  engine: EngineLike;
  /** Import progress (the CLI draws a bar on stderr). */
  onImportProgress?: (progress: ImportProgress) => void;
}

const toId = (text: string): number => Number(text);

/** The warning on an estimate of a signed-off case that asked for a change (it is not saved). */
export const SIGNED_OFF_NOT_SAVED =
  'This case is signed off: this change is not saved. Unlock it with a reason to change it.';

/** One hash that names the exact model files (SHA-256 over the manifest's file hashes). */
export function modelHashOf(manifest: Manifest | undefined): string {
  if (!manifest) return 'unknown';
  const hash = createHash('sha256');
  for (const f of manifestFiles(manifest)) hash.update(`${f.role}:${f.sha256}\n`);
  return hash.digest('hex');
}

export class StoreService implements SpvApi {
  readonly store: CaseStore;
  private readonly engine: EngineLike;
  private readonly saver: MaskSaver;
  private readonly openCases: OpenCases;
  private readonly exports: CaseExports;
  /** The newest edit of each viewer saved per case: an older one arriving late is not saved. */
  private readonly savedOrder = new SavedEditOrder();
  /**
   * The same for the patient inputs, which an edit, an estimate or a save of the inputs alone
   * carries: the newest that reached the store is kept, whichever kind of request brought it.
   */
  private readonly patientOrder = new SavedEditOrder();
  readonly modelHash: string;

  constructor(private readonly options: StoreServiceOptions) {
    this.store = CaseStore.open(options.dataDir);
    this.engine = options.engine;
    this.modelHash = modelHashOf(options.engine.manifest);
    this.saver = new MaskSaver(this.store, this.modelHash);
    this.openCases = new OpenCases(this.store, this.engine, this.saver);
    this.exports = new CaseExports(this.store, this.engine, this.openCases, options.dataDir);
  }

  close(): void {
    this.store.close();
  }

  // ---- the engine half, with persistence of stored cases --------------------------------------

  getStatus: CaseApi['getStatus'] = () => this.engine.getStatus();
  openSample: CaseApi['openSample'] = (req) => this.engine.openSample(req);
  openCase: CaseApi['openCase'] = (req) => this.engine.openCase(req);
  segment: CaseApi['segment'] = (req) =>
    this.engine.segment({ ...req, caseId: this.engineCaseId(req.caseId) });
  explain: CaseApi['explain'] = (req) =>
    this.engine.explain({ ...req, caseId: this.engineCaseId(req.caseId) });

  /**
   * The engine's id now for the case a viewer knows as `caseId`: a stored case the engine forgot
   * and the service opened again has a new one, while the viewer keeps sending the old.
   */
  private engineCaseId(caseId: string): string {
    return this.openCases.byEngineCaseId(caseId)?.engineCaseId ?? caseId;
  }

  async calibrate(req: CalibrateRequest): Promise<CaseView> {
    // A signed-off case keeps the calibration its volume was signed with: refused before the
    // engine changes anything.
    const open = this.openCases.byEngineCaseId(req.caseId);
    if (open) this.store.assertEditable(open.caseId);
    const view = await this.engine.calibrate({ ...req, caseId: open?.engineCaseId ?? req.caseId });
    const calibration = (req.view === 'coronal' ? view.coronal : view.transverse)?.calibration;
    if (open && calibration) {
      this.store.setImageCalibration(
        open.caseId,
        req.view,
        storedCalibration(calibration, req),
        open.reader,
      );
      open.view = view;
    }
    // The engine names a case after its coronal file; a stored case keeps the title the worklist
    // gives it (the viewer shows the view answered here), which a calibration does not change.
    return open ? { ...view, title: this.store.getCase(open.caseId).title } : view;
  }

  async estimate(req: EstimateRequest): Promise<Estimate> {
    const open = this.openCases.byEngineCaseId(req.caseId);
    if (!open) {
      // Drawn on a stored case's images before its views were swapped: not saved, and said so (the
      // bare engine would answer it from the old copy as if nothing had happened).
      const swapped = this.openCases.swappedCaseOf(req.caseId);
      if (swapped !== undefined) throw drawnBeforeSwap(swapped);
      // The contract's Estimate already (OpenCases.estimate says why it is not parsed again).
      return this.engine.estimate(req);
    }
    if (this.store.getCase(open.caseId).status === 'signed-off') {
      const { caseId: _engineCaseId, editOrder: _editOrder, ...sent } = req;
      const inputs = { ...sent, patient: this.patientFor(open, sent.patient) };
      const answer = await this.openCases.estimateToSave(open, inputs);
      // The viewer estimates a case as it shows it (on opening, right after sign-off) from the
      // latest estimate's own inputs: that is no change, and saying "not saved" would be false.
      if (await repeatsLatestEstimate(this.store, open.caseId, req.masks, answer))
        return answer.estimate;
      return {
        ...answer.estimate,
        warnings: [...answer.estimate.warnings, SIGNED_OFF_NOT_SAVED],
      };
    }
    return this.whileSaving(open.caseId, async () => {
      const { caseId: _engineCaseId, editOrder, ...sent } = req;
      const inputs = { ...sent, patient: this.patientFor(open, sent.patient) };
      // Sent before the views were swapped (queued behind the swap): drawn on the images the old
      // way round, so saving it would put each outline on the other image.
      if (open.viewsSwapped) throw drawnBeforeSwap(open.caseId);
      if (this.savedOrder.isSuperseded(open.caseId, editOrder)) {
        // A newer edit of the same viewer reached the store first (over the web host, requests
        // can overtake each other): this one is estimated and answered (the viewer drops a stale
        // answer) but not saved, so the case's latest masks and latest estimate, which sign-off
        // signs, stay the newer edit's. Its patient inputs and calipers are no newer either.
        return this.openCases.estimate(open, inputs);
      }
      this.keepPatientInputs(open.caseId, sent.patient, editOrder);
      let toSave;
      try {
        toSave = await this.openCases.estimateToSave(open, inputs);
      } catch (error) {
        // The edit is kept even when it has no volume (an empty mask, one outside the grid):
        // only the stroke in progress may ever be lost.
        await this.saver.save(open, req.masks, null, open.reader, 'manual');
        this.savedOrder.recordSaved(open.caseId, editOrder);
        throw error;
      }
      const calipers = readerCalipers(toSave.estimate, req);
      await this.saver.save(open, req.masks, toSave, open.reader, 'manual', calipers);
      this.savedOrder.recordSaved(open.caseId, editOrder);
      return toSave.estimate;
    });
  }

  async savePatientInputs(req: SavePatientInputsRequest): Promise<CaseSummary> {
    const caseId = toId(req.caseId);
    this.store.assertEditable(caseId);
    return this.whileSaving(caseId, async () => {
      // Kept unless a newer request of the viewer brought inputs first. Not recorded among the
      // saved masks: it holds none, so an older edit's masks arriving after it still land.
      this.keepPatientInputs(caseId, req.patient, req.editOrder);
      return this.summaryOf(caseId);
    });
  }

  /**
   * Per stored case with a save under way or queued, the end of its queue of saves (sign-off
   * refuses while a case has one).
   */
  private readonly saveQueues = new Map<number, Promise<void>>();

  /**
   * Runs an estimate-and-save of a stored case after the ones asked for before it: the reader's
   * edits land in the order they reach the service, even when two are in flight (a stroke's
   * estimate and the one sent as the reader opens the next case), and sign-off sees them in
   * flight. Where the transport may reorder them (the web host), their edit order keeps an older
   * edit that arrives late from being saved (savedOrder).
   */
  private async whileSaving<T>(caseId: number, work: () => Promise<T>): Promise<T> {
    const run = this.savesSettled(caseId).then(work);
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    this.saveQueues.set(caseId, tail);
    try {
      return await run;
    } finally {
      // The last save of the queue leaves it empty.
      if (this.saveQueues.get(caseId) === tail) this.saveQueues.delete(caseId);
    }
  }

  /**
   * The reader's patient inputs as an edit or estimate of the viewer sent them (not sent: nothing
   * to keep), so that the case opens with them again even when no estimate holds them.
   */
  private keepPatientInputs(
    caseId: number,
    patient: Patient | null | undefined,
    editOrder: EditOrder | null | undefined,
  ): void {
    // Not sent, or older than inputs a newer request of the same viewer brought first.
    if (patient === undefined || this.patientOrder.isSuperseded(caseId, editOrder)) return;
    this.store.setPatientInputs(caseId, normalisedPatient(patient));
    this.patientOrder.recordSaved(caseId, editOrder);
  }

  /**
   * The patient inputs an estimate of stored case `open` is made with: those the request sent,
   * else the case's (readerPatient: an API caller that sends none does not erase them).
   */
  private patientFor(open: OpenStoredCase, sent: Patient | null | undefined): Patient | null {
    return sent !== undefined ? sent : readerPatient(this.store, open.caseId, open.view);
  }

  /** Resolves once every save of the case asked for so far is done (failed ones included). */
  private savesSettled(caseId: number): Promise<void> {
    return this.saveQueues.get(caseId) ?? Promise.resolve();
  }

  // ---- cases ----------------------------------------------------------------------------------

  async importPaths(req: ImportPathsRequest): Promise<ImportReport> {
    const report = await importPaths(this.store, req.paths, {
      actor: 'import',
      onProgress: this.options.onImportProgress,
      frame: req.frame,
    });
    // A case given another image: a copy of it open in the engine was opened without it.
    for (const caseId of report.caseIds) this.openCases.forgetImagesChanged(toId(caseId));
    if (req.runAi) {
      const aiErrors = new Map<string, string>();
      // The cases given images, and those whose moved file was found again: the AI may never have
      // run on one of these (its file was gone when the case was opened), and the reader asked.
      const aiCases = [
        ...new Set([...report.caseIds, ...report.relocated.map((r) => r.caseId)]),
      ].sort((a, b) => Number(a) - Number(b));
      for (const caseId of aiCases) {
        try {
          // The AI runs on a case it has not run on, and on a view added since it ran.
          // (Opening does both: OpenCases.open.)
          const id = toId(caseId);
          if (!this.store.latestMask(id, 'coronal', 'ai') || transverseAddedAfterAi(this.store, id))
            await this.openCases.open(id, 'import', null);
        } catch (error) {
          // One case the AI cannot run on (an unreadable moved file, …) does not undo the import.
          // A case, not a file: reported apart from the files that failed to import.
          const message = error instanceof Error ? error.message : String(error);
          aiErrors.set(caseId, message);
          report.aiFailed.push({ caseId, reason: message });
        }
      }
      // What the AI stored for each case (a case it had run on before: its latest estimate).
      report.ai = aiCases.map((caseId) =>
        importAiResult(this.store, toId(caseId), aiErrors.get(caseId) ?? null),
      );
    }
    return report;
  }

  async listCases(req: ListCasesRequest): Promise<CaseSummary[]> {
    return this.store.listCases(req.status ?? null).map((row) => caseSummary(this.store, row));
  }

  async getCase(req: CaseRequest): Promise<CaseDetail> {
    return caseDetail(this.store, toId(req.caseId));
  }

  async openStoredCase(req: OpenStoredCaseRequest): Promise<StoredCaseView> {
    // A reader back on a case left a moment ago gets the masks of every edit sent before.
    await this.savesSettled(toId(req.caseId));
    const open = await this.openCases.openInViewer(
      toId(req.caseId),
      req.reader,
      req.sessionId ? toId(req.sessionId) : null,
    );
    const row = this.store.getCase(open.caseId);
    if (row.status === 'ai-ready' || row.status === 'new')
      this.store.setStatus(open.caseId, 'in-review', req.reader);
    const status = this.store.getCase(open.caseId).status;
    // Saved outlines that no longer fit the image are never drawn: the AI's outline at the image's
    // size stands in (saved by OpenCases.refit, or in memory for a signed-off case), and the view
    // says why (outlineMisfits).
    const sizes = imageSizes(open.view);
    const fitting = (masks: Masks | null) => fittingMasks(masks, sizes, open.unsavedAiOutlines);
    const aiMasks = fitting(await storedMasks(this.store, open.caseId, 'ai'));
    const currentMasks = fitting(await storedMasks(this.store, open.caseId));
    const misfits = outlineMisfits(this.store, open.caseId, sizes);
    const latest = this.store.latestEstimate(open.caseId);
    return {
      caseId: String(open.caseId),
      view: withNotices(
        open.view,
        misfits.map((m) => ({ view: m.view, notice: misfitNotice(m, status === 'signed-off') })),
      ),
      status,
      locked: status === 'signed-off',
      aiMasks,
      currentMasks,
      estimate: latest?.estimate ?? null,
      estimateId: latest ? String(latest.id) : null,
      // The reader's own inputs again: those the latest estimate used, unless newer ones were sent
      // without an estimate (typed before calibrating). Its first estimate then repeats the saved
      // one instead of replacing it.
      patient: this.patientFor(open, undefined),
      caliperLines: latest ? savedCaliperLines(this.store, open.caseId, latest) : [],
    };
  }

  async acceptAi(req: AcceptAiRequest): Promise<CaseSummary> {
    const caseId = toId(req.caseId);
    // Accepting replaces the final masks: a signed-off case needs an unlock with a reason first.
    this.store.assertEditable(caseId);
    return this.whileSaving(caseId, async () => {
      const open = await this.openCases.open(caseId, req.reader, null);
      const aiMasks = await storedMasks(this.store, caseId, 'ai');
      if (!aiMasks) throw new SpvError('bad-input', `Case ${caseId} has no AI mask to accept.`);
      // Accepting makes the AI's masks the final ones again (a new version if a correction came
      // between). The reader's patient inputs and calipers do not depend on the mask: kept.
      const last = this.store.latestEstimate(caseId);
      const inputs = {
        // An uncalibrated transverse view is left out of the volume, as in the viewer.
        masks: estimableMasks(open.view, aiMasks) ?? aiMasks,
        patient: readerPatient(this.store, caseId, open.view),
        caliperLines: last ? savedCaliperLines(this.store, caseId, last) : null,
      };
      const estimate = await this.openCases.estimateToSave(open, inputs);
      const calipers = readerCalipers(estimate.estimate, inputs);
      await this.saver.save(open, aiMasks, estimate, req.reader, 'ai', calipers);
      // An edit the viewer sent before accepting that arrives after it is not saved over it.
      this.savedOrder.recordSaved(caseId, req.editOrder);
      this.store.transaction(() => {
        this.store.setStatus(caseId, 'in-review', req.reader);
        this.store.audit(req.reader, 'case.accept-ai', caseId, {
          volumeMl: estimate.estimate.volumeMl,
        });
      });
      return this.summaryOf(caseId);
    });
  }

  async saveCorrection(req: SaveCorrectionRequest): Promise<CaseSummary> {
    const caseId = toId(req.caseId);
    this.store.assertEditable(caseId);
    return this.whileSaving(caseId, async () => {
      // A newer edit of the same viewer was saved first (requests overtaking each other over the
      // web host): this older one is answered but not saved (see estimate).
      if (this.savedOrder.isSuperseded(caseId, req.editOrder)) return this.summaryOf(caseId);
      // Drawn on the case's view from before a swap of its views: each outline is the other
      // image's now.
      if (req.viewCaseId !== undefined && this.openCases.swappedCaseOf(req.viewCaseId) === caseId)
        throw drawnBeforeSwap(caseId);
      // Kept even when no estimate is: typed on a case not yet calibrated, they would be lost.
      this.keepPatientInputs(caseId, req.patient, req.editOrder);
      const open = await this.openCases.open(caseId, req.reader, null);
      const calibrated = open.view.coronal.calibration !== null;
      if (req.masksOnly || !calibrated) {
        // The edit alone: an uncalibrated case has no volume yet, and the viewer saves each edit
        // at once, whatever its estimate does (sign-off refuses until an estimate catches up).
        await this.saver.save(open, req.masks, null, req.reader, 'manual');
        this.savedOrder.recordSaved(caseId, req.editOrder);
        return this.summaryOf(caseId);
      }
      const estimate = await this.openCases.estimateToSave(open, {
        masks: req.masks,
        patient: this.patientFor(open, req.patient),
        caliperLengths: req.caliperLengths,
        // The lines too: the engine measures them and refuses a length that is not its line's.
        caliperLines: req.caliperLines,
      });
      const calipers = readerCalipers(estimate.estimate, req);
      await this.saver.save(open, req.masks, estimate, req.reader, 'manual', calipers);
      this.savedOrder.recordSaved(caseId, req.editOrder);
      return this.summaryOf(caseId);
    });
  }

  async flagCase(req: FlagCaseRequest): Promise<CaseSummary> {
    this.store.flag(toId(req.caseId), req.reader, req.comment);
    return this.summaryOf(toId(req.caseId));
  }

  async signOff(req: SignOffRequest): Promise<CaseSummary> {
    const caseId = toId(req.caseId);
    if (this.saveQueues.has(caseId)) {
      throw new SpvError(
        'bad-input',
        `Case ${caseId}: the estimate of the latest edit has not finished, so the volume on screen may not be the one on record. Wait for the volume to update, check it, then sign off.`,
      );
    }
    this.store.signOff(
      caseId,
      req.reader,
      req.estimateId ? toId(req.estimateId) : undefined,
      req.checked,
    );
    return this.summaryOf(toId(req.caseId));
  }

  async swapViews(req: SwapViewsRequest): Promise<CaseSummary> {
    const caseId = toId(req.caseId);
    // Refused before anything waits: a signed-off case needs an unlock with a reason first.
    this.store.assertEditable(caseId);
    return this.whileSaving(caseId, async () => {
      await swapStoredViews(
        { store: this.store, openCases: this.openCases, modelHash: this.modelHash },
        caseId,
        req.reader,
        // Once swapped, an edit of this viewer sent before the swap (drawn on the images the old
        // way round) is never saved: the swap counts as the viewer's newest saved edit.
        () => this.savedOrder.recordSaved(caseId, req.editOrder),
      );
      return this.summaryOf(caseId);
    });
  }

  async unlockCase(req: UnlockCaseRequest): Promise<CaseSummary> {
    this.store.unlock(toId(req.caseId), req.reader, req.reason);
    return this.summaryOf(toId(req.caseId));
  }

  private summaryOf(caseId: number): CaseSummary {
    return caseSummary(this.store, this.store.getCase(caseId));
  }

  // ---- sessions -------------------------------------------------------------------------------

  async createSession(req: CreateSessionRequest): Promise<SessionDetail> {
    const title =
      req.title?.trim() || `Review ${new Date().toISOString().slice(0, 16).replace('T', ' ')}`;
    const id = this.store.createSession(req.reader, req.caseIds.map(toId), title);
    return sessionDetail(this.store, id);
  }

  async listSessions(): Promise<SessionListItem[]> {
    return this.store.listSessions().map((s) => {
      const entries = this.store.sessionCases(s.id);
      return {
        sessionId: String(s.id),
        title: s.title,
        reader: s.reader,
        createdAt: s.createdAt,
        caseCount: entries.length,
        signedOffCount: entries.filter((e) => this.store.getCase(e.caseId).status === 'signed-off')
          .length,
      };
    });
  }

  async getSession(req: SessionRequest): Promise<SessionDetail> {
    return sessionDetail(this.store, toId(req.sessionId));
  }

  async recordTimeSpent(req: RecordTimeRequest): Promise<WorklistEntry> {
    const session = this.store.getSession(toId(req.sessionId));
    const row = this.store.addTimeSpent(session.id, toId(req.caseId), req.ms, session.reader);
    return {
      position: row.position,
      timeSpentMs: row.timeSpentMs,
      case: this.summaryOf(row.caseId),
    };
  }

  async sessionSummary(req: SessionRequest): Promise<SessionSummary> {
    const { pngs: _pngs, ...summary } = await summariseSession(this.store, toId(req.sessionId));
    return summary;
  }

  // ---- exports --------------------------------------------------------------------------------

  async exportSession(req: ExportSessionRequest): Promise<ExportedFile[]> {
    return this.exports.exportSession(toId(req.sessionId), req.anonymise ?? false);
  }

  /** Writes the session's summary CSV, its plots and each estimated case's PDF into `folder`. */
  async exportSessionTo(
    sessionId: number,
    folder: string,
    anonymise = false,
  ): Promise<ExportedFile[]> {
    return this.exports.exportSessionTo(sessionId, folder, anonymise);
  }

  async exportReport(req: ExportReportRequest): Promise<ExportedFile> {
    return this.exports.exportReport(
      toId(req.caseId),
      req.format,
      req.anonymise ?? false,
      req.reader,
    );
  }

  /** A case's report as a PDF, an Encapsulated PDF or a Comprehensive SR, in memory. */
  async renderReport(
    caseId: number,
    format: ReportFormat,
    anonymise: boolean,
  ): Promise<{ bytes: Buffer; fileName: string; mimeType: string }> {
    return this.exports.renderReport(caseId, format, anonymise);
  }
}

/**
 * Masks with every view's mask of its image's size: a view with a stand-in outline takes it, a
 * view whose mask does not fit is left out (and without a coronal one there are none).
 */
function fittingMasks(
  masks: Masks | null,
  sizes: ImageSizes,
  standIns: Partial<Record<ViewName, MaskRle>>,
): Masks | null {
  if (!masks) return null;
  const fit = (view: ViewName, rle: MaskRle | null | undefined): MaskRle | null => {
    const size = sizes[view];
    if (standIns[view]) return standIns[view];
    return rle && size && fits(rle, size) ? rle : null;
  };
  const coronal = fit('coronal', masks.coronal);
  return coronal ? { coronal, transverse: fit('transverse', masks.transverse) } : null;
}

/** The case's view with notices added to the images they are about. */
function withNotices(view: CaseView, notices: { view: ViewName; notice: string }[]): CaseView {
  if (notices.length === 0) return view;
  const add = <T extends CaseView['coronal'] | null>(image: T): T => {
    const extra = notices.filter((n) => n.view === image?.view).map((n) => n.notice);
    if (!image || extra.length === 0) return image;
    return { ...image, notices: [...(image.notices ?? []), ...extra] };
  };
  return { ...view, coronal: add(view.coronal), transverse: add(view.transverse) };
}

export function createStoreService(options: StoreServiceOptions): StoreService {
  return new StoreService(options);
}

/** An edit drawn on a stored case's images before its coronal and transverse views were swapped. */
function drawnBeforeSwap(caseId: number): SpvError {
  return new SpvError(
    'bad-input',
    `Case ${caseId}: its coronal and transverse views were swapped after this edit was drawn, so it was drawn on the images the old way round and is not saved. Open the case again and redo the edit there.`,
  );
}
