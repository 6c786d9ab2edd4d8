/** Caliper measurements in millimetres from two image points and the pixel spacing. */
export type CaliperKind = 'length' | 'width' | 'thickness';

export interface Caliper {
  kind: CaliperKind;
  a: [number, number];
  b: [number, number];
}

export function caliperMm(c: Pick<Caliper, 'a' | 'b'>, spacingX: number, spacingY: number): number {
  return Math.hypot((c.b[0] - c.a[0]) * spacingX, (c.b[1] - c.a[1]) * spacingY);
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
