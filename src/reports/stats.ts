/** Agreement statistics of a review session: Dice overlap of masks and Bland–Altman of volumes. */

/** Dice coefficient 2|A∩B| / (|A|+|B|) of two binary masks of the same size; 1 when both are empty. */
export function dice(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length)
    throw new Error(`Dice needs masks of the same size (${a.length} ≠ ${b.length} pixels)`);
  let both = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ? 1 : 0;
    const y = b[i] ? 1 : 0;
    both += x & y;
    na += x;
    nb += y;
  }
  return na + nb === 0 ? 1 : (2 * both) / (na + nb);
}

export interface BlandAltmanStats {
  n: number;
  /** Mean of (a − b). */
  meanDifference: number | null;
  /** Sample standard deviation of (a − b) (n − 1). */
  sdDifference: number | null;
  /** mean ± 1.96 sd. */
  limitsOfAgreement: [number, number] | null;
  points: { mean: number; difference: number }[];
}

/** Bland & Altman (Lancet 1986;1:307–10): differences a − b against means (a + b) / 2. */
export function blandAltman(pairs: readonly (readonly [number, number])[]): BlandAltmanStats {
  const points = pairs.map(([a, b]) => ({ mean: (a + b) / 2, difference: a - b }));
  const n = points.length;
  if (n === 0)
    return { n, meanDifference: null, sdDifference: null, limitsOfAgreement: null, points };
  const meanDifference = points.reduce((s, p) => s + p.difference, 0) / n;
  if (n < 2) return { n, meanDifference, sdDifference: null, limitsOfAgreement: null, points };
  const sdDifference = Math.sqrt(
    points.reduce((s, p) => s + (p.difference - meanDifference) ** 2, 0) / (n - 1),
  );
  return {
    n,
    meanDifference,
    sdDifference,
    limitsOfAgreement: [meanDifference - 1.96 * sdDifference, meanDifference + 1.96 * sdDifference],
    points,
  };
}

export function mean(values: readonly number[]): number | null {
  return values.length ? values.reduce((s, v) => s + v, 0) / values.length : null;
}
