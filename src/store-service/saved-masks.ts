/**
 * A stored case's saved masks: the views whose mask changed become new mask versions, written with
 * the estimate and the reader's calipers in one transaction; and the saved masks read back.
 */
import type { CaliperLine, CaseView, Estimate, MaskRle, Masks, Patient } from '../api/contract';
import { maskArea } from '../imaging/components';
import { decodeMaskRle, encodeMaskRle, sameMask } from '../imaging/mask-codec';
import { decodeMaskPng, encodeMaskPng } from '../store/mask-png';
import type { CaseStore } from '../store/store';
import { VIEWS, type EstimateRow, type MaskRow, type ViewName } from '../store/types';
import { recordCalipers, savedCaliperLines, type ReaderCalipers } from './calipers';

/**
 * An estimate to save, with what it was computed from besides the masks: the images' calibration
 * when it was asked for (CaseStore.calibrationOf, read before the engine ran), the patient inputs
 * and the caliper lines. A reopened case restores these, and sign-off compares the calibration.
 */
export interface EstimateToSave {
  estimate: Estimate;
  calibration: string;
  /** Normalised (normalisedPatient) where the estimate to save is made: OpenCases.estimateToSave. */
  patient: Patient | null;
  caliperLines: readonly CaliperLine[];
}

/** The patient inputs as saved: null when none was given, else every field (null: not given). */
export function normalisedPatient(patient: Patient | null | undefined): Patient | null {
  const p = {
    ageYears: patient?.ageYears ?? null,
    sex: patient?.sex ?? null,
    heightCm: patient?.heightCm ?? null,
  };
  return p.ageYears === null && p.sex === null && p.heightCm === null ? null : p;
}

/**
 * The patient inputs a case is estimated with. A signed-off case: those its signed estimate used,
 * which the viewer must show as signed. Otherwise the reader's newest, those last sent (with an
 * estimate or without: CaseStore.patientInputs, "none" included), else the latest estimate's (a
 * database from before they were kept; "none given" there is an answer too); only a case with no
 * estimate yet (or one saved before estimates kept their inputs) takes those of the coronal
 * image's DICOM header (`view.studyPatient`), as the viewer shows them. So an estimate on record,
 * signed off or not, is never re-decided by a header it was not made with.
 */
export function readerPatient(
  store: CaseStore,
  caseId: number,
  view: Pick<CaseView, 'studyPatient'>,
): Patient | null {
  if (store.getCase(caseId).status === 'signed-off')
    return store.latestEstimate(caseId)?.patient ?? null;
  const sent = store.patientInputs(caseId);
  if (sent !== undefined) return sent;
  const latest = store.latestEstimate(caseId);
  if (latest && latest.patient !== undefined) return latest.patient;
  return view.studyPatient ?? null;
}

/** The masks last saved of each view, as the database holds them. */
export type LatestMasks = Partial<Record<ViewName, { maskId: number; mask: Uint8Array }>>;

/** A case being saved: its id and the masks last saved, which saving keeps in step. */
export interface CaseMasks {
  caseId: number;
  latest: LatestMasks;
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

/** Each view's image size as decoded now (a view without an image is absent). */
export type ImageSizes = Partial<Record<ViewName, { width: number; height: number }>>;

/** Each view's image size in the engine's view of the case. */
export function imageSizes(view: CaseView): ImageSizes {
  const sizes: ImageSizes = {};
  for (const image of [view.coronal, view.transverse])
    if (image) sizes[image.view] = { width: image.width, height: image.height };
  return sizes;
}

/**
 * The masks an estimate can use, as the viewer sends them: the transverse one only when its view
 * is calibrated (otherwise that view is left out and the volume is the coronal view's); null when
 * the coronal view is not calibrated (no volume at all).
 */
export function estimableMasks(view: CaseView, masks: Masks): Masks | null {
  if (view.coronal.calibration === null) return null;
  return view.transverse?.calibration ? masks : { coronal: masks.coronal, transverse: null };
}

/** Whether a mask (a stored version or an RLE) is of the image's size. */
export function fits(
  mask: Pick<MaskRow, 'width' | 'height'>,
  size: { width: number; height: number },
) {
  return mask.width === size.width && mask.height === size.height;
}

/**
 * The latest saved mask of each view, decoded (what a case opened in the engine starts from). A
 * mask that does not fit its image as decoded now is left out: it is no outline of this image
 * (see outlineMisfits), and the next save of the view must be a new version, never a "same as".
 */
export async function latestSavedMasks(
  store: CaseStore,
  caseId: number,
  sizes: ImageSizes,
): Promise<LatestMasks> {
  const latest: LatestMasks = {};
  for (const v of VIEWS) {
    const row = store.latestMask(caseId, v);
    const size = sizes[v];
    if (row && size && fits(row, size))
      latest[v] = { maskId: row.id, mask: (await decodeMaskPng(row.png)).mask };
  }
  return latest;
}

/**
 * A view whose saved outline no longer fits its image: the image decodes at another size than when
 * the outline was drawn (a JPEG with EXIF orientation 5–8 imported before the rotation was
 * applied reads turned a quarter now, width and height swapped). Drawn over the image it would be
 * misaligned, so it is never shown or estimated; the saved versions stay in the case's history.
 */
export interface OutlineMisfit {
  view: ViewName;
  /** The last saved mask that does not fit: its date and size. */
  savedAt: string;
  savedSize: { width: number; height: number };
  imageSize: { width: number; height: number };
  /** An AI outline at the image's size was saved after it (OpenCases.refit); no reader's yet. */
  refitted: boolean;
}

/**
 * The views whose saved outline no longer fits the image, until the reader saves an outline of
 * their own at the image's size or accepts the AI's (which is when the notice about it can go).
 */
export function outlineMisfits(
  store: CaseStore,
  caseId: number,
  sizes: ImageSizes,
): OutlineMisfit[] {
  const misfits: OutlineMisfit[] = [];
  const all = store.masks(caseId);
  const accepted = refitsAccepted(store, caseId);
  // After a view swap, a view's versions before the copies the swap made are outlines of the
  // other image (CaseStore.swapViews): no outline of this one, fitting or not.
  const sinceSwap = store.lastViewSwap(caseId)?.firstVersions ?? {};
  for (const view of VIEWS) {
    const size = sizes[view];
    if (!size) continue;
    const versions = all.filter((m) => m.view === view && m.version >= (sinceSwap[view] ?? 0));
    const lastMisfit = versions.findLast((m) => !fits(m, size));
    if (!lastMisfit) continue;
    const after = versions.filter((m) => m.version > lastMisfit.version);
    if (after.some((m) => m.source === 'manual')) continue; // the reader has redone it
    if (after.length > 0 && accepted.has(view)) continue; // the reader has accepted the AI's
    misfits.push({
      view,
      savedAt: lastMisfit.createdAt,
      savedSize: { width: lastMisfit.width, height: lastMisfit.height },
      imageSize: { ...size },
      refitted: after.length > 0,
    });
  }
  return misfits;
}

/**
 * The views whose AI outline refitted to the image (the 'mask.refit' audit entry OpenCases.refit
 * writes) the reader has accepted since (a 'case.accept-ai' entry, StoreService.acceptAi): Accept
 * AI reuses the refitted version, so only the audit log, in its order, tells it. A refit without
 * its audit entry counts as not accepted: the notice stays, on the safe side.
 */
function refitsAccepted(store: CaseStore, caseId: number): Set<ViewName> {
  const log = store.auditLog(caseId);
  const lastAccept = log.findLast((entry) => entry.action === 'case.accept-ai')?.id ?? -1;
  const accepted = new Set<ViewName>();
  for (const view of VIEWS) {
    const lastRefit = log.findLast(
      (entry) => entry.action === 'mask.refit' && refitViews(entry.detail).includes(view),
    );
    if (lastRefit && lastAccept > lastRefit.id) accepted.add(view);
  }
  return accepted;
}

/** The views a 'mask.refit' audit entry names (its detail as OpenCases.refit writes it). */
function refitViews(detail: Record<string, unknown>): string[] {
  const views = Array.isArray(detail.views) ? (detail.views as unknown[]) : [];
  return views
    .map((v) => (v as { view?: unknown } | null)?.view)
    .filter((v) => typeof v === 'string');
}

/** What the reader is told about a view whose saved outline no longer fits (ViewImage.notices). */
export function misfitNotice(misfit: OutlineMisfit, signedOff: boolean): string {
  const when = misfit.savedAt.slice(0, 16).replace('T', ' ');
  const what =
    `The outline saved on ${when} (${misfit.savedSize.width}×${misfit.savedSize.height} px) no longer fits this image, ` +
    `which now reads as ${misfit.imageSize.width}×${misfit.imageSize.height} px: its size changed since ` +
    `(e.g. the JPEG's EXIF rotation is now applied), so that outline would be misaligned. It is kept in the case's history`;
  return signedOff
    ? `${what}. The AI's outline is shown for reference only, and the signed-off volume stands as recorded: to redo the outline, unlock the case with a reason.`
    : `${what}; the AI's outline is shown instead. Check it against the image and correct it before relying on the volume.`;
}

/** A stored mask version as the API's RLE; null without one. */
async function maskRowRle(row: MaskRow | null): Promise<MaskRle | null> {
  if (!row) return null;
  const { mask, width, height } = await decodeMaskPng(row.png);
  return encodeMaskRle(mask, width, height);
}

/** The latest saved masks (of one source, if given) as the API's RLE; null without a coronal one. */
export async function storedMasks(
  store: CaseStore,
  caseId: number,
  source?: 'ai' | 'manual',
): Promise<Masks | null> {
  const coronal = await maskRowRle(store.latestMask(caseId, 'coronal', source));
  if (!coronal) return null;
  return {
    coronal,
    transverse: await maskRowRle(store.latestMask(caseId, 'transverse', source)),
  };
}

/**
 * The masks an estimate was computed from (its mask ids), so that a report or a Dice shows the
 * masks behind the numbers even when a later edit was saved without a volume; null for an
 * estimate that does not name its coronal mask.
 */
export async function estimateMasks(
  store: CaseStore,
  estimate: Pick<EstimateRow, 'coronalMaskId' | 'transverseMaskId'>,
): Promise<Masks | null> {
  const byId = (id: number | null) => maskRowRle(id === null ? null : store.maskById(id));
  const coronal = await byId(estimate.coronalMaskId);
  return coronal ? { coronal, transverse: await byId(estimate.transverseMaskId) } : null;
}

/**
 * Whether an estimate was asked of exactly what the case's latest estimate was computed from: the
 * same masks pixel for pixel (a view it left out left out again), patient inputs, caliper lines
 * and caliper lengths. A viewer showing a case sends just that (StoredCaseView gives it the
 * latest estimate's own inputs), which changes nothing; any other request is a change. False
 * when the case has no estimate, or one that does not name its coronal mask. Unlike
 * MaskSaver.repeatsLatest, which compares saved mask versions before saving, this compares a
 * request's masks (not saved: a signed-off case saves nothing) pixel for pixel.
 */
export async function repeatsLatestEstimate(
  store: CaseStore,
  caseId: number,
  masks: Masks,
  next: EstimateToSave,
): Promise<boolean> {
  const last = store.latestEstimate(caseId);
  if (!last || last.coronalMaskId === null) return false;
  const sameView = async (maskId: number | null, rle: MaskRle | null) => {
    const row = maskId === null ? null : store.maskById(maskId);
    if (!row || !rle) return !row && !rle;
    if (row.width !== rle.width || row.height !== rle.height) return false;
    return sameMask((await decodeMaskPng(row.png)).mask, decodeMaskRle(rle));
  };
  if (!(await sameView(last.coronalMaskId, masks.coronal))) return false;
  if (!(await sameView(last.transverseMaskId, masks.transverse ?? null))) return false;
  return sameReaderInputs(
    {
      // What a reopened case hands the viewer (openStoredCase): its saved inputs, or none known.
      patient: last.patient ?? null,
      caliperLines: savedCaliperLines(store, caseId, last),
      estimate: last.estimate,
    },
    next,
  );
}

/** Saves a case's masks and estimates under one model hash (the one every estimate records). */
export class MaskSaver {
  constructor(
    private readonly store: CaseStore,
    /** The hash of the model files every estimate saved records (StoreService.modelHash). */
    readonly modelHash: string,
  ) {}

  /**
   * Saves new AI outlines of some views only (the views whose saved outline no longer fits the
   * image), as new versions with no estimate: the other views' saved masks stay the latest.
   */
  async saveAiOutlines(
    open: CaseMasks,
    outlines: Partial<Record<ViewName, MaskRle>>,
  ): Promise<void> {
    const pending: PendingMask[] = [];
    for (const view of VIEWS) {
      const rle = outlines[view];
      if (!rle) continue;
      const mask = decodeMaskRle(rle);
      const png = await encodeMaskPng(mask, rle.width, rle.height);
      pending.push({ view, mask, width: rle.width, height: rle.height, png, reuseId: null });
    }
    this.writeMasksAndEstimate(open, pending, 'model', 'ai', null, null);
  }

  /**
   * Saves the views whose mask changed as new versions, with the estimate (null: the masks only,
   * as for an uncalibrated case, which has no volume, or an edit whose estimate failed) and the
   * reader's calipers. An estimate of unchanged masks, calibration, patient and calipers is not
   * saved again: reopening a case must not replace the reader's final estimate with a copy.
   */
  async save(
    open: CaseMasks,
    masks: Masks,
    estimate: EstimateToSave | null,
    author: string,
    source: 'ai' | 'manual' = 'manual',
    calipers: ReaderCalipers | null = null,
  ): Promise<void> {
    const pending = await this.changedMasks(open, masks, source);
    this.writeMasksAndEstimate(open, pending, author, source, estimate, calipers);
  }

  /**
   * The views whose mask changed since the last saved version, with their PNGs encoded: the
   * async part of saving, done before the one transaction that writes everything.
   */
  private async changedMasks(
    open: CaseMasks,
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
    open: CaseMasks,
    pending: PendingMask[],
    author: string,
    source: 'ai' | 'manual',
    estimate: EstimateToSave | null,
    calipers: ReaderCalipers | null,
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
      const maskIds = { coronal: ids.coronal ?? null, transverse: ids.transverse ?? null };
      if (estimate && !this.repeatsLatest(open.caseId, maskIds, estimate)) {
        const effective = sources.includes('manual') ? 'manual' : 'ai';
        this.store.addEstimate({
          caseId: open.caseId,
          source: effective,
          coronalMaskId: maskIds.coronal,
          transverseMaskId: maskIds.transverse,
          modelHash: this.modelHash,
          author,
          estimate: estimate.estimate,
          calibration: estimate.calibration,
          patient: estimate.patient,
          caliperLines: estimate.caliperLines,
        });
        if (effective === 'manual') this.store.setStatus(open.caseId, 'corrected', author);
      }
      recordCalipers(this.store, open.caseId, calipers, author);
      return written;
    });
    // Only after the commit: the in-memory "last saved" must never run ahead of the database.
    for (const w of saved) open.latest[w.view] = { maskId: w.id, mask: w.mask };
  }

  /** Whether the latest saved estimate was made from exactly these inputs (nothing new to save). */
  private repeatsLatest(
    caseId: number,
    maskIds: { coronal: number | null; transverse: number | null },
    next: EstimateToSave,
  ): boolean {
    const last = this.store.latestEstimate(caseId);
    // Saved before the inputs were kept (schema 5): not known to be the same. Saved before the
    // estimate said what to check first (schema 7): saved again, so that the worklist, sign-off
    // and the report have its check-first list (the old one would stand for good, asking nothing).
    if (
      !last ||
      last.patient === undefined ||
      last.caliperLines === undefined ||
      last.estimate.inputDoubts === undefined
    )
      return false;
    return (
      last.coronalMaskId === maskIds.coronal &&
      last.transverseMaskId === maskIds.transverse &&
      last.modelHash === this.modelHash &&
      last.calibration === next.calibration &&
      sameReaderInputs(
        { patient: last.patient, caliperLines: last.caliperLines, estimate: last.estimate },
        next,
      )
    );
  }
}

/**
 * Whether a saved estimate and a new one had the same inputs from the reader: patient, caliper
 * lines (in any order) and caliper lengths. The one rule both repeatsLatestEstimate and
 * MaskSaver.repeatsLatest apply, whatever else each compares (masks by pixel or by version).
 */
function sameReaderInputs(
  saved: {
    patient: Patient | null;
    caliperLines: readonly CaliperLine[];
    estimate: Pick<Estimate, 'caliperLengths'>;
  },
  next: EstimateToSave,
): boolean {
  // The saved patient as read back from the database, whatever wrote it; the new one is
  // normalised already (OpenCases.estimateToSave).
  return (
    readerInputsKey(normalisedPatient(saved.patient), saved.caliperLines, saved.estimate) ===
    readerInputsKey(next.patient, next.caliperLines, next.estimate)
  );
}

/** The reader's inputs to an estimate, as one comparable text. */
function readerInputsKey(
  patient: Patient | null,
  caliperLines: readonly CaliperLine[],
  estimate: Pick<Estimate, 'caliperLengths'>,
): string {
  return JSON.stringify([
    patient,
    // In any order: the viewer may list the same lines differently after a reopen.
    caliperLines.map((l) => JSON.stringify([l.view, l.kind, l.a, l.b])).sort(),
    estimate.caliperLengths ?? null,
  ]);
}
