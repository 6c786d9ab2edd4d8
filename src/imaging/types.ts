/**
 * Shared image types of the imaging layer. Pure: no Node, no DOM, importable by the renderer.
 */

/** A greyscale image, row-major (row = y = depth, column = x = lateral), grey levels 0..255. */
export interface GreyImage {
  width: number;
  height: number;
  data: Float32Array;
}

/** Physical pixel size in millimetres per pixel, along x (columns) and y (rows). */
export interface Spacing {
  x: number;
  y: number;
}

/** A point in pixel coordinates [x, y] (continuous: pixel (i, j) has its centre at (i + 0.5, j + 0.5)). */
export type PixelPoint = [number, number];
