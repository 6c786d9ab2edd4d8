/**
 * Calibration for an image without a physical pixel size: the reader draws a line between two
 * marks of the depth ruler and types the known distance. Until then no volume is shown.
 */
import { useState, type JSX } from 'react';
import type { ViewName } from '../../src/api';

export interface CalibrationDialogProps {
  view: ViewName;
  line: [[number, number], [number, number]] | null;
  busy: boolean;
  onApply(distanceMm: number): void;
}

export function CalibrationDialog(p: CalibrationDialogProps): JSX.Element {
  const [distance, setDistance] = useState('10');
  const mm = Number(distance);
  const valid = Number.isFinite(mm) && mm > 0 && mm <= 1000;
  const px = p.line ? Math.hypot(p.line[1][0] - p.line[0][0], p.line[1][1] - p.line[0][1]) : 0;
  return (
    <div
      className="dialog calibration"
      role="dialog"
      aria-labelledby="calibration-title"
      data-testid="calibration-dialog"
    >
      <h2 id="calibration-title">Calibrate the {p.view} image</h2>
      <p>
        This image carries no pixel size, so no volume can be computed. Drag a line on the image
        between two marks of the depth ruler, then enter the distance between them.
      </p>
      <p data-testid="calibration-line">
        {p.line ? `Line drawn: ${px.toFixed(1)} px` : 'No line drawn yet.'}
      </p>
      <label>
        Known distance{' '}
        <input
          type="number"
          min={0.1}
          max={1000}
          step={0.1}
          value={distance}
          data-testid="calibration-distance"
          onChange={(e) => setDistance(e.target.value)}
        />{' '}
        mm
      </label>{' '}
      <button
        type="button"
        data-testid="calibration-apply"
        disabled={!p.line || !valid || p.busy}
        onClick={() => p.onApply(mm)}
      >
        Apply calibration
      </button>
    </div>
  );
}
