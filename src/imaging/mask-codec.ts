/**
 * Run-length coding of binary masks for the wire (see MaskRle in src/api/contract.ts): `runs`
 * alternate background and foreground counts in row-major order, starting with background.
 */
import type { MaskRle } from '../api/contract';
import { SpvError } from '../api/errors';

/** Encodes a 0/1 (any non-zero = 1) mask of width × height pixels. */
export function encodeMaskRle(mask: Uint8Array, width: number, height: number): MaskRle {
  const total = width * height;
  if (mask.length !== total) {
    throw new SpvError(
      'bad-input',
      `The mask has ${mask.length} pixels but ${width}×${height} = ${total} were expected.`,
    );
  }
  const runs: number[] = [];
  let current = 0; // runs start with background
  let length = 0;
  for (let i = 0; i < total; i++) {
    const value = mask[i] !== 0 ? 1 : 0;
    if (value === current) {
      length++;
    } else {
      runs.push(length);
      current = value;
      length = 1;
    }
  }
  runs.push(length);
  return { width, height, runs };
}

/** Decodes a MaskRle to a 0/1 mask; refuses runs that do not cover the image exactly. */
export function decodeMaskRle(rle: MaskRle): Uint8Array {
  const { width, height, runs } = rle;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new SpvError(
      'bad-input',
      `The mask size ${width}×${height} is not a positive whole number of pixels.`,
    );
  }
  const total = width * height;
  let sum = 0;
  for (const run of runs) {
    if (!Number.isInteger(run) || run < 0) {
      throw new SpvError(
        'bad-input',
        `The mask has an invalid run length (${run}); runs must be whole numbers ≥ 0.`,
      );
    }
    sum += run;
  }
  if (sum !== total) {
    throw new SpvError(
      'bad-input',
      `The mask runs cover ${sum} pixels but the mask is ${width}×${height} = ${total} pixels; the mask is corrupt — resend it.`,
    );
  }
  const mask = new Uint8Array(total);
  let position = 0;
  for (let r = 0; r < runs.length; r++) {
    const run = runs[r];
    if (r % 2 === 1) mask.fill(1, position, position + run);
    position += run;
  }
  return mask;
}

/** True when two masks have the same size and the same value at every pixel. */
export function sameMask(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
