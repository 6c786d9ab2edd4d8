/**
 * A view added to a stored case after the AI ran on it (`<x>_transverse.png` imported after its
 * `<x>_coronal.png`, a DICOM of the study imported later): OpenCases runs the AI only on a case
 * without an AI outline, so the new view would stay without one, and the case's volume would stay
 * the single view's. Here the AI outlines the new view (a new AI mask version of it) and the case
 * gets a new estimate of both views: of the AI's outlines (what "AI vs final" compares) and, when
 * the reader corrected the coronal outline, of the reader's after it (the case's latest, as it
 * shows). A case a reader had opened goes back to in review: the AI's outline of the new view
 * is theirs to check. Audited as 'ai.view-added'.
 *
 * A signed-off case is left as it is: import refuses to add a view to one (src/store/import.ts),
 * and a case given one before that rule gets its outline once unlocked and opened again.
 */
import { isSpvError } from '../api/errors';
import { maskArea } from '../imaging/components';
import { decodeMaskRle } from '../imaging/mask-codec';
import { encodeMaskPng } from '../store/mask-png';
import type { CaseStore } from '../store/store';
import type { MaskSource } from '../store/types';
import { savedCaliperLines } from './calipers';
import { AI_NO_VOLUME } from './import-ai-results';
import type { OpenCases, OpenStoredCase } from './open-cases';
import {
  estimableMasks,
  fits,
  imageSizes,
  readerPatient,
  storedMasks,
  type EstimateToSave,
} from './saved-masks';

export interface AddedViewsDeps {
  store: CaseStore;
  openCases: OpenCases;
  /** The hash of the model files every estimate records (StoreService.modelHash). */
  modelHash: string;
}

/**
 * Whether the case's transverse view was added after the AI ran: it has an image but no AI
 * outline while the coronal view has one. (A coronal view cannot be added so: without an AI
 * coronal outline OpenCases.open runs the AI on both views.) False for a signed-off case (see
 * above).
 */
export function transverseAddedAfterAi(store: CaseStore, caseId: number): boolean {
  if (!store.latestMask(caseId, 'coronal', 'ai')) return false;
  if (store.latestMask(caseId, 'transverse', 'ai')) return false;
  if (!store.images(caseId).some((image) => image.view === 'transverse')) return false;
  return store.getCase(caseId).status !== 'signed-off';
}

/** One estimate to save of the case with its new view: the coronal outline it used, and whose. */
interface PlannedEstimate {
  source: MaskSource;
  coronalMaskId: number;
  toSave: EstimateToSave;
  /** Whether it used the transverse outline (an uncalibrated transverse view is left out). */
  usedTransverse: boolean;
}

/**
 * Outlines the transverse view of an open stored case when it was added after the AI ran, and
 * saves the outline with the new estimates (see above); does nothing otherwise. `actor` (the
 * import, or the reader opening the case) is recorded in the audit entry; the outline and the
 * estimates are the model's.
 */
export async function outlineAddedView(
  deps: AddedViewsDeps,
  open: OpenStoredCase,
  actor: string,
): Promise<void> {
  const { store, openCases } = deps;
  const caseId = open.caseId;
  if (!transverseAddedAfterAi(store, caseId)) return;
  const transverse = await openCases.segment(open, 'transverse');
  const mask = decodeMaskRle(transverse);
  const png = await encodeMaskPng(mask, transverse.width, transverse.height);

  // Estimates of the AI's coronal outline and, when the reader corrected it, of theirs. Their
  // patient inputs and calipers do not depend on the outlines: kept, as Accept AI keeps them.
  const last = store.latestEstimate(caseId);
  const inputs = {
    patient: readerPatient(store, caseId, open.view),
    caliperLines: last ? savedCaliperLines(store, caseId, last) : null,
  };
  const coronalSize = imageSizes(open.view).coronal;
  const planned: PlannedEstimate[] = [];
  const noVolume: string[] = [];
  const plan = async (source: MaskSource | undefined) => {
    const row = store.latestMask(caseId, 'coronal', source)!;
    const coronal = (await storedMasks(store, caseId, source))!.coronal;
    // An outline that no longer fits its image is never estimated (OpenCases.refit replaced it).
    if (!coronalSize || !fits(coronal, coronalSize)) return;
    const usable = estimableMasks(open.view, { coronal, transverse });
    if (!usable) return; // not calibrated, no volume: the outline is saved all the same
    try {
      planned.push({
        source: row.source,
        coronalMaskId: row.id,
        toSave: await openCases.estimateToSave(open, { masks: usable, ...inputs }),
        usedTransverse: usable.transverse !== null,
      });
    } catch (error) {
      // Outlines that give no volume (empty, too large for the grid) are kept for the reader.
      if (!isSpvError(error) || error.code !== 'bad-input') throw error;
      noVolume.push(`the ${row.source === 'ai' ? "AI's" : "reader's"} outlines: ${error.message}`);
    }
  };
  await plan('ai');
  if (store.latestMask(caseId, 'coronal')?.source === 'manual') await plan(undefined);

  const maskId = store.transaction(() => {
    // Another opening of the case (the viewer, an import) outlined the view meanwhile.
    if (!transverseAddedAfterAi(store, caseId)) return null;
    const saved = store.addMask({
      caseId,
      view: 'transverse',
      source: 'ai',
      author: 'model',
      width: transverse.width,
      height: transverse.height,
      areaPx: maskArea(mask),
      png,
    });
    const estimates = planned.map((p) => {
      const row = store.addEstimate({
        caseId,
        source: p.source,
        coronalMaskId: p.coronalMaskId,
        transverseMaskId: p.usedTransverse ? saved.id : null,
        modelHash: deps.modelHash,
        author: 'model',
        estimate: p.toSave.estimate,
        calibration: p.toSave.calibration,
        patient: p.toSave.patient,
        caliperLines: p.toSave.caliperLines,
      });
      return {
        id: row.id,
        source: p.source,
        model: row.estimate.model,
        volumeMl: row.estimate.volumeMl,
      };
    });
    const before = store.getCase(caseId).status;
    const reason = 'the AI outlined the transverse view added to the case';
    // A reader's review (or correction) did not see this view: it is to be reviewed again.
    if (before === 'in-review' || before === 'corrected')
      store.setStatus(caseId, 'in-review', 'model', { reason });
    else if (before === 'new' && estimates.length > 0)
      store.setStatus(caseId, 'ai-ready', 'model', { reason });
    if (noVolume.length > 0)
      store.audit('model', AI_NO_VOLUME, caseId, { reason: noVolume.join('; ') });
    store.audit(actor, 'ai.view-added', caseId, {
      view: 'transverse',
      maskId: saved.id,
      estimates,
      statusBefore: before,
      ...(noVolume.length > 0 && { noVolume }),
    });
    return saved.id;
  });
  // Only after the commit: the in-memory "last saved" must never run ahead of the database.
  if (maskId !== null) open.latest.transverse = { maskId, mask };
}
