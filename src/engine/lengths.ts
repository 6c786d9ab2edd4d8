/**
 * The lengths a sonographer would report, measured on the masks (PIPELINE §7), in cm, and merged
 * with the reader's caliper lengths (which win).
 */
import type { Lengths } from '../api/contract';
import { measureMask } from '../imaging/measure';
import type { ViewMask } from './types';

export interface MeasuredLengths extends Lengths {
  /** Width across the coronal Feret axis (cm), reported for reference only. */
  coronalWidth: number | null;
}

/**
 * The lengths plus each outline's area (cm²), from which the input checks tell a spleen's section
 * from a stripe or a sliver (src/engine/input-doubts.ts).
 */
export interface MeasuredOutlines extends MeasuredLengths {
  coronalAreaCm2: number | null;
  transverseAreaCm2: number | null;
}

const cm = (mm: number) => mm / 10;
const cm2 = (mm2: number) => mm2 / 100;

export function lengthsFromMasks(coronal: ViewMask, transverse: ViewMask | null): MeasuredOutlines {
  const cor = measureMask(coronal.mask, coronal.width, coronal.height, coronal.spacing);
  const tr = transverse
    ? measureMask(transverse.mask, transverse.width, transverse.height, transverse.spacing)
    : null;
  return {
    length: cor ? cm(cor.lengthMm) : null,
    craniocaudal: cor ? cm(cor.craniocaudalMm) : null,
    coronalWidth: cor ? cm(cor.widthMm) : null,
    width: tr ? cm(tr.lengthMm) : null,
    thickness: tr ? cm(tr.widthMm) : null,
    coronalAreaCm2: cor ? cm2(cor.areaMm2) : null,
    transverseAreaCm2: tr ? cm2(tr.areaMm2) : null,
  };
}

/** Caliper lengths (cm) replace the measured ones where the reader drew them. */
export function mergeCaliperLengths(
  measured: Lengths,
  caliper: Partial<Lengths> | null | undefined,
): Lengths {
  const pick = (name: keyof Lengths) => {
    const value = caliper?.[name];
    return value !== null && value !== undefined && Number.isFinite(value) && value > 0
      ? value
      : measured[name];
  };
  return {
    length: pick('length'),
    width: pick('width'),
    thickness: pick('thickness'),
    craniocaudal: pick('craniocaudal'),
  };
}
