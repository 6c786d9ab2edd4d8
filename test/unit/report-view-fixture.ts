/** A case report's view for the report tests: its figure drawn by the report's own figure code. */
import type { ReportView } from '../../src/reports/case-report';
import { viewFigurePng } from '../../src/reports/figures';

/**
 * The view `label` of `width`×`height` grey pixels with `mask` outlined, calibrated by the caller
 * at 0.4 mm/px on both axes (no calipers: the figure draws the mask's Feret line).
 */
export async function reportView(
  label: string,
  grey: Uint8Array,
  width: number,
  height: number,
  mask: Uint8Array,
): Promise<ReportView> {
  const figurePng = await viewFigurePng({
    label,
    grey,
    width,
    height,
    mask,
    calibration: { spacingX: 0.4, spacingY: 0.4, source: 'caller' },
    maskSpacing: { x: 0.4, y: 0.4 },
  });
  return { label, figurePng, width, height, spacingText: '0.400 × 0.400 mm/px' };
}
