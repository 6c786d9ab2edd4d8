/**
 * Calibrating a view whose image carries no pixel spacing: the reader draws a line over a known
 * distance on it (its viewer's tool is the calibration line until then), enters the distance, and
 * the engine answers with the calibrated case. A calibration the reader drew can be redrawn
 * (Recalibrate), and one that gives an implausible scale keeps the dialog open with a warning
 * until the reader redraws it or keeps it. An answer for a case the reader has left by then is
 * dropped: it would replace the case now shown. A read-only case (signed off) offers no
 * calibration at all, since the store would refuse it: the reader is told why instead.
 */
import { useCallback, useRef, useState, type RefObject } from 'react';
import type { CaseView, SpvApi, ViewName } from '../../src/api';
import { calibrationWarning } from '../../src/imaging/calibration-plausibility';
import {
  calibrationOf,
  firstUncalibratedView,
  recalibrationOf,
  type Recalibration,
} from '../case-views';
import { measuredLengths } from '../measured-lengths';
import type { MaskSet } from '../viewer/types';

type Point = [number, number];

/** What the calibration dialog shows beyond the line and the distance. */
export interface CalibrationDialogState {
  /** 'calibrate': the view has none yet; 'recalibrate': the reader redraws their own. */
  purpose: 'calibrate' | 'recalibrate';
  /** The applied calibration looks implausible: the reader is asked to check it. */
  warning: string | null;
  /** The last calibration was refused (e.g. the case is signed off): the service's words. */
  problem: string | null;
  /** Closes the dialog keeping the current calibration; null when the view has none to keep. */
  onCancel: (() => void) | null;
  /**
   * Puts the calibration off (Escape in a dialog with nothing to keep): the dialog gives way to a
   * button that brings it back, so that a keyboard reader can reach the rest of the window.
   */
  onPutOff: (() => void) | null;
}

/** An uncalibrated view that may not be calibrated now, and why (the case is signed off). */
export interface CalibrationRefusal {
  view: ViewName;
  reason: string;
}

export interface CalibrationState {
  /**
   * The view the calibration dialog is for: the first uncalibrated one (the coronal view first),
   * else the one the reader recalibrates or is asked to check; null when none, and always null
   * on a read-only case (see `refused`).
   */
  uncalibratedView: ViewName | null;
  /**
   * On a read-only case, its first uncalibrated view and why it cannot be calibrated: shown where
   * the dialog would be, so the reader does not draw a line the store would refuse. Else null.
   */
  refused: CalibrationRefusal | null;
  /** The calibration line's ends when it was drawn on `view`; null otherwise. */
  lineOn(view: ViewName): [Point, Point] | null;
  drawLine(view: ViewName, a: Point, b: Point): void;
  clearLine(): void;
  /** A calibration request is on its way. */
  busy: boolean;
  apply(distanceMm: number): Promise<void>;
  /** Whether `view` can be recalibrated now (null while the dialog is open or it has none). */
  recalibrationOf(view: ViewName): Recalibration | null;
  /** Opens the dialog again for `view`, which the reader calibrated. */
  recalibrate(view: ViewName): void;
  dialog: CalibrationDialogState;
  /**
   * The view whose calibration the reader put off (the dialog is then hidden, the view still
   * draws the calibration line); null when the dialog is shown or there is none.
   */
  postponed: ViewName | null;
  /** Shows the dialog put off again. */
  resume(): void;
}

/** Dialog state that belongs to one case: dropped when another case is shown. */
interface ForCase<T> {
  caseId: string;
  value: T;
}

export function useCalibration({
  api,
  caseView,
  setCaseView,
  setMessage,
  pushError,
  onCalibrated,
  masks,
  readOnly = null,
}: {
  api: SpvApi;
  caseView: CaseView | null;
  setCaseView(cv: CaseView): void;
  setMessage(message: string): void;
  pushError(source: string, err: unknown): void;
  onCalibrated(): void;
  /** The masks, to check the coronal length a calibration gives; without them only the scale is. */
  masks?: RefObject<MaskSet>;
  /** Why the case cannot be changed (a signed-off stored case), or null: Recalibrate says it. */
  readOnly?: string | null;
}): CalibrationState {
  const [line, setLine] = useState<{ view: ViewName; a: Point; b: Point } | null>(null);
  const [busy, setBusy] = useState(false);
  const [redo, setRedo] = useState<ForCase<ViewName> | null>(null);
  const [check, setCheck] = useState<ForCase<{ view: ViewName; warning: string }> | null>(null);
  const [problem, setProblem] = useState<ForCase<string> | null>(null);
  const [putOff, setPutOff] = useState<ForCase<ViewName> | null>(null);

  const clearLine = useCallback(() => setLine(null), []);
  const shownCaseId = useRef(caseView?.caseId);
  shownCaseId.current = caseView?.caseId;
  const ofThisCase = <T>(s: ForCase<T> | null): T | null =>
    s && s.caseId === caseView?.caseId ? s.value : null;

  const firstUncalibrated = firstUncalibratedView(caseView);
  const checked = ofThisCase(check);
  const redone = ofThisCase(redo);
  // A calibration being questioned keeps the dialog on its view until the reader redraws or keeps
  // it; only then does the next uncalibrated view get its turn. A read-only case has no dialog:
  // nothing drawn there could be applied.
  const dialogView = readOnly ? null : (checked?.view ?? firstUncalibrated ?? redone);
  // Only a first calibration is put off: a questioned or redone one has its Keep button.
  const postponed = dialogView !== null && !checked && !redone && ofThisCase(putOff) === dialogView;
  const refused: CalibrationRefusal | null =
    readOnly && firstUncalibrated ? { view: firstUncalibrated, reason: readOnly } : null;

  const close = () => {
    setRedo(null);
    setCheck(null);
    setProblem(null);
    setLine(null);
  };

  const apply = async (distanceMm: number) => {
    // Nothing is sent for a read-only case: the store would refuse it.
    if (!caseView || !line || readOnly) return;
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
      close();
      const warning = warningFor(cv, line.view, masks?.current ?? {});
      if (warning) setCheck({ caseId, value: { view: line.view, warning } });
      setMessage(warning ? `${line.view} calibrated: ${warning}` : `${line.view} calibrated`);
      onCalibrated();
    } catch (err) {
      if (left()) return;
      setProblem({ caseId, value: err instanceof Error ? err.message : String(err) });
      pushError('Calibrate', err);
    } finally {
      setBusy(false);
    }
  };

  // The store refuses a signed-off case's calibration: said before the reader redraws one.
  const offer = (view: ViewName): Recalibration | null => {
    const r = recalibrationOf(caseView, view);
    return r?.allowed && readOnly ? { view, allowed: false, reason: readOnly } : r;
  };

  const kept = dialogView !== null ? calibrationOf(caseView, dialogView) : null;
  const calibrated = kept != null;
  /**
   * Keep the current calibration: the dialog closes, and the status line says what was kept in one
   * line; the question asked when it was applied (several lines) is answered, not repeated.
   */
  const keep = () => {
    close();
    if (!dialogView || !kept) return;
    const scale = `${kept.spacingX.toFixed(3)} mm/px`;
    setMessage(
      checked
        ? `${dialogView} calibration kept although questioned (${scale})`
        : `${dialogView} calibration kept (${scale})`,
    );
  };
  return {
    uncalibratedView: dialogView,
    refused,
    lineOn: (view) => (line?.view === view ? [line.a, line.b] : null),
    drawLine: (view, a, b) => {
      // A line drawn on a view put off brings its dialog back, to take the distance.
      setPutOff(null);
      setLine({ view, a, b });
    },
    clearLine,
    busy,
    apply,
    recalibrationOf: (view) => (dialogView ? null : offer(view)),
    recalibrate: (view) => {
      if (!caseView || !offer(view)?.allowed) return;
      close();
      setRedo({ caseId: caseView.caseId, value: view });
    },
    dialog: {
      purpose: calibrated ? 'recalibrate' : 'calibrate',
      warning: checked?.warning ?? null,
      problem: ofThisCase(problem),
      onCancel: calibrated ? keep : null,
      onPutOff:
        !calibrated && caseView && dialogView
          ? () => {
              setLine(null);
              setPutOff({ caseId: caseView.caseId, value: dialogView });
              setMessage(
                `${dialogView} calibration put off: draw a line on the ${dialogView} image, or use Calibrate the ${dialogView} image…, to calibrate it`,
              );
            }
          : null,
    },
    postponed: postponed ? dialogView : null,
    resume: () => setPutOff(null),
  };
}

/** The plausibility warning for `view`'s new calibration, with the coronal mask's length. */
function warningFor(cv: CaseView, view: ViewName, masks: MaskSet): string | null {
  const calibration = calibrationOf(cv, view);
  if (!calibration) return null;
  const noCalipers = { coronal: [], transverse: [] };
  const lengthCm = view === 'coronal' ? measuredLengths(masks, cv, noCalipers).mask.length : null;
  // A drawn calibration has square pixels: one spacing says it.
  return calibrationWarning(calibration.spacingX, lengthCm);
}
