/**
 * Physical pixel size from DICOM ultrasound regions (0018,6011) or from a distance the user draws.
 * Pure: the DICOM reader (src/decode) extracts the regions; this module decides what they mean.
 * Like cornerstone3D, a measurement (a caliper, or a mask's outline) is read region by region and
 * one that spans regions of different scale is refused: a single mm/px cannot describe it.
 */
import type { CalibratedRegion, Calibration } from '../api/contract';
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

/** The region's bounds (ordered) and scale (mm/px) as the API carries them. */
function calibratedRegion(r: UltrasoundRegion): CalibratedRegion {
  const spacing = regionSpacing(r);
  return {
    x0: Math.min(r.x0, r.x1),
    y0: Math.min(r.y0, r.y1),
    x1: Math.max(r.x0, r.x1),
    y1: Math.max(r.y0, r.y1),
    spacingX: spacing.x,
    spacingY: spacing.y,
  };
}

/** CalibrationSchema keeps at most this many regions (ultrasound layouts have a handful). */
const MAX_REGIONS = 16;

/**
 * The image's calibration from its ultrasound regions. The main scale is that of the 2D region in
 * cm covering most of the image (the tissue image, not a Doppler strip or a thumbnail); every
 * calibrated region on the image is kept too, the main one first, so that what lies in another
 * region is measured with that region's scale. Null when there is none.
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
  const others = regions.filter(
    (r, index) =>
      index !== bestIndex && isSpatialCmRegion(r) && coveredPixels(r, width, height) > 0,
  );
  return {
    spacingX: spacing.x,
    spacingY: spacing.y,
    source: 'ultrasound-regions',
    detail: `US region ${bestIndex}: ${Math.abs(region.deltaX).toFixed(4)} × ${Math.abs(region.deltaY).toFixed(4)} cm/px`,
    regions: [region, ...others].slice(0, MAX_REGIONS).map(calibratedRegion),
  };
}

/** The first region holding pixel (x, y) (the main region comes first), or undefined. */
function regionAt(regions: CalibratedRegion[], x: number, y: number): CalibratedRegion | undefined {
  return regions.find((r) => x >= r.x0 && x <= r.x1 && y >= r.y0 && y <= r.y1);
}

function sameScale(a: CalibratedRegion, b: CalibratedRegion): boolean {
  return (
    Math.abs(a.spacingX - b.spacingX) <= 1e-9 * a.spacingX &&
    Math.abs(a.spacingY - b.spacingY) <= 1e-9 * a.spacingY
  );
}

function scaleText(r: CalibratedRegion): string {
  return `${r.spacingX.toFixed(3)}×${r.spacingY.toFixed(3)} mm/px`;
}

/**
 * The one scale that holds for every pixel of `pixels` (integer x, y): the calibration's own
 * spacing when it has no regions; otherwise that of the regions holding the pixels. Refused when a
 * pixel lies in no calibrated region, or when the pixels lie in regions of different scale: a
 * single mm/px cannot describe them (as cornerstone3D does for its measurements). `what` names the
 * measurement in the message.
 */
function spacingWithinRegions(
  calibration: Calibration,
  pixels: Iterable<[number, number]>,
  what: string,
): Spacing {
  const regions = calibration.regions;
  if (!regions) return spacingOf(calibration);
  let first: CalibratedRegion | undefined;
  for (const [x, y] of pixels) {
    const region = regionAt(regions, x, y);
    if (!region) {
      throw new SpvError(
        'bad-input',
        `${what} reaches pixel (${x}, ${y}), outside every calibrated ultrasound region of the image: keep it inside the image area.`,
      );
    }
    first ??= region;
    if (!sameScale(first, region)) {
      throw new SpvError(
        'bad-input',
        `${what} spans two ultrasound regions of different scale (${scaleText(first)} and ${scaleText(region)}): keep it within one region.`,
      );
    }
  }
  return first ? { x: first.spacingX, y: first.spacingY } : spacingOf(calibration);
}

/**
 * The spacing for a caliper from `a` to `b` (pixel coordinates; a continuous point belongs to the
 * pixel it lies in): see spacingWithinRegions.
 */
export function spacingForSegment(a: PixelPoint, b: PixelPoint, calibration: Calibration): Spacing {
  const pixel = (p: PixelPoint): [number, number] => [Math.floor(p[0]), Math.floor(p[1])];
  return spacingWithinRegions(calibration, [pixel(a), pixel(b)], 'The measurement');
}

/**
 * The spacing for a binary mask (row-major, non-zero = inside) of a width × height image: see
 * spacingWithinRegions. An empty mask gets the main spacing (the volume code refuses it with its
 * own message).
 */
export function spacingForMask(
  mask: Uint8Array,
  width: number,
  height: number,
  calibration: Calibration,
  what = 'The outline',
): Spacing {
  function* inside(): Generator<[number, number]> {
    for (let y = 0; y < height; y++) {
      const row = y * width;
      for (let x = 0; x < width; x++) if (mask[row + x]) yield [x, y];
    }
  }
  return spacingWithinRegions(calibration, inside(), what);
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
