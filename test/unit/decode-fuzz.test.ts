/**
 * Fuzz: random bytes, truncations and bit flips of real PNG, JPEG and DICOM files (uncompressed,
 * JPEG baseline, JPEG-LS and JPEG 2000, the last two made by the CharLS and OpenJPEG encoders) go through
 * decodeImageBuffer. Each one either decodes to a consistent image or throws SpvError — never
 * anything else (no TypeError, RangeError, string throw or crash). Seeded: failures reproduce.
 */
import { encode as encodeJpeg } from 'jpeg-js';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { SpvError } from '../../src/api/errors';
import { decodeImageBuffer } from '../../src/decode';
import {
  imageElements,
  regionItem,
  regionsElement,
  writeDicom,
} from '../fixtures/dicom/write-dicom';
import { wasmCodestreams } from '../fixtures/dicom/wasm-encode';

function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    let t = (state = (state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const W = 64;
const H = 48;

async function realFiles(): Promise<{ name: string; bytes: Uint8Array }[]> {
  const grey = new Uint8Array(W * H).map((_, i) => (i * 13) % 256);
  const rgb = new Uint8Array(W * H * 3).map((_, i) => (i * 7) % 256);
  const rgba = new Uint8Array(W * H * 4).map((_, i) => (i * 3) % 256);
  const png = await sharp(Buffer.from(rgb), { raw: { width: W, height: H, channels: 3 } })
    .png()
    .toBuffer();
  const jpeg = await sharp(Buffer.from(rgb), { raw: { width: W, height: H, channels: 3 } })
    .jpeg()
    .toBuffer();
  const regions = regionsElement([
    regionItem({ x0: 0, y0: 0, x1: W - 1, y1: H - 1, deltaXcm: 0.03, deltaYcm: 0.03 }),
  ]);
  const dicom = writeDicom(
    imageElements({ rows: H, columns: W, pixelBytes: grey, extra: [regions] }),
  );
  const dicom16 = writeDicom(
    imageElements({
      rows: H,
      columns: W,
      bitsAllocated: 16,
      pixelBytes: new Uint8Array(W * H * 2).map((_, i) => i % 256),
    }),
    'implicit-le',
  );
  const jpegFrame = encodeJpeg({ data: rgba, width: W, height: H }, 80).data;
  const dicomJpeg = writeDicom(
    imageElements({
      rows: H,
      columns: W,
      samplesPerPixel: 3,
      photometric: 'YBR_FULL_422',
      frames: 2,
      fragments: [jpegFrame, jpegFrame],
    }),
    'jpeg-baseline',
  );
  const { ls, j2k } = await wasmCodestreams(grey, W, H);
  const encapsulated = (fragment: Uint8Array, syntax: string) =>
    writeDicom(
      imageElements({ rows: H, columns: W, fragments: [fragment], extra: [regions] }),
      syntax,
    );
  return [
    { name: 'fls.dcm', bytes: encapsulated(ls, '1.2.840.10008.1.2.4.80') },
    { name: 'fj2k.dcm', bytes: encapsulated(j2k, '1.2.840.10008.1.2.4.90') },
    { name: 'f.png', bytes: png },
    { name: 'f.jpg', bytes: jpeg },
    { name: 'f.dcm', bytes: dicom },
    { name: 'f16.dcm', bytes: dicom16 },
    { name: 'fj.dcm', bytes: dicomJpeg },
  ];
}

async function decodesOrRefuses(
  bytes: Uint8Array,
  name: string,
  frame?: number,
): Promise<'decoded' | 'refused'> {
  try {
    const d = await decodeImageBuffer(
      Buffer.from(bytes),
      name,
      frame === undefined ? {} : { frame },
    );
    expect(d.grey.data.length).toBe(d.grey.width * d.grey.height);
    expect(d.grey.data.every((v) => v >= 0 && v <= 255)).toBe(true);
    return 'decoded';
  } catch (error) {
    if (!(error instanceof SpvError)) {
      throw new Error(`${name} (${bytes.length} bytes) threw a non-SpvError: ${String(error)}`, {
        cause: error,
      });
    }
    expect(error.code).toBe('bad-input');
    expect(error.message.startsWith(name)).toBe(true);
    return 'refused';
  }
}

describe('decoder fuzz', () => {
  it('random, truncated and bit-flipped files either decode or throw SpvError', async () => {
    const rand = mulberry32(20250101);
    const files = await realFiles();
    const outcomes = { decoded: 0, refused: 0 };
    let cases = 0;
    const run = async (bytes: Uint8Array, name: string, frame?: number): Promise<void> => {
      outcomes[await decodesOrRefuses(bytes, name, frame)]++;
      cases++;
    };

    // Random bytes, with and without a real signature in front.
    for (let k = 0; k < 40; k++) {
      const bytes = new Uint8Array(1 + Math.floor(rand() * 2000)).map(() =>
        Math.floor(rand() * 256),
      );
      const prefix = files[k % files.length].bytes.subarray(0, k % 2 === 0 ? 8 : 200);
      await run(
        k % 3 === 0 ? bytes : Uint8Array.from([...prefix, ...bytes]),
        ['r.png', 'r.jpg', 'r.dcm', 'r.bin'][k % 4],
      );
    }
    for (const file of files) {
      const frame = file.name === 'fj.dcm' ? 1 : undefined;
      // Truncations at random points.
      for (let k = 0; k < 25; k++)
        await run(file.bytes.subarray(0, Math.floor(rand() * file.bytes.length)), file.name, frame);
      // Bit flips: 1 to 8 random bits, biased to the header where the structure lives.
      for (let k = 0; k < 25; k++) {
        const bytes = file.bytes.slice();
        const flips = 1 + Math.floor(rand() * 8);
        for (let f = 0; f < flips; f++) {
          const limit = rand() < 0.6 ? Math.min(bytes.length, 600) : bytes.length;
          bytes[Math.floor(rand() * limit)] ^= 1 << Math.floor(rand() * 8);
        }
        await run(bytes, file.name, frame);
      }
    }
    expect(cases).toBeGreaterThanOrEqual(200);
    // Both outcomes occur, so the harness exercises the decoders rather than only the sniffer.
    expect(outcomes.decoded).toBeGreaterThan(10);
    expect(outcomes.refused).toBeGreaterThan(100);
  });
});
