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
export const MAX_MM_PER_PIXEL = 10;
/**
 * Nor are those below this: ultrasound pixels are rarely under ~0.01 mm even on high-frequency
 * probes, so a smaller value given by hand is a typo (0.0001 for 0.1) that would shrink the volume
 * a million-fold without a word.
 */
export const MIN_MM_PER_PIXEL = 0.01;

/** True for a pixel size (mm/px) an ultrasound image can have. */
export function isPlausibleSpacingMm(v: unknown): v is number {
  return (
    typeof v === 'number' && Number.isFinite(v) && v >= MIN_MM_PER_PIXEL && v <= MAX_MM_PER_PIXEL
  );
}

/** The plausible range as the messages state it. */
export const SPACING_RANGE_TEXT = `${MIN_MM_PER_PIXEL}–${MAX_MM_PER_PIXEL} mm per pixel`;

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
  // Calibrated regions on the image, in file order; the main one covers most pixels (the first
  // such on a tie).
  const onImage = regions
    .map((region, index) => ({ region, index, covered: coveredPixels(region, width, height) }))
    .filter(({ region, covered }) => covered > 0 && isSpatialCmRegion(region));
  if (onImage.length === 0) return null;
  const main = onImage.reduce((best, r) => (r.covered > best.covered ? r : best));
  const { region, index: bestIndex } = main;
  const spacing = regionSpacing(region);
  const others = onImage.filter((r) => r !== main).map((r) => r.region);
  return {
    spacingX: spacing.x,
    spacingY: spacing.y,
    source: 'ultrasound-regions',
    detail: `US region ${bestIndex}: ${Math.abs(region.deltaX).toFixed(4)} × ${Math.abs(region.deltaY).toFixed(4)} cm/px`,
    regions: [region, ...others].slice(0, MAX_REGIONS).map(calibratedRegion),
  };
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

/** Why a measurement has no single scale; the viewer labels a caliper with it. */
export type RegionProblem = 'outside-regions' | 'two-scales' | 'two-regions';

/** A refused measurement (bad input) that also says which of the two region problems it is. */
export class RegionScaleError extends SpvError {
  constructor(
    readonly problem: RegionProblem,
    message: string,
  ) {
    super('bad-input', message);
    this.name = 'RegionScaleError';
  }
}

/**
 * Checks pixels (integer x, y) one by one against the calibrated regions: each must lie in one,
 * all in regions of one scale, and one region must hold them all, or the measurement is refused
 * with the reason — a single mm/px cannot describe it, or it spans two panes of the image
 * (cornerstone3D requires one region to hold a measurement likewise). `what` names the
 * measurement in the messages.
 */
class RegionScale {
  private first: CalibratedRegion | undefined;
  /** The regions holding every pixel checked so far (undefined before the first pixel). */
  private holdingAll: CalibratedRegion[] | undefined;

  constructor(
    private readonly regions: CalibratedRegion[],
    private readonly what: string,
  ) {}

  /**
   * Checks pixel (x, y): it must lie in a region, and every region holding it must have the scale
   * of the pixels before. Where two regions of different scale overlap, which one the pixel shows
   * is not recorded, so a pixel there is refused like one across a border.
   */
  check(x: number, y: number): void {
    let inside = false;
    const holding: CalibratedRegion[] = [];
    for (const region of this.regions) {
      if (x < region.x0 || x > region.x1 || y < region.y0 || y > region.y1) continue;
      inside = true;
      holding.push(region);
      this.first ??= region;
      if (!sameScale(this.first, region)) {
        throw new RegionScaleError(
          'two-scales',
          `${this.what} spans two ultrasound regions of different scale (${scaleText(this.first)} and ${scaleText(region)}): keep it within one region.`,
        );
      }
    }
    if (!inside) {
      throw new RegionScaleError(
        'outside-regions',
        `${this.what} reaches pixel (${x}, ${y}), outside every calibrated ultrasound region of the image: keep it inside the image area.`,
      );
    }
    // Two panes of one scale (a dual B-mode layout) are still two images: a distance from one to
    // the other, or an outline over both, measures nothing. One region must hold it all.
    this.holdingAll = (this.holdingAll ?? holding).filter((r) => holding.includes(r));
    if (this.holdingAll.length === 0) {
      throw new RegionScaleError(
        'two-regions',
        `${this.what} spans two separate ultrasound regions (panes of the image), reaching pixel (${x}, ${y}): keep it within one region.`,
      );
    }
  }

  /**
   * Checks the run of pixels x0..x1 on row y. Regions are rectangles: when every region that meets
   * the run holds all of it, each pixel lies in the same regions and one check suffices.
   */
  checkRun(x0: number, x1: number, y: number): void {
    const uniform = this.regions.every(
      (r) => y < r.y0 || y > r.y1 || x1 < r.x0 || x0 > r.x1 || (x0 >= r.x0 && x1 <= r.x1),
    );
    if (uniform) return this.check(x0, y);
    // Otherwise pixel by pixel, so that a refusal names the first pixel at fault.
    for (let x = x0; x <= x1; x++) this.check(x, y);
  }

  /** The scale of the pixels checked; `fallback` when there were none. */
  spacing(fallback: Spacing): Spacing {
    return this.first ? { x: this.first.spacingX, y: this.first.spacingY } : fallback;
  }
}

/**
 * The spacing for a caliper from `a` to `b` (pixel coordinates; a continuous point belongs to the
 * pixel it lies in): the calibration's own when it has no regions, else that of the region holding
 * both ends (RegionScale).
 */
export function spacingForSegment(a: PixelPoint, b: PixelPoint, calibration: Calibration): Spacing {
  if (!calibration.regions) return spacingOf(calibration);
  const scale = new RegionScale(calibration.regions, 'The measurement');
  scale.check(Math.floor(a[0]), Math.floor(a[1]));
  scale.check(Math.floor(b[0]), Math.floor(b[1]));
  return scale.spacing(spacingOf(calibration));
}

/** The length in mm of the segment from `a` to `b` (pixel coordinates) at that spacing. */
export function segmentLengthMm(a: PixelPoint, b: PixelPoint, spacing: Spacing): number {
  return Math.hypot((b[0] - a[0]) * spacing.x, (b[1] - a[1]) * spacing.y);
}

/**
 * The spacing for a binary mask (row-major, non-zero = inside) of a width × height image: the
 * calibration's own when it has no regions, else that of the regions holding every mask pixel
 * (RegionScale). An empty mask gets the main spacing (the volume code refuses it with its own
 * message).
 */
export function spacingForMask(
  mask: Uint8Array,
  width: number,
  height: number,
  calibration: Calibration,
  what = 'The outline',
): Spacing {
  if (!calibration.regions) return spacingOf(calibration);
  const scale = new RegionScale(calibration.regions, what);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    let x = 0;
    while (x < width) {
      if (!mask[row + x]) {
        x++;
        continue;
      }
      const start = x;
      while (x < width && mask[row + x]) x++;
      scale.checkRun(start, x - 1, y);
    }
  }
  return scale.spacing(spacingOf(calibration));
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
  if (spacing < MIN_MM_PER_PIXEL) {
    throw new SpvError(
      'bad-input',
      `${distanceMm} mm over ${pixels.toFixed(1)} px gives ${spacing.toPrecision(2)} mm/px, less than ultrasound images have (≥ ${MIN_MM_PER_PIXEL}); check the distance entered (in mm, not cm or m).`,
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
