/**
 * Where the decoder's reconstruction of a view lies over its image: the G×G grid, centred on the
 * mask's centroid, converted from mm to image pixels.
 */
import type { Calibration, Explanation, ViewName } from '../../src/api';
import { maskCentroidMm } from '../editing/overlay';
import { reconstructionCanvas } from './image-adjust';
import type { ViewMasks } from './types';
import type { ReconstructionPlacement } from './ViewerPane';

/** Null when the explanation has no reconstruction of the view or the mask is empty. */
export function placeReconstruction(
  explanation: Explanation,
  view: ViewName,
  masks: ViewMasks,
  cal: Calibration,
): ReconstructionPlacement | null {
  const rec = explanation.reconstruction.find((r) => r.view === view);
  const centre = maskCentroidMm(
    masks.current,
    masks.width,
    masks.height,
    cal.spacingX,
    cal.spacingY,
  );
  if (!rec || !centre) return null;
  const extentMm = rec.size * explanation.gridSpacingMm;
  return {
    canvas: reconstructionCanvas(rec.values, rec.size),
    x: (centre[0] - extentMm / 2) / cal.spacingX,
    y: (centre[1] - extentMm / 2) / cal.spacingY,
    width: extentMm / cal.spacingX,
    height: extentMm / cal.spacingY,
  };
}
