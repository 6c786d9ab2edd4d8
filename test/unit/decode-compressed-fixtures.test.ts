/**
 * The checked-in compressed DICOM fixtures (test/fixtures/dicom/compressed/README.md), written by
 * dcmtk and Pillow: each decodes to its uncompressed original (lossless) or within its bound
 * (lossy), on every machine; broken copies of them are refused with a message that says so.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as dicomParser from 'dicom-parser';
import { decodeImageBuffer, type DecodedImage } from '../../src/decode';
import { imageElements, writeDicom } from '../fixtures/dicom/write-dicom';
import { expectBadInput } from './expect-bad-input';

const DIR = join(__dirname, '..', 'fixtures', 'dicom', 'compressed');
const W = 37;
const H = 23;
const read = (name: string) => new Uint8Array(readFileSync(join(DIR, name)));
const decode = (bytes: Uint8Array): Promise<DecodedImage> =>
  decodeImageBuffer(Buffer.from(bytes), 'test.dcm');

/** The one frame's codestream of an encapsulated fixture. */
function fragmentOf(file: Uint8Array): Uint8Array {
  const parser =
    (dicomParser as unknown as { default?: typeof dicomParser }).default ?? dicomParser;
  const dataSet = parser.parseDicom(file);
  const element = dataSet.elements.x7fe00010;
  return parser
    .readEncapsulatedPixelDataFromFragments(dataSet, element, 0, element.fragments?.length ?? 0)
    .slice();
}

async function largestDifference(a: DecodedImage, b: DecodedImage): Promise<number> {
  expect([b.grey.width, b.grey.height]).toEqual([a.grey.width, a.grey.height]);
  let largest = 0;
  for (let i = 0; i < a.grey.data.length; i++)
    largest = Math.max(largest, Math.abs(a.grey.data[i] - b.grey.data[i]));
  return largest;
}

describe('compressed DICOM fixtures', () => {
  it.each([
    ['jpeg-ls.dcm', 'original.dcm'],
    ['jpeg-ls-rgb-planar.dcm', 'original-rgb.dcm'],
    ['jpeg-lossless-sv1.dcm', 'original.dcm'],
    ['deflated.dcm', 'original.dcm'],
    ['jpeg-2000.dcm', 'original.dcm'],
    ['jpeg-2000-rgb.dcm', 'original-rgb.dcm'],
  ])('%s decodes to exactly %s', async (file, original) => {
    const [a, b] = [await decode(read(original)), await decode(read(file))];
    expect(await largestDifference(a, b)).toBe(0);
    expect(b.calibration).toEqual(a.calibration);
  });

  it.each([
    ['jpeg-ls-near3.dcm', 3],
    ['jpeg-extended.dcm', 60],
  ])('%s (lossy) is within %d grey levels of the original', async (file, bound) => {
    const [a, b] = [await decode(read('original.dcm')), await decode(read(file))];
    const largest = await largestDifference(a, b);
    expect(largest).toBeGreaterThan(0);
    expect(largest).toBeLessThanOrEqual(bound);
    expect(b.calibration).toEqual(a.calibration);
  });

  it('refuses a codestream cut short, or with its scan overwritten, and says it is corrupt', async () => {
    for (const [file, syntax] of [
      ['jpeg-ls.dcm', '1.2.840.10008.1.2.4.80'],
      ['jpeg-lossless-sv1.dcm', '1.2.840.10008.1.2.4.70'],
      ['jpeg-2000.dcm', '1.2.840.10008.1.2.4.90'],
    ] as const) {
      const codestream = fragmentOf(read(file));
      const rewrapped = (fragment: Uint8Array) =>
        writeDicom(imageElements({ rows: H, columns: W, fragments: [fragment] }), syntax);
      expect((await decode(rewrapped(codestream))).grey.width, file).toBe(W);
      // Cut after its header: the decoder runs, and fails.
      await expectBadInput(
        decode(rewrapped(codestream.subarray(0, Math.floor(codestream.length / 3)))),
        /^test\.dcm: the (JPEG-LS|JPEG|JPEG 2000) frame 0 cannot be decoded \((?![^)]*\d{3})[^)]+\)/,
      );
      // The scan overwritten: refused without a bare address as its reason, or some image.
      const overwritten = codestream.slice();
      for (let i = Math.floor(codestream.length / 3); i < codestream.length - 4; i += 5)
        overwritten[i] = 0xff;
      const outcome = await decode(rewrapped(overwritten)).then(
        () => 'decoded',
        (error: Error) => error.message,
      );
      if (outcome !== 'decoded') expect(outcome, file).not.toMatch(/\d{4}/);
    }
  });
});
