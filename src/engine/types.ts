import type { Spacing } from '../imaging/types';

/** A binary mask (0/1, row-major) of one view with its physical pixel size. */
export interface ViewMask {
  mask: Uint8Array;
  width: number;
  height: number;
  spacing: Spacing;
}

export interface MasksInput {
  coronal: ViewMask;
  transverse?: ViewMask | null;
}
