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
