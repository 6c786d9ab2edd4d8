import type { ViewName } from '../../src/api';
import type { Caliper } from '../editing/calipers';

export type Tool = 'brush' | 'eraser' | 'lasso-add' | 'lasso-cut' | 'caliper' | 'pan' | 'calibrate';

/** The masks of one view: the AI's, and the reader's current one (edited in place). */
export interface ViewMasks {
  width: number;
  height: number;
  ai: Uint8Array;
  current: Uint8Array;
}

export interface Reconstruction {
  size: number;
  values: number[];
  gridSpacingMm: number;
}

/** The masks of every view a case has. */
export type MaskSet = Partial<Record<ViewName, ViewMasks>>;

/** The reader's calipers on each view. */
export type CalipersByView = Record<ViewName, Caliper[]>;

export type { Caliper, ViewName };
