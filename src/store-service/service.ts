/**
 * The store service: the StoreApi half of the API (src/api/store-contract.ts), over the cases
 * database and the engine. It also fronts the engine's CaseApi so that every estimate of a stored
 * case is persisted as it happens (mask versions, estimate, audit): the UI edits as usual and
 * nothing is lost, while a signed-off case's changes are refused until it is unlocked.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  EstimateSchema,
  type CalibrateRequest,
  type Calibration,
  type CaliperLine,
  type CaseApi,
  type CaseView,
  type Estimate,
  type EstimateRequest,
  type Lengths,
  type MaskRle,
  type Masks,
} from '../api/contract';
import { SpvError, isSpvError } from '../api/errors';
import type { SpvApi } from '../api/index';
import type {
  CaseDetail,
  CaseRequest,
  CaseSummary,
  CreateSessionRequest,
  ExportReportRequest,
  ExportedFile,
  FlagCaseRequest,
  ImportPathsRequest,
  ImportReport,
  ListCasesRequest,
  ReportFormat,
  OpenStoredCaseRequest,
  ReaderCaseRequest,
  RecordTimeRequest,
  SaveCorrectionRequest,
  SessionDetail,
  SessionListItem,
  SessionRequest,
  SessionSummary,
  StoredCaseView,
  UnlockCaseRequest,
  WorklistEntry,
} from '../api/store-contract';
import { decodeMaskRle, encodeMaskRle, sameMask } from '../imaging/mask-codec';
import { manifestFiles, type Manifest } from '../models/manifest';
import { anonymousPatientId, exportDicomReport } from '../reports/dicom-export';
import { sessionSummaryCsv, summariseSession } from '../reports/session-summary';
import { importPaths, type ImportProgress } from '../store/import';
import { decodeMaskPng, encodeMaskPng } from '../store/mask-png';
import { maskArea } from '../imaging/components';
import { CaseStore } from '../store/store';
import type { MaskRow, MeasurementInput, ViewName } from '../store/types';
import { buildCaseReportPdf } from './report-builder';
import { caseSummary, sessionDetail } from './summaries';

/** What the service needs of the engine: the CaseApi, and the manifest for the model hash. */
export type EngineLike = CaseApi & { readonly manifest?: Manifest };

export interface StoreServiceOptions {
  dataDir: string;
  engine: EngineLike;
  /** Import progress (the CLI draws a bar on stderr). */
  onImportProgress?: (progress: ImportProgress) => void;
}

/** What the reader measured with calipers: the lengths the formulas used and the lines drawn. */
interface ReaderCalipers {
  lengths: Partial<Lengths> | null;
  lines: CaliperLine[] | null;
}

function readerCalipers(req: {
  caliperLengths?: Partial<Lengths> | null;
  caliperLines?: CaliperLine[] | null;
}): ReaderCalipers {
  return { lengths: req.caliperLengths ?? null, lines: req.caliperLines ?? null };
}

/** A stored case open in the engine: its engine id, the reader and the masks last saved. */
interface OpenStoredCase {
  caseId: number;
  engineCaseId: string;
  reader: string;
  sessionId: number | null;
  view: CaseView;
  latest: Partial<Record<ViewName, { maskId: number; mask: Uint8Array }>>;
}

const VIEWS: ViewName[] = ['coronal', 'transverse'];
/** Stored cases kept open (below the engine's own limit of 32, which it shares with other opens). */
const MAX_OPEN_CASES = 16;

/** A user calibration as stored: the result and the two points that made it (replayed at open). */
type StoredCalibration = Calibration & {
  userPoints?: Pick<CalibrateRequest, 'pointA' | 'pointB' | 'distanceMm'>;
};

function userCalibrationOf(calibration: Calibration): StoredCalibration['userPoints'] | null {
  return (calibration as StoredCalibration).userPoints ?? null;
}

/** A view's mask about to be saved: a new PNG, or the id of the identical saved version. */
interface PendingMask {
  view: ViewName;
  mask: Uint8Array;
  width: number;
  height: number;
  png: Buffer | null;
  reuseId: number | null;
}
const toId = (text: string): number => Number(text);

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
  private readonly byEngineId = new Map<string, OpenStoredCase>();
  private readonly byCaseId = new Map<number, OpenStoredCase>();
  /** The stored case last opened for the reader's viewer (openStoredCase). */
  private viewerCaseId: number | null = null;
  readonly modelHash: string;

  constructor(private readonly options: StoreServiceOptions) {
    this.store = CaseStore.open(options.dataDir);
    this.engine = options.engine;
    this.modelHash = modelHashOf(options.engine.manifest);
  }

  close(): void {
    this.store.close();
  }

  // ---- the engine half, with persistence of stored cases --------------------------------------

  getStatus: CaseApi['getStatus'] = () => this.engine.getStatus();
  openSample: CaseApi['openSample'] = (req) => this.engine.openSample(req);
  openCase: CaseApi['openCase'] = (req) => this.engine.openCase(req);
  segment: CaseApi['segment'] = (req) => this.engine.segment(req);
  explain: CaseApi['explain'] = (req) => this.engine.explain(req);

  async calibrate(req: CalibrateRequest): Promise<CaseView> {
    const view = await this.engine.calibrate(req);
    const open = this.byEngineId.get(req.caseId);
    const calibration = (req.view === 'coronal' ? view.coronal : view.transverse)?.calibration;
    if (open && calibration) {
      const stored: StoredCalibration = {
        ...calibration,
        userPoints: { pointA: req.pointA, pointB: req.pointB, distanceMm: req.distanceMm },
      };
      this.store.setImageCalibration(open.caseId, req.view, stored, open.reader);
      open.view = view;
    }
    return view;
  }

  async estimate(req: EstimateRequest): Promise<Estimate> {
    const estimate = EstimateSchema.parse(await this.engine.estimate(req));
    const open = this.byEngineId.get(req.caseId);
    if (!open) return estimate;
    if (this.store.getCase(open.caseId).status === 'signed-off') {
      return {
        ...estimate,
        warnings: [
          ...estimate.warnings,
          'This case is signed off: this change is not saved. Unlock it with a reason to change it.',
        ],
      };
    }
    await this.persistEstimate(
      open,
      req.masks,
      estimate,
      open.reader,
      'manual',
      readerCalipers(req),
    );
    return estimate;
  }

  // ---- cases ----------------------------------------------------------------------------------

  async importPaths(req: ImportPathsRequest): Promise<ImportReport> {
    const report = await importPaths(this.store, req.paths, {
      actor: 'import',
      onProgress: this.options.onImportProgress,
    });
    if (req.runAi) {
      for (const caseId of report.caseIds) {
        try {
          if (!this.store.latestMask(toId(caseId), 'coronal', 'ai'))
            await this.open(toId(caseId), 'import', null);
        } catch (error) {
          // One case the AI cannot run on (an unreadable moved file, …) does not undo the import.
          report.failed.push({
            path: `case ${caseId}`,
            reason: `the AI did not run: ${error instanceof Error ? error.message : String(error)}`,
          });
        }
      }
    }
    return report;
  }

  async listCases(req: ListCasesRequest): Promise<CaseSummary[]> {
    return this.store.listCases(req.status ?? null).map((row) => caseSummary(this.store, row));
  }

  async getCase(req: CaseRequest): Promise<CaseDetail> {
    const id = toId(req.caseId);
    const row = this.store.getCase(id);
    const ai = this.store.latestEstimate(id, 'ai');
    const final = this.store.latestEstimate(id);
    return {
      summary: caseSummary(this.store, row),
      images: this.store.images(id).map((i) => ({
        view: i.view,
        originalPath: i.originalPath,
        format: i.format,
        width: i.width,
        height: i.height,
        calibrated: i.calibration !== null,
      })),
      masks: this.store.masks(id).map((m) => ({
        maskId: String(m.id),
        view: m.view,
        version: m.version,
        source: m.source,
        author: m.author,
        createdAt: m.createdAt,
        areaPx: m.areaPx,
      })),
      measurements: this.store.measurements(id).map((m) => ({
        view: m.view,
        kind: m.kind,
        valueCm: m.valueCm,
        points: m.points,
        author: m.author,
        createdAt: m.createdAt,
      })),
      aiEstimate: ai?.estimate ?? null,
      finalEstimate: final?.estimate ?? null,
      audit: this.store.auditLog(id).map((a) => ({
        at: a.at,
        actor: a.actor,
        action: a.action,
        caseId: a.caseId === null ? null : String(a.caseId),
        detail: a.detail,
      })),
    };
  }

  async openStoredCase(req: OpenStoredCaseRequest): Promise<StoredCaseView> {
    const open = await this.open(
      toId(req.caseId),
      req.reader,
      req.sessionId ? toId(req.sessionId) : null,
    );
    this.viewerCaseId = open.caseId;
    const row = this.store.getCase(open.caseId);
    if (row.status === 'ai-ready' || row.status === 'new')
      this.store.setStatus(open.caseId, 'in-review', req.reader);
    const status = this.store.getCase(open.caseId).status;
    const aiMasks = await this.storedMasks(open.caseId, 'ai');
    const currentMasks = await this.storedMasks(open.caseId);
    return {
      caseId: String(open.caseId),
      view: open.view,
      status,
      locked: status === 'signed-off',
      aiMasks,
      currentMasks,
      estimate: this.store.latestEstimate(open.caseId)?.estimate ?? null,
    };
  }

  async acceptAi(req: ReaderCaseRequest): Promise<CaseSummary> {
    const caseId = toId(req.caseId);
    const open = await this.open(caseId, req.reader, null);
    const aiMasks = await this.storedMasks(caseId, 'ai');
    if (!aiMasks) throw new SpvError('bad-input', `Case ${caseId} has no AI mask to accept.`);
    // Accepting makes the AI's masks the final ones again (a new version if a correction came between).
    const estimate = await this.estimateOpen(open, { masks: aiMasks });
    await this.persistEstimate(open, aiMasks, estimate, req.reader, 'ai');
    this.store.transaction(() => {
      this.store.setStatus(caseId, 'in-review', req.reader);
      this.store.audit(req.reader, 'case.accept-ai', caseId, { volumeMl: estimate.volumeMl });
    });
    return caseSummary(this.store, this.store.getCase(caseId));
  }

  async saveCorrection(req: SaveCorrectionRequest): Promise<CaseSummary> {
    const caseId = toId(req.caseId);
    this.store.assertEditable(caseId);
    const open = await this.open(caseId, req.reader, null);
    const estimate = await this.estimateOpen(open, {
      masks: req.masks,
      patient: req.patient,
      caliperLengths: req.caliperLengths,
    });
    await this.persistEstimate(
      open,
      req.masks,
      estimate,
      req.reader,
      'manual',
      readerCalipers(req),
    );
    return caseSummary(this.store, this.store.getCase(caseId));
  }

  async flagCase(req: FlagCaseRequest): Promise<CaseSummary> {
    this.store.flag(toId(req.caseId), req.reader, req.comment);
    return caseSummary(this.store, this.store.getCase(toId(req.caseId)));
  }

  async signOff(req: ReaderCaseRequest): Promise<CaseSummary> {
    this.store.signOff(toId(req.caseId), req.reader);
    return caseSummary(this.store, this.store.getCase(toId(req.caseId)));
  }

  async unlockCase(req: UnlockCaseRequest): Promise<CaseSummary> {
    this.store.unlock(toId(req.caseId), req.reader, req.reason);
    return caseSummary(this.store, this.store.getCase(toId(req.caseId)));
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
      case: caseSummary(this.store, this.store.getCase(row.caseId)),
    };
  }

  async sessionSummary(req: SessionRequest): Promise<SessionSummary> {
    const { pngs: _pngs, ...summary } = await summariseSession(this.store, toId(req.sessionId));
    return summary;
  }

  async exportSession(req: SessionRequest): Promise<ExportedFile[]> {
    const sessionId = toId(req.sessionId);
    return this.exportSessionTo(sessionId, this.exportFolder(`session-${sessionId}`));
  }

  /** Writes the session's summary CSV, its plots and each estimated case's PDF into `folder`. */
  async exportSessionTo(sessionId: number, folder: string): Promise<ExportedFile[]> {
    const summary = await summariseSession(this.store, sessionId);
    mkdirSync(folder, { recursive: true });
    const files: ExportedFile[] = [
      writeExport(folder, 'summary.csv', 'text/csv', Buffer.from(sessionSummaryCsv(summary))),
    ];
    for (const plot of summary.pngs)
      files.push(writeExport(folder, plot.fileName, 'image/png', plot.png));
    for (const row of summary.rows) {
      if (row.finalVolumeMl === null) continue;
      const pdf = await this.casePdf(toId(row.caseId), summary.reader);
      files.push(writeExport(folder, `report-case-${row.caseId}.pdf`, 'application/pdf', pdf));
    }
    this.store.audit(summary.reader, 'session.export', null, {
      sessionId,
      folder,
      files: files.map((f) => f.name),
    });
    return files;
  }

  async exportReport(req: ExportReportRequest): Promise<ExportedFile> {
    const caseId = toId(req.caseId);
    const report = await this.renderReport(caseId, req.format, req.anonymise ?? false);
    const file = writeExport(
      this.exportFolder(`case-${caseId}`),
      report.fileName,
      report.mimeType,
      report.bytes,
    );
    this.store.audit('export', 'report.export', caseId, {
      format: req.format,
      anonymise: req.anonymise ?? false,
      path: file.path,
    });
    return file;
  }

  /** A case's report as a PDF, an Encapsulated PDF or a Comprehensive SR, in memory. */
  async renderReport(
    caseId: number,
    format: ReportFormat,
    anonymise: boolean,
  ): Promise<{ bytes: Buffer; fileName: string; mimeType: string }> {
    const pdf = await this.casePdf(caseId, null, anonymise);
    const suffix = `case-${caseId}${anonymise ? '-anon' : ''}`;
    if (format === 'pdf')
      return { bytes: pdf, fileName: `report-${suffix}.pdf`, mimeType: 'application/pdf' };
    const bytes = exportDicomReport({
      kind: format === 'dicom-pdf' ? 'encapsulated-pdf' : 'comprehensive-sr',
      pdf,
      source: this.dicomSource(caseId),
      estimate: this.requireEstimate(caseId).estimate,
      anonymise,
    });
    return {
      bytes,
      fileName: `${format === 'dicom-pdf' ? 'report-pdf' : 'report-sr'}-${suffix}.dcm`,
      mimeType: 'application/dicom',
    };
  }

  // ---- helpers --------------------------------------------------------------------------------

  /** Opens a stored case in the engine (once), running the AI the first time the case is seen. */
  private async open(
    caseId: number,
    reader: string,
    sessionId: number | null,
  ): Promise<OpenStoredCase> {
    const known = this.byCaseId.get(caseId);
    if (known) {
      known.reader = reader;
      known.sessionId = sessionId ?? known.sessionId;
      // Most recently used last: the Map's order is the eviction order.
      this.byCaseId.delete(caseId);
      this.byCaseId.set(caseId, known);
      return known;
    }
    const images = this.store.images(caseId);
    const coronal = images.find((i) => i.view === 'coronal');
    if (!coronal)
      throw new SpvError(
        'bad-input',
        `Case ${caseId} has no coronal image: import one (…_coronal.png or a DICOM) first.`,
      );
    const transverse = images.find((i) => i.view === 'transverse') ?? null;
    let view = await this.engine.openCase({
      coronalPath: coronal.originalPath,
      transversePath: transverse?.originalPath ?? null,
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
      latest: {},
    };
    for (const v of VIEWS) {
      const row = this.store.latestMask(caseId, v);
      if (row) open.latest[v] = { maskId: row.id, mask: (await decodeMaskPng(row.png)).mask };
    }
    this.byCaseId.set(caseId, open);
    this.byEngineId.set(view.caseId, open);
    // Each open case holds its images as PNG data URLs: keep only the most recent ones.
    // The case in the reader's viewer stays: its edits must keep being saved.
    for (const oldest of [...this.byCaseId.keys()]) {
      if (this.byCaseId.size <= MAX_OPEN_CASES) break;
      if (oldest !== this.viewerCaseId) this.forget(oldest);
    }
    if (!this.store.latestMask(caseId, 'coronal', 'ai')) await this.runAi(open);
    return open;
  }

  private forget(caseId: number): void {
    const open = this.byCaseId.get(caseId);
    if (!open) return;
    this.byCaseId.delete(caseId);
    this.byEngineId.delete(open.engineCaseId);
  }

  /**
   * An estimate of an open stored case. The engine forgets its oldest cases; when it has
   * forgotten this one, the case is opened again (same images, same calibration) and retried.
   */
  private async estimateOpen(
    open: OpenStoredCase,
    req: Omit<EstimateRequest, 'caseId'>,
  ): Promise<Estimate> {
    try {
      return EstimateSchema.parse(
        await this.engine.estimate({ ...req, caseId: open.engineCaseId }),
      );
    } catch (error) {
      if (!(isSpvError(error) && error.code === 'not-found')) throw error;
      this.forget(open.caseId);
      const again = await this.open(open.caseId, open.reader, open.sessionId);
      return EstimateSchema.parse(
        await this.engine.estimate({ ...req, caseId: again.engineCaseId }),
      );
    }
  }

  private async runAi(open: OpenStoredCase): Promise<void> {
    const coronal = await this.engine.segment({ caseId: open.engineCaseId, view: 'coronal' });
    const transverse = open.view.transverse
      ? await this.engine.segment({ caseId: open.engineCaseId, view: 'transverse' })
      : null;
    const masks: Masks = { coronal, transverse };
    const calibrated =
      open.view.coronal.calibration !== null &&
      (!open.view.transverse || open.view.transverse.calibration !== null);
    if (!calibrated) {
      // No calibration, no volume: keep the AI masks, leave the case 'new' until it is calibrated.
      this.writeMasksAndEstimate(
        open,
        await this.changedMasks(open, masks, 'ai'),
        'model',
        'ai',
        null,
      );
      return;
    }
    const estimate = EstimateSchema.parse(
      await this.engine.estimate({ caseId: open.engineCaseId, masks }),
    );
    await this.persistEstimate(open, masks, estimate, 'model', 'ai');
    if (this.store.getCase(open.caseId).status === 'new')
      this.store.setStatus(open.caseId, 'ai-ready', 'model');
  }

  /** Stores the views whose mask changed as new versions; returns the mask id of each view. */
  /**
   * The views whose mask changed since the last saved version, with their PNGs encoded: the
   * async part of saving, done before the one transaction that writes everything.
   */
  private async changedMasks(
    open: OpenStoredCase,
    masks: Masks,
    source: 'ai' | 'manual',
  ): Promise<PendingMask[]> {
    const pending: PendingMask[] = [];
    for (const view of VIEWS) {
      const rle = view === 'coronal' ? masks.coronal : (masks.transverse ?? null);
      if (!rle) continue;
      const mask = decodeMaskRle(rle);
      const last = open.latest[view];
      // Unchanged: reuse the saved version (an accepted AI mask after a correction is a new version).
      if (
        last &&
        sameMask(last.mask, mask) &&
        (source === 'manual' || this.store.maskById(last.maskId)?.source === 'ai')
      ) {
        pending.push({
          view,
          mask,
          width: rle.width,
          height: rle.height,
          png: null,
          reuseId: last.maskId,
        });
        continue;
      }
      pending.push({
        view,
        mask,
        width: rle.width,
        height: rle.height,
        png: await encodeMaskPng(mask, rle.width, rle.height),
        reuseId: null,
      });
    }
    return pending;
  }

  /** Writes the new mask versions (and the estimate, if any) in one transaction: all or nothing. */
  private writeMasksAndEstimate(
    open: OpenStoredCase,
    pending: PendingMask[],
    author: string,
    source: 'ai' | 'manual',
    estimate: Estimate | null,
    calipers: ReaderCalipers | null = null,
  ): void {
    const saved = this.store.transaction(() => {
      const ids: Partial<Record<ViewName, number>> = {};
      const sources: ('ai' | 'manual')[] = [];
      const written: { view: ViewName; id: number; mask: Uint8Array }[] = [];
      for (const p of pending) {
        if (p.reuseId !== null) {
          ids[p.view] = p.reuseId;
          sources.push(this.store.maskById(p.reuseId)?.source ?? source);
          continue;
        }
        const row = this.store.addMask({
          caseId: open.caseId,
          view: p.view,
          source,
          author,
          width: p.width,
          height: p.height,
          areaPx: maskArea(p.mask),
          png: p.png!,
        });
        ids[p.view] = row.id;
        sources.push(source);
        written.push({ view: p.view, id: row.id, mask: p.mask });
      }
      if (estimate) {
        const effective = sources.includes('manual') ? 'manual' : 'ai';
        this.store.addEstimate({
          caseId: open.caseId,
          source: effective,
          coronalMaskId: ids.coronal ?? null,
          transverseMaskId: ids.transverse ?? null,
          modelHash: this.modelHash,
          author,
          estimate,
        });
        if (effective === 'manual') this.store.setStatus(open.caseId, 'corrected', author);
      }
      this.recordCalipers(open.caseId, calipers, author);
      return written;
    });
    // Only after the commit: the in-memory "last saved" must never run ahead of the database.
    for (const w of saved) open.latest[w.view] = { maskId: w.id, mask: w.mask };
  }

  /**
   * The reader's caliper lengths (cm), stored when they change: what the formulas used, with the
   * caliper's end points when the UI sent them (reports redraw the reader's own lines).
   */
  private recordCalipers(caseId: number, calipers: ReaderCalipers | null, author: string): void {
    if (!calipers?.lengths) return;
    const last = new Map(this.store.measurements(caseId).map((m) => [m.kind, m.valueCm]));
    for (const kind of ['length', 'width', 'thickness', 'craniocaudal'] as const) {
      const value = calipers.lengths[kind];
      if (value === null || value === undefined || last.get(kind) === value) continue;
      const view = kind === 'width' || kind === 'thickness' ? 'transverse' : 'coronal';
      const line = calipers.lines?.find((l) => l.kind === kind && l.view === view);
      const points = line ? ([line.a, line.b] as MeasurementInput['points']) : null;
      this.store.addMeasurement({ caseId, view, kind, valueCm: value, points, author });
    }
  }

  /** The latest caliper of each kind that was stored with its end points. */
  private latestCaliperLines(caseId: number): CaliperLine[] {
    const latest = new Map<string, CaliperLine>();
    for (const m of this.store.measurements(caseId)) {
      if (!m.points || m.kind === 'craniocaudal') continue;
      latest.set(m.kind, { view: m.view, kind: m.kind, a: m.points[0], b: m.points[1] });
    }
    return [...latest.values()];
  }

  private async persistEstimate(
    open: OpenStoredCase,
    masks: Masks,
    estimate: Estimate,
    author: string,
    source: 'ai' | 'manual' = 'manual',
    calipers: ReaderCalipers | null = null,
  ): Promise<void> {
    const pending = await this.changedMasks(open, masks, source);
    this.writeMasksAndEstimate(open, pending, author, source, estimate, calipers);
  }

  private async storedMasks(caseId: number, source?: 'ai' | 'manual'): Promise<Masks | null> {
    const toRle = async (row: MaskRow | null): Promise<MaskRle | null> => {
      if (!row) return null;
      const { mask, width, height } = await decodeMaskPng(row.png);
      return encodeMaskRle(mask, width, height);
    };
    const coronal = await toRle(this.store.latestMask(caseId, 'coronal', source));
    if (!coronal) return null;
    return {
      coronal,
      transverse: await toRle(this.store.latestMask(caseId, 'transverse', source)),
    };
  }

  private requireEstimate(caseId: number) {
    const estimate = this.store.latestEstimate(caseId);
    if (!estimate)
      throw new SpvError(
        'bad-input',
        `Case ${caseId} has no estimate: its images are not calibrated. Calibrate them in the viewer (or import calibrated images) first.`,
      );
    return estimate;
  }

  private async casePdf(
    caseId: number,
    sessionReader: string | null,
    anonymise = false,
  ): Promise<Buffer> {
    const row = this.store.getCase(caseId);
    // Opening first runs the AI on a case never opened, so its report shows the AI's estimate.
    const open = await this.open(caseId, sessionReader ?? 'report', null);
    const estimateRow = this.requireEstimate(caseId);
    const masks = await this.storedMasks(caseId);
    if (!masks)
      throw new SpvError(
        'bad-input',
        `Case ${caseId} has no mask yet: open it in the worklist first.`,
      );
    const explanation = await this.engine
      .explain({ caseId: open.engineCaseId, masks })
      .catch(() => null);
    return buildCaseReportPdf({
      view: open.view,
      masks: { coronal: masks.coronal, transverse: masks.transverse ?? null },
      calipers: this.latestCaliperLines(caseId),
      estimate: estimateRow.estimate,
      explanation,
      // Anonymised: the title can hold the patient id (imports name cases after it), so it goes too.
      patient: anonymise
        ? { id: anonymousPatientId(row.patientKey), name: 'ANONYMOUS' }
        : { id: row.patientKey, name: row.patientName },
      study: anonymise
        ? {
            caseId: String(row.id),
            title: `case ${row.id}`,
            studyInstanceUid: null,
            studyDate: null,
          }
        : {
            caseId: String(row.id),
            title: row.title,
            studyInstanceUid: row.studyInstanceUid,
            studyDate: row.studyDate,
          },
      maskSource: estimateRow.source,
      reader: row.signedOffBy ?? sessionReader,
      signedOffAt: row.signedOffAt,
      status: `${row.status} (version ${row.version})`,
      modelHash: estimateRow.modelHash,
    });
  }

  private dicomSource(caseId: number) {
    const row = this.store.getCase(caseId);
    const images = this.store.images(caseId);
    return {
      patientId: row.patientKey,
      patientName: row.patientName,
      studyInstanceUid: row.studyInstanceUid,
      studyDate: row.studyDate,
      title: row.title,
      referencedImages: images
        .filter((i) => i.sopInstanceUid)
        .map((i) => ({
          sopInstanceUid: i.sopInstanceUid!,
          sopClassUid:
            typeof i.meta.sopClassUid === 'string'
              ? i.meta.sopClassUid
              : '1.2.840.10008.5.1.4.1.1.6.1',
          seriesInstanceUid:
            typeof i.meta.seriesInstanceUid === 'string' ? i.meta.seriesInstanceUid : null,
        })),
      signedOffBy: row.signedOffBy,
      signedOffAt: row.signedOffAt,
    };
  }

  private exportFolder(prefix: string): string {
    const folder = join(
      this.options.dataDir,
      'exports',
      `${prefix}-${new Date().toISOString().replace(/[:.]/g, '-')}`,
    );
    mkdirSync(folder, { recursive: true });
    return folder;
  }
}

function writeExport(folder: string, name: string, mimeType: string, bytes: Buffer): ExportedFile {
  const path = join(folder, name);
  writeFileSync(path, bytes);
  return { name, path, mimeType, dataUrl: `data:${mimeType};base64,${bytes.toString('base64')}` };
}

export function createStoreService(options: StoreServiceOptions): StoreService {
  return new StoreService(options);
}
