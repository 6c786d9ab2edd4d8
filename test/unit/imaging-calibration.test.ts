import { describe, expect, it } from 'vitest';
import { SpvError } from '../../src/api/errors';
import {
  calibrationFromRegions,
  calibrationFromTwoPoints,
  spacingForMask,
  spacingForSegment,
  type UltrasoundRegion,
} from '../../src/imaging/calibration';

function region(over: Partial<UltrasoundRegion>): UltrasoundRegion {
  return {
    x0: 0,
    y0: 0,
    x1: 399,
    y1: 299,
    spatialFormat: 1,
    dataType: 1,
    unitsX: 3,
    unitsY: 3,
    deltaX: 0.03,
    deltaY: 0.04,
    ...over,
  };
}

describe('calibration from ultrasound regions', () => {
  it('converts cm/px to mm/px and picks the 2D region covering most of the image', () => {
    const regions = [
      region({ x0: 0, y0: 0, x1: 99, y1: 49, deltaX: 0.1, deltaY: 0.1 }), // small thumbnail
      region({ x0: 20, y0: 10, x1: 380, y1: 290, deltaX: 0.035, deltaY: -0.05 }),
      region({ spatialFormat: 3, deltaX: 0.5, deltaY: 0.5 }), // spectral strip: not spatial
    ];
    const cal = calibrationFromRegions(regions, 400, 300)!;
    expect(cal.source).toBe('ultrasound-regions');
    expect(cal.spacingX).toBeCloseTo(0.35, 12);
    expect(cal.spacingY).toBeCloseTo(0.5, 12);
    expect(cal.detail).toContain('US region 1');
  });

  it('returns null without a usable region (wrong units, zero delta, outside the image)', () => {
    expect(calibrationFromRegions([], 10, 10)).toBeNull();
    expect(calibrationFromRegions([region({ unitsX: 4 })], 400, 300)).toBeNull();
    expect(calibrationFromRegions([region({ deltaY: 0 })], 400, 300)).toBeNull();
    expect(calibrationFromRegions([region({ x0: 500, x1: 600 })], 400, 300)).toBeNull();
  });
});

describe('measuring on an image with several calibrated regions', () => {
  // A split screen: two B-mode images side by side, the right one at another depth (scale), and a
  // thumbnail of a third scale over the top-left corner of the left one.
  const left = region({ x0: 0, x1: 199, deltaX: 0.03, deltaY: 0.03 });
  const right = region({ x0: 200, x1: 399, deltaX: 0.05, deltaY: 0.05 });
  const rightSame = region({ x0: 200, x1: 399, deltaX: 0.03, deltaY: 0.03 });
  const thumbnail = region({ x0: 0, y0: 0, x1: 49, y1: 39, deltaX: 0.2, deltaY: 0.2 });
  const splitScreen = calibrationFromRegions([thumbnail, right, left], 400, 300)!;

  it('keeps every calibrated region on the image, the main one first', () => {
    expect(splitScreen.spacingX).toBeCloseTo(0.5, 12); // right and left tie in size: the first
    expect(splitScreen.regions?.map((r) => r.x0)).toEqual([200, 0, 0]);
    expect(splitScreen.regions?.[0]).toMatchObject({ x1: 399, y0: 0, y1: 299 });
    // A region off the image is not kept.
    const off = calibrationFromRegions([left, region({ x0: 500, x1: 600 })], 400, 300)!;
    expect(off.regions).toHaveLength(1);
  });

  it('gives a caliper the scale of the region holding both points', () => {
    expect(spacingForSegment([10, 100], [150, 200], splitScreen)).toEqual({ x: 0.3, y: 0.3 });
    expect(spacingForSegment([250, 10], [390, 290], splitScreen)).toEqual({ x: 0.5, y: 0.5 });
  });

  it('refuses a caliper from one pane to another, even of the same scale', () => {
    // A dual B-mode layout: two images side by side at one scale. A distance from one to the
    // other measures nothing (cornerstone3D likewise wants one region to hold a measurement).
    const same = calibrationFromRegions([left, rightSame], 400, 300)!;
    expect(() => spacingForSegment([10, 10], [250, 200], same)).toThrowError(
      /spans two separate ultrasound regions \(panes of the image\), reaching pixel \(250, 200\)/,
    );
    expect(spacingForSegment([210, 10], [250, 200], same).x).toBeCloseTo(0.3, 12);
  });

  it('refuses a caliper across regions of different scale, or outside every region', () => {
    expect(() => spacingForSegment([10, 100], [250, 100], splitScreen)).toThrowError(
      /spans two ultrasound regions of different scale \(0\.300×0\.300 mm\/px and 0\.500×0\.500/,
    );
    const leftOnly = calibrationFromRegions([left], 400, 300)!;
    expect(() => spacingForSegment([10, 10], [250, 10], leftOnly)).toThrowError(SpvError);
    expect(() => spacingForSegment([10, 10], [250.7, 10], leftOnly)).toThrowError(
      /pixel \(250, 10\), outside every calibrated ultrasound region/,
    );
  });

  function rectangleMask(x0: number, y0: number, x1: number, y1: number): Uint8Array {
    const mask = new Uint8Array(400 * 300);
    for (let y = y0; y <= y1; y++) mask.fill(1, y * 400 + x0, y * 400 + x1 + 1);
    return mask;
  }

  it('gives a mask the scale of the region it lies in', () => {
    expect(spacingForMask(rectangleMask(60, 100, 150, 200), 400, 300, splitScreen)).toEqual({
      x: 0.3,
      y: 0.3,
    });
    expect(spacingForMask(rectangleMask(220, 40, 380, 250), 400, 300, splitScreen)).toEqual({
      x: 0.5,
      y: 0.5,
    });
    // Empty: the main scale (the volume code refuses an empty mask with its own message).
    expect(spacingForMask(new Uint8Array(400 * 300), 400, 300, splitScreen).x).toBeCloseTo(0.5, 12);
  });

  it('checks every pixel of a row, not only its ends', () => {
    // Across the border of two panes of the same scale: one scale, but two images: refused.
    const same = calibrationFromRegions([left, rightSame], 400, 300)!;
    expect(() => spacingForMask(rectangleMask(150, 10, 250, 20), 400, 300, same)).toThrowError(
      /The outline spans two separate ultrasound regions/,
    );
    // Within one of them, whichever: its scale.
    expect(spacingForMask(rectangleMask(250, 10, 300, 20), 400, 300, same).x).toBeCloseTo(0.3, 12);
    // A region of the same scale nested in the image's (a colour box): the outer one holds it all.
    const box = region({ x0: 100, y0: 100, x1: 150, y1: 150 });
    const nested = calibrationFromRegions([region({}), box], 400, 300)!;
    expect(spacingForMask(rectangleMask(50, 120, 200, 125), 400, 300, nested).x).toBeCloseTo(
      0.3,
      12,
    );
    // Both ends of each row in the main region, the middle over an inset of another scale.
    const inset = region({ x0: 100, y0: 100, x1: 150, y1: 150, deltaX: 0.02, deltaY: 0.02 });
    const withInset = calibrationFromRegions([region({}), inset], 400, 300)!;
    expect(() =>
      spacingForMask(rectangleMask(50, 120, 200, 125), 400, 300, withInset),
    ).toThrowError(/different scale \(0\.300×0\.400 mm\/px and 0\.200×0\.200/);
  });

  it('refuses a mask across two scales, or reaching outside the regions, naming it', () => {
    expect(() =>
      spacingForMask(
        rectangleMask(150, 100, 250, 200),
        400,
        300,
        splitScreen,
        'The coronal outline',
      ),
    ).toThrowError(/^The coronal outline spans two ultrasound regions of different scale/);
    expect(() =>
      spacingForMask(rectangleMask(20, 20, 100, 100), 400, 300, splitScreen),
    ).toThrowError(
      /different scale \(2\.000×2\.000 mm\/px and 0\.300×0\.300/, // where the thumbnail overlaps the left image
    );
    const leftOnly = calibrationFromRegions([left], 400, 300)!;
    expect(() => spacingForMask(rectangleMask(150, 10, 210, 20), 400, 300, leftOnly)).toThrowError(
      /The outline reaches pixel \(200, 10\), outside every calibrated ultrasound region/,
    );
  });

  it('measures with the main spacing when the calibration has no regions (user, Pixel Spacing)', () => {
    const user = calibrationFromTwoPoints([0, 0], [0, 100], 50);
    expect(spacingForSegment([10, 10], [1000, 10], user)).toEqual({ x: 0.5, y: 0.5 });
    expect(spacingForMask(rectangleMask(0, 0, 399, 299), 400, 300, user)).toEqual({
      x: 0.5,
      y: 0.5,
    });
  });
});

describe('user calibration from two points', () => {
  it('is isotropic: distance over pixel length', () => {
    const cal = calibrationFromTwoPoints([10, 10], [10, 210], 50);
    expect(cal).toMatchObject({ spacingX: 0.25, spacingY: 0.25, source: 'user' });
    expect(calibrationFromTwoPoints([0, 0], [30, 40], 10).spacingX).toBeCloseTo(0.2, 12);
  });

  it('refuses a degenerate line or distance', () => {
    expect(() => calibrationFromTwoPoints([5, 5], [5, 5], 10)).toThrowError(
      /shorter than one pixel/,
    );
    expect(() => calibrationFromTwoPoints([0, 0], [0, 100], -3)).toThrowError(/not a positive/);
    expect(() => calibrationFromTwoPoints([0, 0], [0, 2], 100)).toThrowError(/mm\/px/);
  });
});
