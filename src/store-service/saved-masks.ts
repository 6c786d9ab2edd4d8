/**
 * A stored case's saved masks: the views whose mask changed become new mask versions, written with
 * the estimate and the reader's calipers in one transaction; and the saved masks read back.
 */
import type { Estimate, MaskRle, Masks } from '../api/contract';
import { maskArea } from '../imaging/components';
import { decodeMaskRle, encodeMaskRle, sameMask } from '../imaging/mask-codec';
import { decodeMaskPng, encodeMaskPng } from '../store/mask-png';
import type { CaseStore } from '../store/store';
import type { MaskRow, ViewName } from '../store/types';
import { recordCalipers, type ReaderCalipers } from './calipers';

const VIEWS: ViewName[] = ['coronal', 'transverse'];

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

/** The latest saved masks (of one source, if given) as the API's RLE; null without a coronal one. */
export async function storedMasks(
  store: CaseStore,
  caseId: number,
  source?: 'ai' | 'manual',
): Promise<Masks | null> {
  const toRle = async (row: MaskRow | null): Promise<MaskRle | null> => {
    if (!row) return null;
    const { mask, width, height } = await decodeMaskPng(row.png);
    return encodeMaskRle(mask, width, height);
  };
  const coronal = await toRle(store.latestMask(caseId, 'coronal', source));
  if (!coronal) return null;
  return {
    coronal,
    transverse: await toRle(store.latestMask(caseId, 'transverse', source)),
  };
}

/** Saves a case's masks and estimates under one model hash (the one every estimate records). */
export class MaskSaver {
  constructor(
    private readonly store: CaseStore,
    private readonly modelHash: string,
  ) {}

  /**
   * Saves the views whose mask changed as new versions, with the estimate (null: the masks only,
   * as for an uncalibrated case, which has no volume) and the reader's calipers.
   */
  async save(
    open: CaseMasks,
    masks: Masks,
    estimate: Estimate | null,
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
    estimate: Estimate | null,
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
      recordCalipers(this.store, open.caseId, calipers, author);
      return written;
    });
    // Only after the commit: the in-memory "last saved" must never run ahead of the database.
    for (const w of saved) open.latest[w.view] = { maskId: w.id, mask: w.mask };
  }
}
