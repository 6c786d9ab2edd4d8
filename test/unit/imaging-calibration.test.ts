import { describe, expect, it } from 'vitest';
import { SpvError } from '../../src/api/errors';
import {
  calibrationFromRegions,
  calibrationFromTwoPoints,
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

describe('spacing for a caliper', () => {
  const left = region({ x0: 0, x1: 199, deltaX: 0.03, deltaY: 0.03 });
  const right = region({ x0: 200, x1: 399, deltaX: 0.05, deltaY: 0.05 });
  const rightSame = region({ x0: 200, x1: 399, deltaX: 0.03, deltaY: 0.03 });

  it('uses the region holding both points', () => {
    expect(spacingForSegment([10, 10], [150, 200], [left, right])).toEqual({ x: 0.3, y: 0.3 });
    expect(spacingForSegment([10, 10], [250, 200], [left, rightSame]).x).toBeCloseTo(0.3, 12);
  });

  it('refuses points in regions of different scale, or outside every region', () => {
    expect(() => spacingForSegment([10, 10], [250, 10], [left, right])).toThrowError(
      /different scale/,
    );
    expect(() => spacingForSegment([10, 10], [250, 10], [left])).toThrowError(SpvError);
    expect(() => spacingForSegment([10, 10], [250, 10], [left])).toThrowError(
      /outside every calibrated/,
    );
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
