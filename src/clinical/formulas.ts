/**
 * The length-based clinical volume formulas (DESIGN §6): ONE table, each row with its expression,
 * citation, units and validity note. Lengths in cm, volumes in mL (1 cm³ = 1 mL).
 *
 * Pure: importable by the renderer, which shows the same table beside the DeepSPV estimate.
 */
import type { FormulaResult, Lengths } from '../api/contract';

export type LengthName = keyof Lengths;

/** Coefficients the formulas take from the model manifest (the length-only regression). */
export interface FormulaContext {
  lengthOnly: { intercept_ml: number; slope_ml_per_cm: number } | null;
}

export interface FormulaDefinition {
  id: string;
  name: string;
  /** Short label for tables and the command line. */
  shortName: string;
  expression: string;
  citation: string;
  /** Short form of the citation for narrow tables. */
  citationShort: string;
  units: string;
  validity: string;
  requires: readonly LengthName[];
  /** Volume in mL from lengths in cm; every required length is present and positive. */
  evaluate(lengths: Record<LengthName, number>, context: FormulaContext): number | null;
}

const LENGTH_LABEL: Record<LengthName, string> = {
  length: 'length (L)',
  width: 'width (W)',
  thickness: 'thickness (T)',
  craniocaudal: 'cranio-caudal length (CCL)',
};

export const FORMULAS: readonly FormulaDefinition[] = [
  {
    id: 'ellipsoid',
    name: 'Prolate ellipsoid',
    shortName: 'ellipsoid',
    expression: '0.523 · L · W · T',
    citation: 'Standard sonographic practice (π/6 ≈ 0.523; protocols use 0.52–0.524)',
    citationShort: 'π/6 ellipsoid',
    units: 'L, W, T in cm → mL',
    validity: 'Assumes an ellipsoid; overestimates crescent-shaped spleens (V/(L·W·T) is 0.3–0.6).',
    requires: ['length', 'width', 'thickness'],
    evaluate: (l) => 0.523 * l.length * l.width * l.thickness,
  },
  {
    id: 'prassopoulos',
    name: 'Prassopoulos',
    shortName: 'Prassopoulos',
    expression: '30 + 0.58 · L · W · T',
    citation: 'Prassopoulos P et al. Eur Radiol 1997;7:246–248',
    citationShort: 'Prassopoulos 1997',
    units: 'L, W, T in cm → mL',
    validity:
      'Fitted on CT of adults with normal spleens; less reliable in splenomegaly and children.',
    requires: ['length', 'width', 'thickness'],
    evaluate: (l) => 30 + 0.58 * l.length * l.width * l.thickness,
  },
  {
    id: 'yetter',
    name: 'Yetter',
    shortName: 'Yetter',
    expression: '0.524 · W · T · (ML + CCL) / 2',
    citation: 'Yetter EM et al. AJR 2003;181:1615–1620',
    citationShort: 'Yetter 2003',
    units: 'W, T, maximal length ML, cranio-caudal length CCL in cm → mL',
    validity: 'Averages the maximal and cranio-caudal lengths; derived on CT, adults.',
    requires: ['length', 'width', 'thickness', 'craniocaudal'],
    evaluate: (l) => (0.524 * l.width * l.thickness * (l.length + l.craniocaudal)) / 2,
  },
  {
    id: 'length_only',
    name: 'Length-only regression',
    shortName: 'length only',
    expression: 'a + b · L (fitted on the training data)',
    citation: 'Linear regression of volume on length, fitted on the model’s training split',
    citationShort: 'length regression',
    units: 'L in cm → mL',
    validity:
      'The clinical "regression on manual measurements" baseline; ignores width and thickness.',
    requires: ['length'],
    evaluate: (l, context) =>
      context.lengthOnly
        ? context.lengthOnly.intercept_ml + context.lengthOnly.slope_ml_per_cm * l.length
        : null,
  },
];

/** Evaluate one formula, or say why it cannot apply. */
export function computeFormula(
  formula: FormulaDefinition,
  lengths: Partial<Lengths>,
  context: FormulaContext,
): FormulaResult {
  const base = {
    id: formula.id,
    name: formula.name,
    expression: formula.expression,
    citation: formula.citation,
  };
  const missing = formula.requires.filter((name) => {
    const value = lengths[name];
    return value === null || value === undefined || !Number.isFinite(value) || value <= 0;
  });
  if (missing.length > 0) {
    const names = missing.map((name) => LENGTH_LABEL[name]).join(', ');
    const hint = missing.some((name) => name === 'width' || name === 'thickness')
      ? ' (measured on a calibrated transverse view, by its mask or calipers)'
      : '';
    return { ...base, volumeMl: null, unavailableReason: `missing ${names}${hint}` };
  }
  const volume = formula.evaluate(lengths as Record<LengthName, number>, context);
  if (volume === null) {
    return { ...base, volumeMl: null, unavailableReason: 'no coefficients in the model manifest' };
  }
  if (!Number.isFinite(volume) || volume <= 0) {
    // A fitted line (the length-only regression) crosses zero for short spleens; a child's 7-cm
    // spleen would otherwise be listed at −150 mL beside the other methods.
    const shown = Number.isFinite(volume) ? `${Math.round(volume)} mL` : 'no number';
    return {
      ...base,
      volumeMl: null,
      unavailableReason: `gives ${shown} for these lengths, which is not a volume: outside the range where this formula applies`,
    };
  }
  return { ...base, volumeMl: volume, unavailableReason: null };
}

/** Every formula of the table, in table order. */
export function computeFormulas(
  lengths: Partial<Lengths>,
  context: FormulaContext,
): FormulaResult[] {
  return FORMULAS.map((formula) => computeFormula(formula, lengths, context));
}

export function formulaById(id: string): FormulaDefinition | undefined {
  return FORMULAS.find((formula) => formula.id === id);
}
