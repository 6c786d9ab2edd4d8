/**
 * The lengths the comparison panel shows beside the formulas, in cm: the reader's calipers, and the
 * lengths measured on the current masks (PIPELINE §7). Only calibrated views give lengths.
 */
import type { CaseView, ViewName } from '../src/api';
import { spacingForMask } from '../src/imaging/calibration';
import { measureMask, type MaskMeasurements } from '../src/imaging/measure';
import { calibrationOf } from './case-views';
import type { MeasuredLengths } from './components/ComparisonPanel';
import { caliperLengthMm } from './editing/calipers';
import type { CalipersByView, MaskSet } from './viewer/types';

export function caliperLengthsCm(
  all: CalipersByView,
  cv: CaseView | null,
): MeasuredLengths['caliper'] {
  const out: MeasuredLengths['caliper'] = {};
  if (!cv) return out;
  for (const view of ['coronal', 'transverse'] as const) {
    const cal = calibrationOf(cv, view);
    if (!cal) continue;
    for (const c of all[view]) {
      // A caliper without a scale (outside the regions, or across two) gives no length; the
      // engine refuses the estimate with the reason until it is redrawn.
      const { mm } = caliperLengthMm(c, cal);
      if (mm !== null) out[c.kind] = mm / 10;
    }
  }
  return out;
}

export function measuredLengths(
  masks: MaskSet,
  cv: CaseView | null,
  calipers: CalipersByView,
): MeasuredLengths {
  const out: MeasuredLengths = {
    mask: { length: null, width: null, thickness: null, craniocaudal: null },
    caliper: caliperLengthsCm(calipers, cv),
  };
  const coronal = measureView(masks, cv, 'coronal');
  if (coronal) {
    out.mask.length = coronal.lengthMm / 10;
    out.mask.craniocaudal = coronal.craniocaudalMm / 10;
  }
  // The transverse mask's long axis is the organ's width, its short axis the thickness.
  const transverse = measureView(masks, cv, 'transverse');
  if (transverse) {
    out.mask.width = transverse.lengthMm / 10;
    out.mask.thickness = transverse.widthMm / 10;
  }
  return out;
}

function measureView(masks: MaskSet, cv: CaseView | null, view: ViewName): MaskMeasurements | null {
  const m = masks[view];
  const cal = calibrationOf(cv, view);
  if (!m || !cal) return null;
  try {
    // The scale of the ultrasound region holding the outline, as the engine's volume uses.
    return measureMask(
      m.current,
      m.width,
      m.height,
      spacingForMask(m.current, m.width, m.height, cal),
    );
  } catch {
    return null; // no single scale: the estimate is refused with the reason
  }
}
