/**
 * Viewer audit: a caliper drawn to the image's right edge had its label ("length 116.0 mm")
 * placed past its end point, beyond the image, where the pane clipped its unit. The label now goes
 * to the other side of the end point when it would run past the image's edge.
 */
import { describe, expect, it } from 'vitest';
import { caliperLabelPlacement } from '../../renderer/viewer/caliper-label';

// sample-03's coronal image, the font size the viewer uses for it (width / 50, at least 10), and
// the widths Chromium measures for the audit's labels in 10-px Arial.
const image = { width: 384, height: 320 };
const fontSize = Math.max(10, image.width / 50);
const LENGTH_LABEL = 76; // "length 116.0 mm"
const WIDTH_LABEL = 66; // "width 77.3 mm"

describe('viewer audit: caliper labels stay on the image', () => {
  it('puts the label of a caliper ending near the right edge to the left of its end', () => {
    // The audit's caliper: along sample-03's spleen, ending 64 pixels from the right edge.
    const label = caliperLabelPlacement([320, 150], LENGTH_LABEL, image, fontSize);
    expect(label.x + LENGTH_LABEL).toBeLessThanOrEqual(320);
    expect(label.x).toBeGreaterThanOrEqual(0);
  });

  it('keeps a label that fits to the right of its end point (beside, not across, the caliper)', () => {
    const label = caliperLabelPlacement([300, 110], WIDTH_LABEL, image, fontSize);
    expect(label.x).toBeGreaterThan(300);
    expect(label.x + WIDTH_LABEL).toBeLessThanOrEqual(image.width);
  });

  it('lifts the label of an end point at the bottom edge above it', () => {
    const label = caliperLabelPlacement([100, 318], LENGTH_LABEL, image, fontSize);
    expect(label.y + fontSize).toBeLessThanOrEqual(318);
  });
});
