/** Number formatting shared by the panels: volumes in whole mL, lengths in cm with one decimal. */
export const ml = (v: number): string => `${Math.round(v)} mL`;
export const cm = (v: number | null | undefined): string =>
  v === null || v === undefined ? '—' : `${v.toFixed(1)} cm`;
export const signed = (v: number, digits = 0): string =>
  `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(digits)}`;
