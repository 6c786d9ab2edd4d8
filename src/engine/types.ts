import type { Spacing } from '../imaging/types';

/** A binary mask (0/1, row-major) of one view with its physical pixel size. */
export interface ViewMask {
  mask: Uint8Array;
  width: number;
  height: number;
  spacing: Spacing;
  /**
   * The U-Net's confidence in this mask (PIPELINE §3b) when the mask is its unedited output;
   * absent for a mask the reader drew or edited, or one read from a mask file.
   */
  aiConfidence?: number;
}

export interface MasksInput {
  coronal: ViewMask;
  transverse?: ViewMask | null;
}
