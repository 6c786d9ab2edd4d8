/**
 * A stored case's saved masks: the views whose mask changed become new mask versions, written with
 * the estimate and the reader's calipers in one transaction; and the saved masks read back.
 */
import type { CaliperLine, Estimate, MaskRle, Masks, Patient } from '../api/contract';
import { maskArea } from '../imaging/components';
import { decodeMaskRle, encodeMaskRle, sameMask } from '../imaging/mask-codec';
import { decodeMaskPng, encodeMaskPng } from '../store/mask-png';
import type { CaseStore } from '../store/store';
import type { EstimateRow, MaskRow, ViewName } from '../store/types';
import { recordCalipers, type ReaderCalipers } from './calipers';

const VIEWS: ViewName[] = ['coronal', 'transverse'];

/**
 * An estimate to save, with what it was computed from besides the masks: the images' calibration
 * when it was asked for (CaseStore.calibrationOf, read before the engine ran), the patient inputs
 * and the caliper lines. A reopened case restores these, and sign-off compares the calibration.
 */
export interface EstimateToSave {
  estimate: Estimate;
  calibration: string;
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

/** The latest saved mask of each view, decoded (what a case opened in the engine starts from). */
export async function latestSavedMasks(store: CaseStore, caseId: number): Promise<LatestMasks> {
  const latest: LatestMasks = {};
  for (const v of VIEWS) {
    const row = store.latestMask(caseId, v);
    if (row) latest[v] = { maskId: row.id, mask: (await decodeMaskPng(row.png)).mask };
  }
  return latest;
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

/** Saves a case's masks and estimates under one model hash (the one every estimate records). */
export class MaskSaver {
  constructor(
    private readonly store: CaseStore,
    private readonly modelHash: string,
  ) {}

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
          patient: normalisedPatient(estimate.patient),
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
    // Saved before the inputs were kept (schema 5): not known to be the same.
    if (!last || last.patient === undefined || last.caliperLines === undefined) return false;
    return (
      inputsKey(
        [last.coronalMaskId, last.transverseMaskId, last.modelHash, last.calibration],
        last.patient,
        last.caliperLines,
        last.estimate,
      ) ===
      inputsKey(
        [maskIds.coronal, maskIds.transverse, this.modelHash, next.calibration],
        next.patient,
        next.caliperLines,
        next.estimate,
      )
    );
  }
}

/** What an estimate was computed from, as one comparable text. */
function inputsKey(
  ids: (string | number | null)[],
  patient: Patient | null,
  caliperLines: readonly CaliperLine[],
  estimate: Pick<Estimate, 'caliperLengths'>,
): string {
  return JSON.stringify([
    ...ids,
    normalisedPatient(patient),
    // In any order: the viewer may list the same lines differently after a reopen.
    caliperLines.map((l) => JSON.stringify([l.view, l.kind, l.a, l.b])).sort(),
    estimate.caliperLengths ?? null,
  ]);
}
