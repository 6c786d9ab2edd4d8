/**
 * Swapping a stored case's views (StoreApi.swapViews), for a pair imported named the wrong way
 * round: the store relabels the two images and carries each one's outlines to its new label
 * (CaseStore.swapViews); here the case is opened again the new way round and given a fresh
 * estimate, so that the worklist's volume and check-first items are the swapped case's, and
 * sign-off has an estimate of it to take (it takes no estimate made before the swap).
 */
import type { Masks } from '../api/contract';
import { SpvError, isSpvError } from '../api/errors';
import type { CaseStore } from '../store/store';
import type { MaskSource } from '../store/types';
import type { OpenCases, OpenStoredCase } from './open-cases';
import { estimableMasks, readerPatient, storedMasks } from './saved-masks';

export interface SwapViewsDeps {
  store: CaseStore;
  openCases: OpenCases;
  /** The hash of the model files every estimate records (StoreService.modelHash). */
  modelHash: string;
}

/** A case's latest outlines (of one source, if given), with the mask versions they are. */
interface Outlines {
  masks: Masks;
  ids: { coronal: number; transverse: number | null };
}

async function latestOutlines(
  store: CaseStore,
  caseId: number,
  source?: MaskSource,
): Promise<Outlines | null> {
  const coronal = store.latestMask(caseId, 'coronal', source);
  const masks = await storedMasks(store, caseId, source);
  if (!coronal || !masks) return null;
  const transverse = store.latestMask(caseId, 'transverse', source);
  return { masks, ids: { coronal: coronal.id, transverse: transverse?.id ?? null } };
}

/**
 * Swaps the case's views, opens it again and saves its new estimates: the AI's outlines' (the AI
 * estimate of the swapped case, which "AI vs final" compares with) and, when a reader corrected
 * them, the reader's outlines' after it (the case's latest, as it shows). The reader's patient
 * inputs are kept; their caliper lines are not, as they were drawn and named for the other view.
 * An uncalibrated case gets no estimate (no volume), as before. Throws, once the swap is saved,
 * when an outline gives no volume, saying what to do. `onSwapped` is called once the swap is saved.
 */
export async function swapStoredViews(
  deps: SwapViewsDeps,
  caseId: number,
  reader: string,
  onSwapped: () => void = () => {},
): Promise<void> {
  const { store, openCases } = deps;
  const swap = store.swapViews(caseId, reader);
  openCases.forgetSwapped(caseId);
  onSwapped();
  // A case never opened gets the AI's outlines and its estimate here, the new way round.
  const open = await openCases.open(caseId, reader, null);
  const patient = readerPatient(store, caseId, open.view);
  const latest = store.latestEstimate(caseId);
  const fresh =
    latest !== null &&
    latest.id > (swap.estimateIdBefore ?? 0) &&
    !store.masksChangedSince(caseId, latest);
  if (fresh) return;

  const failures: string[] = [];
  const saveEstimateOf = async (outlines: Outlines, source: MaskSource, author: string) => {
    const masks = estimableMasks(open.view, outlines.masks);
    if (!masks) return;
    try {
      await saveEstimate(deps, open, outlines, masks, source, author, patient);
    } catch (error) {
      if (!isSpvError(error) || error.code !== 'bad-input') throw error;
      failures.push(`the ${source === 'ai' ? "AI's" : "reader's"} outline: ${error.message}`);
    }
  };
  const ai = await latestOutlines(store, caseId, 'ai');
  const final = await latestOutlines(store, caseId);
  if (ai) await saveEstimateOf(ai, 'ai', 'model');
  const corrected =
    final && (final.ids.coronal !== ai?.ids.coronal || final.ids.transverse !== ai?.ids.transverse);
  if (final && corrected) await saveEstimateOf(final, 'manual', reader);
  if (failures.length > 0) {
    throw new SpvError(
      'bad-input',
      `Case ${caseId}: its views are swapped, but there is no volume of ${failures.join('; ')}. Correct the outline in the app until it gives a volume (open the case from the Review tab's worklist; spv cannot edit outlines).`,
    );
  }
}

async function saveEstimate(
  { store, openCases, modelHash }: SwapViewsDeps,
  open: OpenStoredCase,
  outlines: Outlines,
  masks: Masks,
  source: MaskSource,
  author: string,
  patient: Parameters<OpenCases['estimateToSave']>[1]['patient'],
): Promise<void> {
  const toSave = await openCases.estimateToSave(open, { masks, patient, caliperLines: [] });
  store.addEstimate({
    caseId: open.caseId,
    source,
    coronalMaskId: outlines.ids.coronal,
    // The estimate names the transverse outline only when it used it (the view is calibrated).
    transverseMaskId: masks.transverse ? outlines.ids.transverse : null,
    modelHash,
    author,
    estimate: toSave.estimate,
    calibration: toSave.calibration,
    patient: toSave.patient,
    caliperLines: toSave.caliperLines,
  });
}
