/**
 * The engine measures the reader's caliper lines itself (src/engine/calipers.ts): the lengths the
 * formulas use and the store keeps must be those of the lines drawn.
 */
import { describe, expect, it } from 'vitest';
import type { Calibration, CaliperLine } from '../../src/api/contract';
import { verifiedCaliperLengths } from '../../src/engine/calipers';

const halfMm: Calibration = { spacingX: 0.5, spacingY: 0.5, source: 'sidecar' };
// Two side-by-side ultrasound regions at different scales (as a dual-image screen capture has).
const twoRegions: Calibration = {
  spacingX: 0.5,
  spacingY: 0.5,
  source: 'ultrasound-regions',
  regions: [
    { x0: 0, y0: 0, x1: 99, y1: 99, spacingX: 0.5, spacingY: 0.5 },
    { x0: 100, y0: 0, x1: 199, y1: 99, spacingX: 0.25, spacingY: 0.25 },
  ],
};
const both = (calibration: Calibration | null) => () => calibration;

// 30 × 40 px: 50 px, 25 mm at 0.5 mm/px.
const coronalLength: CaliperLine = { view: 'coronal', kind: 'length', a: [0, 0], b: [30, 40] };

describe('verifiedCaliperLengths', () => {
  it('measures each line with its view scale and accepts the length the UI computed', () => {
    expect(verifiedCaliperLengths([coronalLength], both(halfMm), { length: 2.5 })).toEqual({
      length: 2.5,
    });
    // A line alone gives its length; the region's own scale is used inside a second region.
    const inSecond: CaliperLine = { view: 'transverse', kind: 'width', a: [110, 10], b: [150, 10] };
    expect(verifiedCaliperLengths([inSecond], both(twoRegions), null)).toEqual({ width: 1 });
  });

  it('refuses a length that is not its line’s, naming both', () => {
    expect(() => verifiedCaliperLengths([coronalLength], both(halfMm), { length: 3 })).toThrow(
      /^The length sent \(3 cm\) is not the length of its caliper on the coronal view \(2\.50 cm\)/,
    );
  });

  it('uses the newest line of a kind, as the viewer shows it', () => {
    const older: CaliperLine = { ...coronalLength, b: [60, 80] };
    expect(verifiedCaliperLengths([older, coronalLength], both(halfMm), { length: 2.5 })).toEqual({
      length: 2.5,
    });
    expect(() =>
      verifiedCaliperLengths([coronalLength, older], both(halfMm), { length: 2.5 }),
    ).toThrow(/\(5\.00 cm\)/);
  });

  it('refuses a caliper on the wrong view and one across two scales', () => {
    expect(() =>
      verifiedCaliperLengths([{ ...coronalLength, view: 'transverse' }], both(halfMm), null),
    ).toThrow(/the length is measured on the coronal view; redraw it there/);
    const across: CaliperLine = { view: 'coronal', kind: 'length', a: [50, 10], b: [150, 10] };
    expect(() => verifiedCaliperLengths([across], both(twoRegions), null)).toThrow(
      /different scale/,
    );
  });

  it('gives no length for a line on an uncalibrated view, and refuses one sent for it', () => {
    expect(verifiedCaliperLengths([coronalLength], both(null), null)).toBeNull();
    expect(() => verifiedCaliperLengths([coronalLength], both(null), { length: 2.5 })).toThrow(
      expect.objectContaining({ code: 'not-calibrated' }),
    );
  });

  it('passes lengths without a line through unchanged', () => {
    expect(verifiedCaliperLengths([], both(halfMm), { craniocaudal: 9.5 })).toEqual({
      craniocaudal: 9.5,
    });
    expect(verifiedCaliperLengths([coronalLength], both(halfMm), { craniocaudal: 9.5 })).toEqual({
      craniocaudal: 9.5,
      length: 2.5,
    });
    expect(verifiedCaliperLengths([], both(halfMm), null)).toBeNull();
    // Kinds left out (null) are not returned: only what the reader gave is theirs to store.
    expect(verifiedCaliperLengths([], both(halfMm), { length: null, width: 6 })).toEqual({
      width: 6,
    });
    expect(verifiedCaliperLengths([], both(halfMm), { thickness: null })).toBeNull();
  });

  it('refuses a length sent that is not a positive number of centimetres', () => {
    // The formulas would take the mask's length instead while the store kept this number.
    for (const bad of [0, -3, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => verifiedCaliperLengths([], both(halfMm), { thickness: bad })).toThrow(
        expect.objectContaining({
          code: 'bad-input',
          message: expect.stringMatching(
            /^The thickness sent \(.+ cm\) is not a length: send a positive number of centimetres/,
          ),
        }),
      );
    }
    expect(() =>
      verifiedCaliperLengths([coronalLength], both(halfMm), { length: 2.5, width: -1 }),
    ).toThrow(/^The width sent \(-1 cm\) is not a length/);
    // Nor does a caliper whose two ends are one point give a length of 0.
    const point: CaliperLine = { view: 'coronal', kind: 'length', a: [5, 5], b: [5, 5] };
    expect(() => verifiedCaliperLengths([point], both(halfMm), null)).toThrow(
      /^The length caliper on the coronal view has no length \(its two ends are the same point\)/,
    );
  });
});
