/**
 * The words a screen reader hears for a viewer's canvases: the view and image, whether there is a
 * spleen outline and whether it is shown, each caliper as its label on the image says it.
 */
import { describe, expect, it } from 'vitest';
import type { Calibration } from '../../src/api';
import { caliperLabelText, viewerDescription } from '../../renderer/viewer/viewer-description';

const CALIBRATION: Calibration = { spacingX: 0.5, spacingY: 0.5, source: 'user' };

const base = {
  view: 'coronal' as const,
  sourceName: 'sample-01_coronal.png',
  maskPixels: 1200,
  overlayVisible: true,
  calipers: [],
  calibration: CALIBRATION,
  calibrationLine: false,
};

describe('viewerDescription', () => {
  it('names the view and image and says the outline is shown', () => {
    expect(viewerDescription(base)).toBe(
      'Coronal image sample-01_coronal.png, spleen outline shown',
    );
  });

  it('says when the outline is hidden, and when there is none', () => {
    expect(viewerDescription({ ...base, overlayVisible: false })).toMatch(
      /spleen outline hidden \(overlay off\)$/,
    );
    expect(viewerDescription({ ...base, maskPixels: 0 })).toMatch(/no spleen outline$/);
  });

  it('says each caliper with its length, as its label on the image does', () => {
    const text = viewerDescription({
      ...base,
      view: 'transverse',
      calipers: [{ kind: 'width', a: [0, 0], b: [30, 40] }],
    });
    // 50 px at 0.5 mm/px.
    expect(text).toBe(
      'Transverse image sample-01_coronal.png, spleen outline shown, caliper width 25.0 mm',
    );
  });

  it('says an uncalibrated image and its calibration line', () => {
    const text = viewerDescription({
      ...base,
      calibration: null,
      calipers: [{ kind: 'length', a: [0, 0], b: [10, 0] }],
      calibrationLine: true,
    });
    expect(text).toBe(
      'Coronal image sample-01_coronal.png, uncalibrated, spleen outline shown, ' +
        'caliper length (uncalibrated), calibration line drawn',
    );
  });
});

describe('caliperLabelText', () => {
  it('gives the kind and the length in mm', () => {
    expect(caliperLabelText({ kind: 'length', a: [0, 0], b: [0, 200] }, CALIBRATION)).toBe(
      'length 100.0 mm',
    );
  });
});
