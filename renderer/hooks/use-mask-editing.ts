/**
 * Editing the masks: strokes (applied in place by the viewers), whole-mask operations on the active
 * view, reset to the AI's masks, and undo/redo over one history for both views and the calipers
 * (placed and removed through `changeCalipers`). The masks live in `masksRef` and change at
 * pointer rate; `maskVersion` says when they changed, and every change asks for a new estimate
 * through `onMasksChanged`. A read-only case (signed off) refuses them all.
 */
import { useCallback, useRef, useState, type RefObject } from 'react';
import type { CaseView, ViewName } from '../../src/api';
import { calibrationOf } from '../case-views';
import {
  applyDelta,
  diffMasks,
  discardOpenStrokes,
  strokeInProgress,
  strokeMaskOf,
  type MaskDelta,
} from '../editing/delta';
import { EditHistory, type HistoryEntry } from '../editing/history';
import { fillMaskHoles, keepLargestIsland, smoothMask } from '../editing/morphology';
import type { MaskSet } from '../viewer/types';
import type { CaliperSnapshot, EstimateInputsState } from './use-estimate-inputs';

export interface MaskEditing {
  maskVersion: number;
  canUndo: boolean;
  canRedo: boolean;
  onStrokeEnd(view: ViewName, delta: MaskDelta): void;
  undo(): void;
  redo(): void;
  smooth(): void;
  fillHoles(): void;
  keepLargestIsland(): void;
  resetToAi(): void;
  /**
   * Drops the masks and their history (another case is opening), discarding a stroke still being
   * painted on them.
   */
  clearMasks(): void;
  /** The masks were replaced outside the editing tools (a case opened): redraw and re-estimate. */
  masksChanged(): void;
  /**
   * Places or removes calipers with `change` (through the estimate inputs) as one undoable step,
   * and asks for a new estimate; nothing is recorded when `change` changed nothing.
   */
  changeCalipers(change: () => unknown): void;
}

/** The calipers as the history needs them: read now, and shown again as they were. */
export interface CalipersAccess {
  read(): CaliperSnapshot;
  show(snapshot: CaliperSnapshot): void;
}

/** The estimate inputs' calipers for the history, with their draw order (Delete's order). */
export function caliperAccess(
  inputs: Pick<EstimateInputsState, 'caliperSnapshot' | 'restoreCalipers'>,
): CalipersAccess {
  return { read: inputs.caliperSnapshot, show: inputs.restoreCalipers };
}

/** Whether two snapshots hold the same lines (a redrawn identical line changes nothing). */
const sameCalipers = (a: CaliperSnapshot, b: CaliperSnapshot): boolean =>
  a.calipers === b.calipers || JSON.stringify(a.calipers) === JSON.stringify(b.calipers);

type WholeMaskOp = (mask: Uint8Array, width: number, height: number, view: ViewName) => Uint8Array;

export function useMaskEditing({
  masksRef,
  activeView,
  caseView,
  setMessage,
  onMasksChanged,
  readOnly = null,
  calipers,
}: {
  masksRef: RefObject<MaskSet>;
  activeView: ViewName;
  caseView: CaseView | null;
  setMessage(message: string): void;
  onMasksChanged(): void;
  /**
   * Why the case in the viewer may not be edited (it is signed off), or null: every edit is then
   * refused with this message, since the store would not save it.
   */
  readOnly?: string | null;
  /** The calipers, so that placing and removing them are steps of the same history. */
  calipers?: CalipersAccess;
}): MaskEditing {
  const [maskVersion, setMaskVersion] = useState(0);
  const historyRef = useRef(new EditHistory<ViewName>(100));
  // Bumped when the history changes without the masks (a caliper step): canUndo is read at render.
  const [, setHistoryVersion] = useState(0);
  // Read through a ref: a stroke's end may arrive from a handler bound before the case changed.
  const readOnlyRef = useRef(readOnly);
  readOnlyRef.current = readOnly;

  const masksChanged = useCallback(() => {
    setMaskVersion((n) => n + 1);
    onMasksChanged();
  }, [onMasksChanged]);

  const onStrokeEnd = useCallback(
    (view: ViewName, delta: MaskDelta) => {
      const refusal = readOnlyRef.current;
      const mask = masksRef.current[view]?.current;
      // A stroke painted on masks no longer shown (a case switch while the button was held, its
      // end reported by a pane on its way out) belongs to no case now: applied to this case's
      // history, its undo would paint the old stroke here and save it. Its own mask gets its
      // pixels back, as for any discarded stroke; nothing here changes.
      const paintedOn = strokeMaskOf(delta);
      if (paintedOn !== undefined && paintedOn !== mask) {
        applyDelta(paintedOn, delta, 'backward');
        return;
      }
      if (refusal !== null) {
        // The viewer refuses strokes on a read-only case as they start; one that got through (begun
        // just before the case was signed off) is put back, so the screen shows what is stored.
        if (mask) applyDelta(mask, delta, 'backward');
        setMessage(refusal);
        setMaskVersion((n) => n + 1);
        return;
      }
      historyRef.current.push({ target: view, delta });
      // The viewer already redrew its overlay; the panels need the new version and estimate.
      masksChanged();
    },
    [masksChanged, masksRef, setMessage],
  );

  const clearMasks = useCallback(() => {
    // A stroke still being painted (the button held through the switch) is discarded now, before
    // the next case is shown: however its gesture ends later, it has no delta left to record.
    for (const m of Object.values(masksRef.current)) if (m) discardOpenStrokes(m.current);
    historyRef.current.clear();
    masksRef.current = {};
  }, [masksRef]);

  const maskFor = (view: ViewName): Uint8Array => {
    const m = masksRef.current[view];
    if (!m) throw new Error(`No mask for the ${view} view`);
    return m.current;
  };
  /**
   * Undo, redo and whole-mask operations are refused on a read-only case (the store would not save
   * them), and ignored while a stroke is being painted (Ctrl+Z with the button held): the stroke's
   * delta is recorded against the pixels as they were when it began.
   */
  const refused = (name: string): boolean => {
    if (readOnly !== null) {
      setMessage(`${name}: ${readOnly}`);
      return true;
    }
    const busy = Object.values(masksRef.current).some((m) => m && strokeInProgress(m.current));
    if (busy) setMessage(`${name}: finish the stroke first`);
    return busy;
  };
  const undo = () => {
    if (refused('Undo')) return;
    if (historyRef.current.undo(maskFor)) masksChanged();
  };
  const redo = () => {
    if (refused('Redo')) return;
    if (historyRef.current.redo(maskFor)) masksChanged();
  };

  /** Applies a whole-mask operation to the active view as one undoable step. */
  const applyWhole = (name: string, op: WholeMaskOp) => {
    if (refused(name)) return;
    const view = masksRef.current[activeView] ? activeView : 'coronal';
    const m = masksRef.current[view];
    if (!m) return;
    const next = op(m.current, m.width, m.height, view);
    const delta = diffMasks(m.current, next);
    if (!delta) {
      setMessage(`${name}: nothing to change`);
      return;
    }
    m.current.set(next);
    historyRef.current.push({ target: view, delta });
    setMessage(`${name} on the ${view} mask`);
    masksChanged();
  };
  /** About 1.5 mm in the pixels of the view being smoothed (which may not be the active one). */
  const smoothRadiusPx = (view: ViewName) => {
    const cal = calibrationOf(caseView, view);
    return cal ? Math.max(1, Math.round(1.5 / cal.spacingX)) : 2;
  };

  // Both views in one step: one undo brings back every edit the reset discarded, not half of them.
  const resetToAi = () => {
    if (refused('Reset to AI')) return;
    const step: HistoryEntry<ViewName>[] = [];
    for (const view of ['coronal', 'transverse'] as const) {
      const m = masksRef.current[view];
      if (!m) continue;
      const delta = diffMasks(m.current, m.ai);
      if (!delta) continue;
      m.current.set(m.ai);
      step.push({ target: view, delta });
    }
    historyRef.current.push(step);
    masksChanged();
  };

  // One history with the strokes: Undo after "stroke, caliper" takes the caliper back first.
  const changeCalipers = (change: () => unknown) => {
    if (readOnly !== null) return setMessage(readOnly);
    const before = calipers?.read();
    change();
    if (calipers && before) {
      const after = calipers.read();
      // Nothing changed (no caliper of that kind, the same line again): no step, no estimate.
      if (sameCalipers(before, after)) return;
      historyRef.current.push({
        target: 'calipers',
        undo: () => calipers.show(before),
        redo: () => calipers.show(after),
      });
      // Undo becomes possible: the toolbar is drawn again.
      setHistoryVersion((n) => n + 1);
    }
    onMasksChanged();
  };

  return {
    maskVersion,
    canUndo: historyRef.current.canUndo,
    canRedo: historyRef.current.canRedo,
    onStrokeEnd,
    undo,
    redo,
    smooth: () =>
      applyWhole('Smooth', (m, w, h, view) => smoothMask(m, w, h, smoothRadiusPx(view))),
    fillHoles: () => applyWhole('Fill holes', fillMaskHoles),
    keepLargestIsland: () => applyWhole('Keep largest island', keepLargestIsland),
    resetToAi,
    clearMasks,
    masksChanged,
    changeCalipers,
  };
}
