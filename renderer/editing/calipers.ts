/** Caliper measurements in millimetres from two image points and the pixel spacing. */
import type { Calibration } from '../../src/api';
import {
  RegionScaleError,
  segmentLengthMm,
  spacingForSegment,
  type RegionProblem,
} from '../../src/imaging/calibration';

export type CaliperKind = 'length' | 'width' | 'thickness';

export interface Caliper {
  kind: CaliperKind;
  a: [number, number];
  b: [number, number];
}

export function caliperMm(c: Pick<Caliper, 'a' | 'b'>, spacingX: number, spacingY: number): number {
  // The engine measures the caliper lines it is sent with the same function (src/engine/calipers.ts).
  return segmentLengthMm(c.a, c.b, { x: spacingX, y: spacingY });
}

/** The caliper label's words for each reason a caliper has no length. */
const PROBLEM_LABEL: Record<RegionProblem, string> = {
  'outside-regions': 'outside the image area: redraw it inside',
  'two-scales': 'across two image regions of different scale: redraw it within one',
  'two-regions': 'across two panes of the image: redraw it within one',
};

/**
 * A caliper's length in mm on a calibrated view, in the scale of the ultrasound region holding it
 * (the engine measures with the same rule), or null with the reason when it has none: it reaches
 * outside the calibrated regions or spans two regions of different scale. `problem` is the whole
 * message (the engine's refusal repeats it); `label` is the few words the caliper's label shows.
 */
export function caliperLengthMm(
  c: Pick<Caliper, 'a' | 'b'>,
  calibration: Calibration,
): { mm: number; problem: null; label: null } | { mm: null; problem: string; label: string } {
  try {
    const spacing = spacingForSegment(c.a, c.b, calibration);
    return { mm: caliperMm(c, spacing.x, spacing.y), problem: null, label: null };
  } catch (error) {
    const problem = error instanceof Error ? error.message : String(error);
    const label =
      error instanceof RegionScaleError ? PROBLEM_LABEL[error.problem] : 'not measurable';
    return { mm: null, problem, label };
  }
}

/**
 * Which measurement the next caliper on a view is: length on the coronal view; on the transverse
 * view width first, then thickness, then whichever of the two is older.
 */
export function nextCaliperKind(
  view: 'coronal' | 'transverse',
  existing: readonly Caliper[],
): CaliperKind {
  if (view === 'coronal') return 'length';
  const hasWidth = existing.some((c) => c.kind === 'width');
  const hasThickness = existing.some((c) => c.kind === 'thickness');
  if (!hasWidth) return 'width';
  if (!hasThickness) return 'thickness';
  // Both exist: replace the older one (placeCaliper keeps the newest last).
  return existing.find((c) => c.kind === 'width' || c.kind === 'thickness')?.kind ?? 'width';
}

/** Replaces the caliper of the same kind, keeping the others. */
export function placeCaliper(existing: readonly Caliper[], caliper: Caliper): Caliper[] {
  return [...existing.filter((c) => c.kind !== caliper.kind), caliper];
}
