/**
 * DICOM RLE Lossless (PS3.5 Annex G), the compression many ultrasound scanners export with. The
 * decoder is checked against an independent encoder: dcmtk's dcmcrle compresses images (8-bit
 * greyscale with ultrasound regions, 16-bit signed, RGB, several frames, and the bundled sample
 * DICOMs) and each must decode to exactly the pixels, calibration and frames of its uncompressed
 * original. Hand-made frames pin the PackBits details and the messages for corrupt data.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeImageBuffer, type DecodedImage } from '../../src/decode';
import { RLE_LOSSLESS } from '../../src/decode/rle';
import {
  imageElements,
  regionItem,
  regionsElement,
  writeDicom,
  type DicomElement,
} from '../fixtures/dicom/write-dicom';
import { expectBadInput } from './expect-bad-input';

const W = 37; // odd: a segment of an odd number of bytes is padded to an even length
const H = 23;
const SAMPLES = join(__dirname, '..', '..', 'models', 'samples');

function hasDcmcrle(): boolean {
  try {
    execFileSync('dcmcrle', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const DCMTK = hasDcmcrle();
if (!DCMTK)
  console.warn('decode-rle: dcmtk (dcmcrle) is not installed; the round trips are skipped');

const work = mkdtempSync(join(tmpdir(), 'spv-rle-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** `bytes` compressed by dcmtk's RLE encoder. */
function dcmtkRle(bytes: Uint8Array, name: string): Uint8Array {
  const plain = join(work, `${name}.dcm`);
  const rle = join(work, `${name}-rle.dcm`);
  writeFileSync(plain, bytes);
  execFileSync('dcmcrle', [plain, rle]);
  const out = new Uint8Array(readFileSync(rle));
  expect(transferSyntaxOf(out)).toBe(RLE_LOSSLESS);
  return out;
}

function transferSyntaxOf(bytes: Uint8Array): string {
  const text = Buffer.from(bytes.subarray(132, 400)).toString('latin1');
  return /1\.2\.840\.10008\.1\.2[.\d]*/.exec(text)?.[0] ?? '';
}

async function decode(bytes: Uint8Array, frame?: number): Promise<DecodedImage> {
  return decodeImageBuffer(Buffer.from(bytes), 'test.dcm', frame === undefined ? {} : { frame });
}

/** Decodes both and expects the same image: pixels, calibration, frames. */
async function expectSameImage(plain: Uint8Array, rle: Uint8Array, frame?: number) {
  const a = await decode(plain, frame);
  const b = await decode(rle, frame);
  expect(b.grey.width).toBe(a.grey.width);
  expect(b.grey.height).toBe(a.grey.height);
  expect(Array.from(b.grey.data)).toEqual(Array.from(a.grey.data));
  expect(b.calibration).toEqual(a.calibration);
  expect(b.frames).toBe(a.frames);
  return b;
}

function pixels8(frames = 1, spp = 1): Uint8Array {
  const out = new Uint8Array(W * H * spp * frames);
  // Runs and noise both, so that the encoder writes literal and replicate runs.
  for (let i = 0; i < out.length; i++) out[i] = i % 97 < 40 ? 200 : (i * 7919) % 251;
  return out;
}

const regions = () =>
  regionsElement([
    regionItem({ x0: 1, y0: 1, x1: W - 2, y1: H - 2, deltaXcm: 0.03, deltaYcm: 0.04 }),
  ]);

describe.skipIf(!DCMTK)('RLE Lossless against dcmtk’s encoder', () => {
  it('8-bit greyscale with ultrasound regions: the same pixels and calibration', async () => {
    const plain = writeDicom(
      imageElements({ rows: H, columns: W, pixelBytes: pixels8(), extra: [regions()] }),
    );
    const decoded = await expectSameImage(plain, dcmtkRle(plain, 'grey8'));
    expect(decoded.calibration).toMatchObject({ source: 'ultrasound-regions' });
  });

  it('16-bit signed greyscale (two segments per sample, most significant first)', async () => {
    const values = new Int16Array(W * H);
    for (let i = 0; i < values.length; i++) values[i] = ((i * 613) % 4000) - 2000;
    const bytes = new Uint8Array(values.buffer.slice(0));
    const plain = writeDicom(
      imageElements({ rows: H, columns: W, bitsAllocated: 16, signed: true, pixelBytes: bytes }),
    );
    await expectSameImage(plain, dcmtkRle(plain, 'signed16'));
  });

  it('RGB, interleaved and planar (three segments, one per channel)', async () => {
    for (const planar of [false, true]) {
      const plain = writeDicom(
        imageElements({
          rows: H,
          columns: W,
          samplesPerPixel: 3,
          planar,
          pixelBytes: pixels8(1, 3),
        }),
      );
      await expectSameImage(plain, dcmtkRle(plain, `rgb-${planar ? 'planar' : 'interleaved'}`));
    }
  });

  it('several frames: each one its own fragment, each frame as in the original', async () => {
    const plain = writeDicom(
      imageElements({ rows: H, columns: W, frames: 3, pixelBytes: pixels8(3) }),
    );
    const rle = dcmtkRle(plain, 'frames3');
    for (const frame of [0, 1, 2]) await expectSameImage(plain, rle, frame);
    await expect(decode(rle)).rejects.toThrow(/has 3 frames/);
  });

  it('the bundled sample DICOMs, compressed, give the images the app estimates from', async () => {
    for (const [file, frame] of [
      ['sample-03_coronal.dcm', undefined],
      ['sample-multiframe.dcm', 1],
    ] as const) {
      const plain = new Uint8Array(readFileSync(join(SAMPLES, file)));
      await expectSameImage(plain, dcmtkRle(plain, file.replace('.dcm', '')), frame);
    }
  });
});

/** PackBits as PS3.5 G.3.1 writes it, naively: a literal run per call. */
const literal = (bytes: number[]) => [bytes.length - 1, ...bytes];
const repeat = (value: number, times: number) => [(257 - times) & 0xff, value];

/** An RLE frame: the 64-byte header and the segments as given (each padded to an even length). */
function rleFrame(segments: number[][], declaredSegments = segments.length): Uint8Array {
  const padded = segments.map((s) => (s.length % 2 ? [...s, 0] : s));
  const out = new Uint8Array(64 + padded.reduce((n, s) => n + s.length, 0));
  const view = new DataView(out.buffer);
  view.setUint32(0, declaredSegments, true);
  let offset = 64;
  padded.forEach((segment, i) => {
    view.setUint32(4 + 4 * i, offset, true);
    out.set(segment, offset);
    offset += segment.length;
  });
  return out;
}

function rleDicom(o: {
  rows: number;
  columns: number;
  fragments: Uint8Array[];
  frames?: number;
  bits?: 8 | 16;
}) {
  const elements: DicomElement[] = imageElements({
    rows: o.rows,
    columns: o.columns,
    frames: o.frames,
    bitsAllocated: o.bits,
    fragments: o.fragments,
  });
  return writeDicom(elements, RLE_LOSSLESS);
}

describe('RLE Lossless frames made by hand', () => {
  it('reads literal and replicate runs and skips the −128 no-op', async () => {
    // A 4×2 image: 10 10 10 1 / 2 3 40 40.
    const segment = [...repeat(10, 3), 0x80, ...literal([1, 2, 3]), ...repeat(40, 2)];
    const decoded = await decode(
      rleDicom({ rows: 2, columns: 4, fragments: [rleFrame([segment])] }),
    );
    expect(Array.from(decoded.grey.data)).toEqual([10, 10, 10, 1, 2, 3, 40, 40]);
  });

  it('puts the most significant byte first for 16-bit samples', async () => {
    const high = repeat(0x01, 2);
    const low = literal([0x00, 0xff]);
    const decoded = await decode(
      rleDicom({ rows: 1, columns: 2, bits: 16, fragments: [rleFrame([high, low])] }),
    );
    // 256 and 511 stretched over 0..255 (no window in the file).
    expect(Array.from(decoded.grey.data)).toEqual([0, 255]);
  });

  it('names a frame with the wrong number of segments, and what the image needs', async () => {
    const bytes = rleDicom({
      rows: 2,
      columns: 4,
      bits: 16,
      fragments: [rleFrame([repeat(0, 8)])],
    });
    await expectBadInput(
      decode(bytes),
      /^test\.dcm: the RLE frame has 1 segments where 1 sample\(s\) of 16 bits need 2\. The file is corrupt; export the image again\.$/,
    );
  });

  it('names a segment that decodes to fewer bytes than the image has', async () => {
    const bytes = rleDicom({ rows: 2, columns: 4, fragments: [rleFrame([repeat(7, 5)])] });
    await expectBadInput(
      decode(bytes),
      /the RLE frame segment 1 decodes to 5 bytes where the image has 8/,
    );
  });

  it('names a segment offset outside the frame', async () => {
    const frame = rleFrame([repeat(7, 8)]);
    new DataView(frame.buffer).setUint32(4, 4000, true);
    await expectBadInput(
      decode(rleDicom({ rows: 2, columns: 4, fragments: [frame] })),
      /the RLE frame says segment 1 starts at byte 4000, outside its 66 bytes/,
    );
  });

  it('says when a multi-frame file has not one fragment per frame', async () => {
    const one = rleFrame([repeat(7, 8)]);
    await expectBadInput(
      decode(rleDicom({ rows: 2, columns: 4, frames: 3, fragments: [one, one] }), 1),
      /the RLE pixel data holds 2 fragment\(s\) for 3 frames/,
    );
  });
});
