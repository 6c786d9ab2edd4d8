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

const cm = (mm: number) => mm / 10;

export function lengthsFromMasks(coronal: ViewMask, transverse: ViewMask | null): MeasuredLengths {
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
