/**
 * What the workstation asks of an opened case's views: which there are, their calibration, which
 * still needs one, and which tool each viewer gets meanwhile. Pure, free of React.
 */
import type { Calibration, CaseView, ViewName } from '../src/api';
import type { Tool } from './viewer/types';

/** The coronal view always, the transverse one when the case has it. */
export function viewsOf(cv: CaseView): ViewName[] {
  return cv.transverse ? ['coronal', 'transverse'] : ['coronal'];
}

export function calibrationOf(cv: CaseView | null, view: ViewName): Calibration | null | undefined {
  return view === 'coronal' ? cv?.coronal.calibration : cv?.transverse?.calibration;
}

/** The view that must be calibrated next (the coronal one first); null when none must. */
export function firstUncalibratedView(cv: CaseView | null): ViewName | null {
  if (!cv) return null;
  if (!cv.coronal.calibration) return 'coronal';
  return cv.transverse && !cv.transverse.calibration ? 'transverse' : null;
}

/**
 * The tool a viewer gets: the view awaiting calibration draws the calibration line whatever tool is
 * chosen (panning still pans), and no other view ever draws one.
 */
export function viewerTool(view: ViewName, tool: Tool, uncalibratedView: ViewName | null): Tool {
  if (view === uncalibratedView) return tool === 'pan' ? 'pan' : 'calibrate';
  return tool === 'calibrate' ? 'brush' : tool;
}

/** Whether the reader may redraw a calibrated view's calibration, and why not when not. */
export type Recalibration =
  { view: ViewName; allowed: true } | { view: ViewName; allowed: false; reason: string };

/**
 * Only a calibration the reader drew can be redrawn; the file's own (DICOM regions or pixel
 * spacing, a sidecar) is the scanner's measurement, and a spacing given at opening is changed by
 * opening the case again. Null when the view has no calibration yet (it is being calibrated).
 */
export function recalibrationOf(cv: CaseView | null, view: ViewName): Recalibration | null {
  const calibration = calibrationOf(cv, view);
  if (!calibration) return null;
  switch (calibration.source) {
    case 'user':
      return { view, allowed: true };
    case 'ultrasound-regions':
    case 'pixel-spacing':
      return {
        view,
        allowed: false,
        reason: `The ${view} image carries its own calibration (DICOM pixel spacing); it is the scanner's, and cannot be redrawn.`,
      };
    case 'sidecar':
      return {
        view,
        allowed: false,
        reason: `The ${view} image is calibrated by its own calibration file (sidecar); it cannot be redrawn here.`,
      };
    case 'caller':
      return {
        view,
        allowed: false,
        reason: `The ${view} image uses the spacing given when it was opened; open the case again to change it.`,
      };
  }
}
