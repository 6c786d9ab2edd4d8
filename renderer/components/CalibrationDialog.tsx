/**
 * Calibration for an image without a physical pixel size: the reader draws a line between two
 * marks of the depth ruler and types the known distance. Until the coronal view is calibrated no
 * volume is shown; an uncalibrated transverse view is left out of the volume. Also redraws a
 * calibration the reader made, and asks them to check one that gives an implausible scale.
 */
import { useState, type JSX } from 'react';
import type { ViewName } from '../../src/api';
import type { CalibrationDialogState, CalibrationRefusal } from '../hooks/use-calibration';

export interface CalibrationDialogProps extends Partial<CalibrationDialogState> {
  view: ViewName;
  line: [[number, number], [number, number]] | null;
  busy: boolean;
  onApply(distanceMm: number): void;
}

/** Why this view needs calibrating, in words true for it (the volume does not always wait). */
function whyCalibrate(view: ViewName): string {
  return view === 'coronal'
    ? 'This image carries no pixel size, so no volume can be computed until this view is calibrated.'
    : 'This image carries no pixel size: the transverse view is not used until calibrated; the volume shown comes from the coronal view alone.';
}

export function CalibrationDialog(p: CalibrationDialogProps): JSX.Element {
  // Empty, not a typical value: an untouched default would calibrate silently and wrongly.
  const [distance, setDistance] = useState('');
  // A distance typed for one view is not another's: cleared when the dialog moves on (it stays
  // mounted from the coronal view to the transverse one).
  const task = `${p.view}-${p.purpose ?? 'calibrate'}`;
  const [typedFor, setTypedFor] = useState(task);
  if (typedFor !== task) {
    setTypedFor(task);
    setDistance('');
  }
  const mm = Number(distance);
  const valid = distance.trim() !== '' && Number.isFinite(mm) && mm > 0 && mm <= 1000;
  const px = p.line ? Math.hypot(p.line[1][0] - p.line[0][0], p.line[1][1] - p.line[0][1]) : 0;
  const redo = p.purpose === 'recalibrate';
  const canApply = p.line !== null && valid && !p.busy;
  return (
    <div
      className="dialog calibration"
      role="dialog"
      aria-labelledby="calibration-title"
      data-testid="calibration-dialog"
      data-purpose={redo ? 'recalibrate' : 'calibrate'}
    >
      <h2 id="calibration-title">
        {redo ? 'Recalibrate' : 'Calibrate'} the {p.view} image
      </h2>
      {p.warning && (
        <p className="warning strong" role="alert" data-testid="calibration-warning">
          ⚠ {p.warning}
        </p>
      )}
      <p data-testid="calibration-why">
        {redo ? 'The current calibration stays until you apply a new one.' : whyCalibrate(p.view)}{' '}
        Drag a line on the image between two marks of the depth ruler, then enter the distance
        between them.
      </p>
      <p data-testid="calibration-line">
        {p.line ? `Line drawn: ${px.toFixed(1)} px` : 'No line drawn yet.'}
      </p>
      {/* A form, so that Enter in the distance applies it as the button does. */}
      <form
        className="calibration-apply"
        // Our own checks decide (a step mismatch such as 60.05 mm must not block Enter silently).
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          if (canApply) p.onApply(mm);
        }}
      >
        <label>
          Known distance{' '}
          <input
            type="number"
            min={0.1}
            max={1000}
            step={0.1}
            value={distance}
            placeholder="mm"
            data-testid="calibration-distance"
            onChange={(e) => setDistance(e.target.value)}
          />{' '}
          mm
        </label>{' '}
        <button
          type="submit"
          data-testid="calibration-apply"
          disabled={!canApply}
          title={valid ? undefined : 'Enter the distance between the two ruler marks in mm'}
        >
          Apply calibration
        </button>
      </form>
      {p.onCancel && (
        <>
          {' '}
          <button type="button" data-testid="calibration-keep" onClick={p.onCancel}>
            Keep the current calibration
          </button>
        </>
      )}
      {p.problem && (
        <p className="warning" role="alert" data-testid="calibration-problem">
          {p.problem}
        </p>
      )}
    </div>
  );
}

/**
 * In the dialog's place on a read-only (signed-off) case with an uncalibrated view: why that view
 * cannot be calibrated, and what it means for the volume. No line can be drawn there.
 */
export function CalibrationRefused({ view, reason }: CalibrationRefusal): JSX.Element {
  return (
    <div
      className="dialog calibration"
      role="note"
      aria-labelledby="calibration-refused-title"
      data-testid="calibration-refused"
    >
      <h2 id="calibration-refused-title">The {view} image cannot be calibrated</h2>
      <p>
        {whyCalibrate(view)} {reason}.
      </p>
    </div>
  );
}
