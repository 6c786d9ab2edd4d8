/**
 * The opened case, the patient and the calipers: what every estimate is computed from. React state
 * for the panels, and `latest` for the request builders. A request is built when it is actually
 * sent, which can be before React renders the change that scheduled it, so the setters that come
 * before a re-estimate also write `latest` at once.
 */
import { useCallback, useRef, useState, type RefObject } from 'react';
import type { CaliperLine, CaseView, Patient, ViewName } from '../../src/api';
import {
  nextCaliperKind,
  placeCaliper,
  removeCaliper as withoutCaliper,
  suggestedTransverseKind,
  type CaliperKind,
  type TransverseCaliperKind,
} from '../editing/calipers';
import type { CalipersByView } from '../viewer/types';

export interface EstimateInputs {
  caseView: CaseView | null;
  patient: Patient;
  calipers: CalipersByView;
}

export interface EstimateInputsState extends EstimateInputs {
  latest: RefObject<EstimateInputs>;
  setCaseView(cv: CaseView): void;
  setPatient(p: Patient): void;
  /** What the next transverse caliper measures (the Caliper tool's selector shows it). */
  transverseKind: TransverseCaliperKind;
  setTransverseKind(kind: TransverseCaliperKind): void;
  /**
   * Places a caliper on `view`: length on the coronal view, `transverseKind` on the transverse one,
   * replacing the view's caliper of that same kind and no other.
   */
  addCaliper(view: ViewName, a: [number, number], b: [number, number]): void;
  /** Removes the caliper of `kind` (from whichever view holds it); false when there was none. */
  removeCaliper(kind: CaliperKind): boolean;
  /** Removes the caliper drawn last (on either view); what it removed, or null when none is left. */
  removeLastCaliper(): { view: ViewName; kind: CaliperKind } | null;
  clearCalipers(): void;
  /**
   * Shows a reopened stored case's own inputs: the patient and the caliper lines its latest
   * estimate used (so that the first estimate repeats it instead of replacing it).
   */
  restoreInputs(patient: Patient | null, lines: readonly CaliperLine[]): void;
  /** The calipers with the order they were drawn in, as Undo must put them back. */
  caliperSnapshot(): CaliperSnapshot;
  /**
   * Shows the calipers of a snapshot again (undo/redo), with their draw order, so that Delete
   * still removes the one drawn last; the width/thickness selector moves only when the transverse
   * calipers changed, as after a drawing.
   */
  restoreCalipers(snapshot: CaliperSnapshot): void;
}

type Drawn = { view: ViewName; kind: CaliperKind };

export interface CaliperSnapshot {
  calipers: CalipersByView;
  order: readonly Drawn[];
}

const noPatient = (): Patient => ({ ageYears: null, sex: null, heightCm: null });

const noCalipers = (): CalipersByView => ({ coronal: [], transverse: [] });

export function useEstimateInputs(): EstimateInputsState {
  const [caseView, setCaseViewState] = useState<CaseView | null>(null);
  const [patient, setPatientState] = useState<Patient>(noPatient);
  const [calipers, setCalipers] = useState<CalipersByView>(noCalipers);
  const [transverseKind, setTransverseKindState] = useState<TransverseCaliperKind>('width');
  // Read by addCaliper at once, as `latest` is: two calipers drawn before a render take two kinds.
  const chosenKind = useRef<TransverseCaliperKind>(transverseKind);
  // The calipers in the order drawn, oldest first: Delete removes the last one, whichever view.
  const drawOrder = useRef<Drawn[]>([]);

  // The latest values the request builders need, read when a request is actually sent.
  const latest = useRef<EstimateInputs>({ caseView, patient, calipers });
  latest.current = { caseView, patient, calipers };

  const setCaseView = useCallback((cv: CaseView) => {
    setCaseViewState(cv);
    latest.current.caseView = cv;
  }, []);

  const setPatient = useCallback((p: Patient) => {
    setPatientState(p);
    latest.current.patient = p;
  }, []);

  const setTransverseKind = useCallback((kind: TransverseCaliperKind) => {
    chosenKind.current = kind;
    setTransverseKindState(kind);
  }, []);

  // Built from `latest`, not inside a state updater: React may run an updater only at the next
  // render, so a second caliper placed before it (or a request sent before it) would miss the first.
  // The width/thickness selector moves to the kind still missing only when the transverse calipers
  // changed: a coronal length drawn or removed must not undo the reader's choice.
  const showCalipers = useCallback(
    (next: CalipersByView, lastTransverse: TransverseCaliperKind, transverseChanged: boolean) => {
      latest.current.calipers = next;
      setCalipers(next);
      if (transverseChanged)
        setTransverseKind(suggestedTransverseKind(next.transverse, lastTransverse));
    },
    [],
  );

  const addCaliper = useCallback((view: ViewName, a: [number, number], b: [number, number]) => {
    const all = latest.current.calipers;
    const kind = nextCaliperKind(view, chosenKind.current);
    drawOrder.current = [
      ...drawOrder.current.filter((d) => !(d.view === view && d.kind === kind)),
      { view, kind },
    ];
    showCalipers(
      { ...all, [view]: placeCaliper(all[view], { kind, a, b }) },
      chosenKind.current,
      view === 'transverse',
    );
  }, []);

  // The comparison table has one row per kind, so its × removes that kind wherever it was drawn.
  const removeCaliper = useCallback((kind: CaliperKind) => {
    const all = latest.current.calipers;
    if (![...all.coronal, ...all.transverse].some((c) => c.kind === kind)) return false;
    drawOrder.current = drawOrder.current.filter((d) => d.kind !== kind);
    const next = {
      coronal: withoutCaliper(all.coronal, kind),
      transverse: withoutCaliper(all.transverse, kind),
    };
    showCalipers(next, chosenKind.current, kind === 'width' || kind === 'thickness');
    return true;
  }, []);

  const removeLastCaliper = useCallback(() => {
    const last = drawOrder.current.at(-1);
    return last && removeCaliper(last.kind) ? last : null;
  }, []);

  // Also at once: opening another case clears the calipers and estimates before React renders, and
  // that estimate must not carry (and, for a stored case, save) the previous case's calipers.
  const clearCalipers = useCallback(() => {
    drawOrder.current = [];
    showCalipers(noCalipers(), 'width', true);
  }, []);

  const restoreInputs = useCallback((p: Patient | null, lines: readonly CaliperLine[]) => {
    const restored = { ...noPatient(), ...p };
    const byView = noCalipers();
    for (const { view, kind, a, b } of lines) byView[view].push({ kind, a, b });
    drawOrder.current = lines.map(({ view, kind }) => ({ view, kind }));
    latest.current.patient = restored;
    setPatientState(restored);
    showCalipers(byView, 'width', true);
  }, []);

  const caliperSnapshot = useCallback(
    (): CaliperSnapshot => ({ calipers: latest.current.calipers, order: drawOrder.current }),
    [],
  );

  const restoreCalipers = useCallback(({ calipers: next, order }: CaliperSnapshot) => {
    // By content: a removal elsewhere rebuilds the transverse list without changing it.
    const transverseChanged =
      JSON.stringify(next.transverse) !== JSON.stringify(latest.current.calipers.transverse);
    drawOrder.current = [...order];
    showCalipers(next, chosenKind.current, transverseChanged);
  }, []);

  return {
    caseView,
    patient,
    calipers,
    latest,
    setCaseView,
    setPatient,
    transverseKind,
    setTransverseKind,
    addCaliper,
    removeCaliper,
    removeLastCaliper,
    clearCalipers,
    restoreInputs,
    caliperSnapshot,
    restoreCalipers,
  };
}
