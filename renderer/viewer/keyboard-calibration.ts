/**
 * Drawing the calibration line with the keyboard (WCAG 2.1.1): a line is placed where the depth
 * ruler usually is, and the arrow keys move one end at a time, in whole image pixels, never off
 * the image. Pure: the dialog keeps which end is selected, the calibration hook keeps the line.
 */

export type Point = [number, number];
export type Segment = [Point, Point];
/** Which end of the line the arrow keys move: the first (0) or the second (1). */
export type LineEnd = 0 | 1;

export interface ImageSize {
  width: number;
  height: number;
}

/** Arrow keys move by one image pixel, with Shift by this many. */
export const LARGE_STEP_PX = 10;

/** The point inside the image nearest `p` (pixel centres run from 0 to size - 1). */
export function clampToImage(p: Point, image: ImageSize): Point {
  const clamp = (v: number, size: number) => Math.min(Math.max(0, size - 1), Math.max(0, v));
  return [clamp(p[0], image.width), clamp(p[1], image.height)];
}

/**
 * The line offered first: vertical, in the middle of the image's left third (where a scanner
 * usually prints its depth ruler), over the middle half of the image's height.
 */
export function initialKeyboardLine(image: ImageSize): Segment {
  const x = Math.round(image.width / 6);
  return [
    clampToImage([x, Math.round(image.height * 0.25)], image),
    clampToImage([x, Math.round(image.height * 0.75)], image),
  ];
}

/** The movement an arrow key asks for, in image pixels; null for any other key. */
export function arrowStep(key: string, shiftKey: boolean): Point | null {
  const step = shiftKey ? LARGE_STEP_PX : 1;
  switch (key) {
    case 'ArrowLeft':
      return [-step, 0];
    case 'ArrowRight':
      return [step, 0];
    case 'ArrowUp':
      return [0, -step];
    case 'ArrowDown':
      return [0, step];
    default:
      return null;
  }
}

/** `line` with its end `end` moved by `by`, kept inside the image; the other end stays. */
export function moveLineEnd(line: Segment, end: LineEnd, by: Point, image: ImageSize): Segment {
  const moved = clampToImage([line[end][0] + by[0], line[end][1] + by[1]], image);
  return end === 0 ? [moved, line[1]] : [line[0], moved];
}

export function otherEnd(end: LineEnd): LineEnd {
  return end === 0 ? 1 : 0;
}

export function lineLengthPx(line: Segment): number {
  return Math.hypot(line[1][0] - line[0][0], line[1][1] - line[0][1]);
}

const pointText = (p: Point) => `(${Math.round(p[0])}, ${Math.round(p[1])})`;

/**
 * What a screen reader hears after each move: the length and both ends in image pixels, and
 * which end the arrows move ("end 1" is the first end placed).
 */
export function describeKeyboardLine(line: Segment, selected: LineEnd): string {
  return (
    `Line ${lineLengthPx(line).toFixed(1)} px from ${pointText(line[0])} to ` +
    `${pointText(line[1])}; the arrow keys move end ${selected + 1} ${pointText(line[selected])}.`
  );
}
