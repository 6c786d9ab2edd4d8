/**
 * Physical pixel size from DICOM ultrasound regions (0018,6011) or from a distance the user draws.
 * Pure: the DICOM reader (src/decode) extracts the regions; this module decides what they mean.
 * Like cornerstone3D, a measurement is read region by region and one that spans regions of
 * different scale is refused: a single mm/px cannot describe it.
 */
import type { Calibration } from '../api/contract';
import { SpvError } from '../api/errors';
import type { PixelPoint, Spacing } from './types';

/** One item of the Sequence of Ultrasound Regions, with PhysicalDelta as stored (cm when unit is 3). */
export interface UltrasoundRegion {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  /** RegionSpatialFormat (0018,6012): 1 = 2D tissue/flow. */
  spatialFormat: number;
  /** RegionDataType (0018,6014): 1 = tissue, 2 = colour flow, … */
  dataType: number;
  /** PhysicalUnitsX/YDirection (0018,6024/6026): 3 = cm. */
  unitsX: number;
  unitsY: number;
  deltaX: number;
  deltaY: number;
}

/** DICOM PhysicalUnits code for centimetres. */
const UNIT_CM = 3;
/** RegionSpatialFormat of a 2D image region. */
const SPATIAL_2D = 1;
/** Calibrations outside this many mm/px are not ultrasound images (CalibrationSchema allows ≤ 10). */
const MAX_MM_PER_PIXEL = 10;

/** True when the region is a 2D region with both axes in cm and a usable positive delta. */
function isSpatialCmRegion(r: UltrasoundRegion): boolean {
  return (
    r.spatialFormat === SPATIAL_2D &&
    r.unitsX === UNIT_CM &&
    r.unitsY === UNIT_CM &&
    Number.isFinite(r.deltaX) &&
    Number.isFinite(r.deltaY) &&
    Math.abs(r.deltaX) * 10 > 0 &&
    Math.abs(r.deltaY) * 10 > 0 &&
    Math.abs(r.deltaX) * 10 <= MAX_MM_PER_PIXEL &&
    Math.abs(r.deltaY) * 10 <= MAX_MM_PER_PIXEL
  );
}

/** Region spacing in mm/px (the delta is stored in cm; its sign only says the axis direction). */
function regionSpacing(r: UltrasoundRegion): Spacing {
  return { x: Math.abs(r.deltaX) * 10, y: Math.abs(r.deltaY) * 10 };
}

/** Pixels of the width × height image that the region covers (its bounds are inclusive). */
function coveredPixels(r: UltrasoundRegion, width: number, height: number): number {
  const x0 = Math.max(0, Math.min(r.x0, r.x1));
  const x1 = Math.min(width - 1, Math.max(r.x0, r.x1));
  const y0 = Math.max(0, Math.min(r.y0, r.y1));
  const y1 = Math.min(height - 1, Math.max(r.y0, r.y1));
  return x1 < x0 || y1 < y0 ? 0 : (x1 - x0 + 1) * (y1 - y0 + 1);
}

function contains(r: UltrasoundRegion, p: PixelPoint): boolean {
  // Region bounds are inclusive pixel indices; a continuous point belongs to the pixel it lies in.
  const x = Math.floor(p[0]);
  const y = Math.floor(p[1]);
  return (
    x >= Math.min(r.x0, r.x1) &&
    x <= Math.max(r.x0, r.x1) &&
    y >= Math.min(r.y0, r.y1) &&
    y <= Math.max(r.y0, r.y1)
  );
}

/**
 * The image's calibration from its ultrasound regions: the 2D region in cm covering most of the
 * image (the tissue image, not a Doppler strip or a thumbnail). Null when there is none.
 */
export function calibrationFromRegions(
  regions: UltrasoundRegion[],
  width: number,
  height: number,
): Calibration | null {
  let bestIndex = -1;
  let bestCovered = 0;
  for (let index = 0; index < regions.length; index++) {
    if (!isSpatialCmRegion(regions[index])) continue;
    const covered = coveredPixels(regions[index], width, height);
    if (covered > bestCovered) {
      bestCovered = covered;
      bestIndex = index;
    }
  }
  if (bestIndex < 0) return null;
  const region = regions[bestIndex];
  const spacing = regionSpacing(region);
  return {
    spacingX: spacing.x,
    spacingY: spacing.y,
    source: 'ultrasound-regions',
    detail: `US region ${bestIndex}: ${Math.abs(region.deltaX).toFixed(4)} × ${Math.abs(region.deltaY).toFixed(4)} cm/px`,
  };
}

/**
 * The spacing that applies to a caliper from `a` to `b` (pixel coordinates): the spacing of the
 * calibrated region holding both. Refused when a point lies in no calibrated region, or when the
 * points lie in regions of different scale.
 */
export function spacingForSegment(
  a: PixelPoint,
  b: PixelPoint,
  regions: UltrasoundRegion[],
): Spacing {
  const calibrated = regions.filter(isSpatialCmRegion);
  const regionA = calibrated.find((r) => contains(r, a));
  const regionB = calibrated.find((r) => contains(r, b));
  if (!regionA || !regionB) {
    const outside = !regionA ? a : b;
    throw new SpvError(
      'bad-input',
      `The point (${outside[0].toFixed(1)}, ${outside[1].toFixed(1)}) lies outside every calibrated ultrasound region; measure inside the image area.`,
    );
  }
  const sa = regionSpacing(regionA);
  const sb = regionSpacing(regionB);
  if (Math.abs(sa.x - sb.x) > 1e-9 * sa.x || Math.abs(sa.y - sb.y) > 1e-9 * sa.y) {
    throw new SpvError(
      'bad-input',
      `The measurement spans two ultrasound regions of different scale (${sa.x.toFixed(3)}×${sa.y.toFixed(3)} and ${sb.x.toFixed(3)}×${sb.y.toFixed(3)} mm/px); measure within one region.`,
    );
  }
  return sa;
}

/**
 * An isotropic calibration from a distance the user drew on the image (e.g. along the depth
 * ruler): `distanceMm` over the segment's length in pixels.
 */
export function calibrationFromTwoPoints(
  a: PixelPoint,
  b: PixelPoint,
  distanceMm: number,
): Calibration {
  const pixels = Math.hypot(b[0] - a[0], b[1] - a[1]);
  if (!(pixels >= 1)) {
    throw new SpvError(
      'bad-input',
      'The calibration line is shorter than one pixel; draw it along a known distance on the ruler.',
    );
  }
  if (!(Number.isFinite(distanceMm) && distanceMm > 0)) {
    throw new SpvError(
      'bad-input',
      `The calibration distance ${distanceMm} mm is not a positive number; enter the known distance in mm.`,
    );
  }
  const spacing = distanceMm / pixels;
  if (spacing > MAX_MM_PER_PIXEL) {
    throw new SpvError(
      'bad-input',
      `${distanceMm} mm over ${pixels.toFixed(1)} px gives ${spacing.toFixed(2)} mm/px, more than ultrasound images have (≤ ${MAX_MM_PER_PIXEL}); check the distance entered.`,
    );
  }
  return {
    spacingX: spacing,
    spacingY: spacing,
    source: 'user',
    detail: `${distanceMm} mm over ${pixels.toFixed(1)} px`,
  };
}

/** The Spacing of a Calibration, for the grid and measurement code. */
export function spacingOf(calibration: Calibration): Spacing {
  return { x: calibration.spacingX, y: calibration.spacingY };
}
