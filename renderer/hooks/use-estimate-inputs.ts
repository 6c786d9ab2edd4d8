/**
 * The opened case, the patient and the calipers: what every estimate is computed from. React state
 * for the panels, and `latest` for the request builders. A request is built when it is actually
 * sent, which can be before React renders the change that scheduled it, so the setters that come
 * before a re-estimate also write `latest` at once.
 */
import { useCallback, useRef, useState, type RefObject } from 'react';
import type { CaliperLine, CaseView, Patient, ViewName } from '../../src/api';
import { nextCaliperKind, placeCaliper } from '../editing/calipers';
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
  /** Places a caliper on `view`: the next kind the view needs, replacing an older one of it. */
  addCaliper(view: ViewName, a: [number, number], b: [number, number]): void;
  clearCalipers(): void;
  /**
   * Shows a reopened stored case's own inputs: the patient and the caliper lines its latest
   * estimate used (so that the first estimate repeats it instead of replacing it).
   */
  restoreInputs(patient: Patient | null, lines: readonly CaliperLine[]): void;
}

const noPatient = (): Patient => ({ ageYears: null, sex: null, heightCm: null });

const noCalipers = (): CalipersByView => ({ coronal: [], transverse: [] });

export function useEstimateInputs(): EstimateInputsState {
  const [caseView, setCaseViewState] = useState<CaseView | null>(null);
  const [patient, setPatientState] = useState<Patient>(noPatient);
  const [calipers, setCalipers] = useState<CalipersByView>(noCalipers);

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

  // Built from `latest`, not inside a state updater: React may run an updater only at the next
  // render, so a second caliper placed before it (or a request sent before it) would miss the first.
  const addCaliper = useCallback((view: ViewName, a: [number, number], b: [number, number]) => {
    const all = latest.current.calipers;
    const next = {
      ...all,
      [view]: placeCaliper(all[view], { kind: nextCaliperKind(view, all[view]), a, b }),
    };
    latest.current.calipers = next;
    setCalipers(next);
  }, []);

  // Also at once: opening another case clears the calipers and estimates before React renders, and
  // that estimate must not carry (and, for a stored case, save) the previous case's calipers.
  const clearCalipers = useCallback(() => {
    const none = noCalipers();
    setCalipers(none);
    latest.current.calipers = none;
  }, []);

  const restoreInputs = useCallback((p: Patient | null, lines: readonly CaliperLine[]) => {
    const restored = { ...noPatient(), ...p };
    const byView = noCalipers();
    for (const { view, kind, a, b } of lines) byView[view].push({ kind, a, b });
    latest.current.patient = restored;
    latest.current.calipers = byView;
    setPatientState(restored);
    setCalipers(byView);
  }, []);

  return {
    caseView,
    patient,
    calipers,
    latest,
    setCaseView,
    setPatient,
    addCaliper,
    clearCalipers,
    restoreInputs,
  };
}
