/**
 * Calibrating a view whose image carries no pixel spacing: the reader draws a line over a known
 * distance on it (its viewer's tool is the calibration line until then), enters the distance, and
 * the engine answers with the calibrated case. An answer for a case the reader has left by then is
 * dropped: it would replace the case now shown.
 */
import { useCallback, useRef, useState } from 'react';
import type { CaseView, SpvApi, ViewName } from '../../src/api';
import { firstUncalibratedView } from '../case-views';

type Point = [number, number];

export interface CalibrationState {
  /** The view that must be calibrated next; null when every view is. */
  uncalibratedView: ViewName | null;
  /** The calibration line's ends when it was drawn on `view`; null otherwise. */
  lineOn(view: ViewName): [Point, Point] | null;
  drawLine(view: ViewName, a: Point, b: Point): void;
  clearLine(): void;
  /** A calibration request is on its way. */
  busy: boolean;
  apply(distanceMm: number): Promise<void>;
}

export function useCalibration({
  api,
  caseView,
  setCaseView,
  setMessage,
  pushError,
  onCalibrated,
}: {
  api: SpvApi;
  caseView: CaseView | null;
  setCaseView(cv: CaseView): void;
  setMessage(message: string): void;
  pushError(source: string, err: unknown): void;
  onCalibrated(): void;
}): CalibrationState {
  const [line, setLine] = useState<{ view: ViewName; a: Point; b: Point } | null>(null);
  const [busy, setBusy] = useState(false);

  const clearLine = useCallback(() => setLine(null), []);
  const shownCaseId = useRef(caseView?.caseId);
  shownCaseId.current = caseView?.caseId;

  const apply = async (distanceMm: number) => {
    if (!caseView || !line) return;
    const caseId = caseView.caseId;
    const left = () => shownCaseId.current !== caseId;
    setBusy(true);
    try {
      const cv = await api.calibrate({
        caseId,
        view: line.view,
        pointA: line.a,
        pointB: line.b,
        distanceMm,
      });
      if (left()) return;
      setCaseView(cv);
      setLine(null);
      setMessage(`${line.view} calibrated`);
      onCalibrated();
    } catch (err) {
      if (left()) return;
      pushError('Calibrate', err);
    } finally {
      setBusy(false);
    }
  };

  return {
    uncalibratedView: firstUncalibratedView(caseView),
    lineOn: (view) => (line?.view === view ? [line.a, line.b] : null),
    drawLine: (view, a, b) => setLine({ view, a, b }),
    clearLine,
    busy,
    apply,
  };
}
