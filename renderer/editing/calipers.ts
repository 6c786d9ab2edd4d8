/** Caliper measurements in millimetres from two image points and the pixel spacing. */
import type { Calibration, CaliperLine, ViewName } from '../../src/api';
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

/** What a caliper on the transverse view measures: the reader chooses (the Caliper tool's selector). */
export type TransverseCaliperKind = Extract<CaliperKind, 'width' | 'thickness'>;

/**
 * The transverse kind the selector offers next: the one still missing (width first), else the one
 * just drawn, so that drawing it again redraws it. Never silently the other kind: a redraw that
 * replaced the older caliper whatever it was put a wrong width into a signed report.
 */
export function suggestedTransverseKind(
  existing: readonly Caliper[],
  lastDrawn: TransverseCaliperKind,
): TransverseCaliperKind {
  if (!existing.some((c) => c.kind === 'width')) return 'width';
  if (!existing.some((c) => c.kind === 'thickness')) return 'thickness';
  return lastDrawn;
}

/** What a new caliper on `view` measures: length on the coronal view, the chosen kind on the other. */
export function nextCaliperKind(
  view: 'coronal' | 'transverse',
  chosen: TransverseCaliperKind,
): CaliperKind {
  return view === 'coronal' ? 'length' : chosen;
}

/** Replaces the caliper of the same kind, keeping the others (the newest last). */
export function placeCaliper(existing: readonly Caliper[], caliper: Caliper): Caliper[] {
  return [...existing.filter((c) => c.kind !== caliper.kind), caliper];
}

/** The calipers without the one of `kind` (a view has at most one of each kind). */
export function removeCaliper(existing: readonly Caliper[], kind: CaliperKind): Caliper[] {
  return existing.filter((c) => c.kind !== kind);
}

/** The kinds drawn on any view, each once (the comparison table offers to remove these). */
export function drawnKinds(calipers: Readonly<Record<string, readonly Caliper[]>>): CaliperKind[] {
  return [...new Set(Object.values(calipers).flatMap((cs) => cs.map((c) => c.kind)))];
}

/** The calipers of every view as the API's lines (the estimate's inputs, a stored case's record). */
export function caliperLines(
  calipers: Readonly<Record<ViewName, readonly Caliper[]>>,
): CaliperLine[] {
  return (['coronal', 'transverse'] as const).flatMap((view) =>
    calipers[view].map((c) => ({ view, kind: c.kind, a: c.a, b: c.b })),
  );
}
