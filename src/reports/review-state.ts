/**
 * Whether a reader has reviewed a case's final masks, and how: a case nobody reviewed still holds
 * the AI's masks as its "final" ones, so counting it would read as perfect AI–final agreement
 * (Dice 1, zero volume difference) in a session's statistics, and its report must not say that a
 * reader accepted the AI's segmentation.
 */
import type { CaseStore } from '../store/store';
import type { CaseRow, EstimateRow } from '../store/types';

/** Where a case's final masks come from, as far as a reader is concerned. */
export type MaskReview = 'corrected' | 'ai-accepted' | 'ai-not-reviewed';

export interface CaseReview {
  masks: MaskReview;
  /** Who corrected, accepted or signed off the masks; null when nobody did. */
  reader: string | null;
  /** Why the case counts as not reviewed (null when it was). */
  notReviewedReason: string | null;
  /**
   * True when the masks were edited after the latest estimate and that edit has no volume yet:
   * the estimate's numbers are not the latest masks' (a report says so beside its status).
   */
  stale: boolean;
}

/**
 * What a caller already read of the case, passed so that it is not read again: the case's row
 * and its latest estimate (CaseStore.getCase and latestEstimate, null when it has none).
 */
export interface KnownCase {
  row?: CaseRow;
  latestEstimate?: EstimateRow | null;
}

/**
 * A case is reviewed when a reader corrected its masks, accepted the AI's, or signed it off (a
 * sign-off since undone by an unlock still means its masks were read); opening, flagging or a
 * time record alone is not a review. `known`: the row and latest estimate the caller already holds
 * (a session summary or case report reads them anyway), so that each is read once.
 */
export function caseReview(store: CaseStore, caseId: number, known: KnownCase = {}): CaseReview {
  const row = known.row ?? store.getCase(caseId);
  const final =
    known.latestEstimate === undefined ? store.latestEstimate(caseId) : known.latestEstimate;
  // The reader's last edit has no volume (its estimate failed, or it was never estimated): the
  // final volume is not the final masks'. Reported with the estimate's masks, not counted.
  const edited = final !== null && store.masksChangedSince(caseId, final);
  const stale = edited ? 'edited after its latest estimate; that edit has no volume yet' : null;
  // A reader's edits undone (Reset to AI) leave a manual version equal to the AI's: not a correction.
  if (final?.source === 'manual' && !sameAsAi(store, caseId, final))
    return {
      masks: 'corrected',
      reader: row.signedOffBy ?? final.author,
      notReviewedReason: stale,
      stale: edited,
    };
  const audit = store.auditLog(caseId);
  const lastOf = (action: string) => audit.findLast((a) => a.action === action)?.actor ?? null;
  const acceptedBy =
    row.signedOffBy ?? lastOf('case.accept-ai') ?? (final ? lastOf('case.sign-off') : null);
  if (final && acceptedBy)
    return { masks: 'ai-accepted', reader: acceptedBy, notReviewedReason: stale, stale: edited };
  return {
    masks: 'ai-not-reviewed',
    reader: null,
    notReviewedReason: notReviewedReason(row.status, final !== null),
    stale: edited,
  };
}

/** True when every mask behind the estimate is, pixel for pixel, the AI's latest of its view. */
function sameAsAi(
  store: CaseStore,
  caseId: number,
  estimate: { coronalMaskId: number | null; transverseMaskId: number | null },
): boolean {
  const ai = store.latestMasks(caseId, 'ai');
  const views = [
    ['coronal', estimate.coronalMaskId],
    ['transverse', estimate.transverseMaskId],
  ] as const;
  return views.every(([view, id]) => {
    if (id === null) return true;
    const latestAi = ai[view];
    if (!latestAi) return false;
    // The AI's version itself: nothing to compare.
    if (latestAi.id === id) return true;
    const used = store.maskById(id);
    // The PNG encoding is deterministic: the same pixels give the same bytes.
    return used !== null && used.png.equals(latestAi.png);
  });
}

function notReviewedReason(status: string, estimated: boolean): string {
  if (!estimated) return 'no volume yet (not calibrated or not segmented)';
  if (status === 'new' || status === 'ai-ready') return 'never opened by a reader';
  if (status === 'flagged') return 'flagged; the AI mask was neither accepted nor corrected';
  return 'opened, but the AI mask was neither accepted nor corrected';
}
