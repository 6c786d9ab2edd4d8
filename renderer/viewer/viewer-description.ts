/**
 * What a viewer's canvas shows, in words: a screen reader cannot see the Konva canvases, so the
 * pane names them with the view, the image, whether there is a spleen outline and whether it is
 * shown, and each caliper's measurement (the same words as the caliper's label on the image).
 */
import type { Calibration, ViewName } from '../../src/api';
import { caliperLengthMm, type Caliper } from '../editing/calipers';

/** A caliper's label, as drawn beside it on the image: its kind and its length or why none. */
export function caliperLabelText(caliper: Caliper, calibration: Calibration | null): string {
  const measured = calibration ? caliperLengthMm(caliper, calibration) : null;
  const value = !measured
    ? '(uncalibrated)'
    : measured.mm !== null
      ? `${measured.mm.toFixed(1)} mm`
      : `(${measured.label})`;
  return `${caliper.kind} ${value}`;
}

export interface ViewerContent {
  view: ViewName;
  sourceName: string;
  /** Pixels of the current mask (0: no outline). */
  maskPixels: number;
  overlayVisible: boolean;
  calipers: readonly Caliper[];
  calibration: Calibration | null;
  /** A calibration line is drawn on this view. */
  calibrationLine: boolean;
}

/** The outline's presence, as the reader sees it (or not) on the image. */
function outlineText(maskPixels: number, overlayVisible: boolean): string {
  if (maskPixels === 0) return 'no spleen outline';
  return overlayVisible ? 'spleen outline shown' : 'spleen outline hidden (overlay off)';
}

/** The accessible name of a view's image: what its canvases show, in one sentence. */
export function viewerDescription(c: ViewerContent): string {
  const view = c.view === 'coronal' ? 'Coronal' : 'Transverse';
  const parts = [
    `${view} image ${c.sourceName}`,
    c.calibration ? null : 'uncalibrated',
    outlineText(c.maskPixels, c.overlayVisible),
    ...c.calipers.map((k) => `caliper ${caliperLabelText(k, c.calibration)}`),
    c.calibrationLine ? 'calibration line drawn' : null,
  ];
  return parts.filter((p) => p !== null).join(', ');
}
