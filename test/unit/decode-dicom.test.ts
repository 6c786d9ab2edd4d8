import { encode as encodeJpeg } from 'jpeg-js';
import { describe, expect, it } from 'vitest';
import { decodeImageBuffer } from '../../src/decode';
import {
  imageElements,
  regionItem,
  regionsElement,
  writeDicom,
  type DicomElement,
} from '../fixtures/dicom/write-dicom';
import { expectBadInput } from './expect-bad-input';

const W = 40;
const H = 30;

function pattern(x: number, y: number): number {
  return (x * 7 + y * 3) % 256;
}

function grey8(frames = 1): Uint8Array {
  const out = new Uint8Array(W * H * frames);
  for (let f = 0; f < frames; f++)
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++) out[f * W * H + y * W + x] = (pattern(x, y) + 50 * f) % 256;
  return out;
}

function words16(values: ArrayLike<number>, littleEndian = true): Uint8Array {
  const out = new Uint8Array(values.length * 2);
  const view = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) view.setUint16(2 * i, values[i] & 0xffff, littleEndian);
  return out;
}

async function decode(bytes: Uint8Array, opts?: { frame?: number }) {
  return decodeImageBuffer(Buffer.from(bytes), 'test.dcm', opts);
}

describe('DICOM decoding', () => {
  it('reads 8-bit MONOCHROME2 with ultrasound regions (cm → mm) and metadata', async () => {
    const regions = regionsElement([
      regionItem({ x0: 0, y0: 0, x1: 9, y1: 9, deltaXcm: 0.5, deltaYcm: 0.5 }),
      regionItem({ x0: 2, y0: 1, x1: 38, y1: 28, deltaXcm: 0.035, deltaYcm: 0.042 }),
    ]);
    const d = await decode(
      writeDicom(imageElements({ rows: H, columns: W, pixelBytes: grey8(), extra: [regions] })),
    );
    expect(d.format).toBe('dicom');
    expect(d.frames).toBe(1);
    expect(d.grey.width).toBe(W);
    expect(d.grey.height).toBe(H);
    expect(d.grey.data[5 * W + 7]).toBe(pattern(7, 5));
    expect(d.calibration).toMatchObject({ source: 'ultrasound-regions' });
    expect(d.calibration!.spacingX).toBeCloseTo(0.35, 12);
    expect(d.calibration!.spacingY).toBeCloseTo(0.42, 12);
    expect(d.calibration!.regions).toHaveLength(2); // each kept with its scale, the main one first
    expect(d.calibration!.regions![0].spacingX).toBeCloseTo(0.35, 12);
    expect(d.meta).toMatchObject({
      patientId: 'SYNTH-0001',
      patientName: 'SYNTH^TEST',
      modality: 'US',
      studyDate: '20240102',
      sopClassUid: '1.2.840.10008.5.1.4.1.1.6.1',
      photometric: 'MONOCHROME2',
    });
  });

  it('reads the same image in implicit little endian and explicit big endian', async () => {
    const pixels = grey8();
    for (const syntax of ['implicit-le', 'explicit-be'] as const) {
      const regions = regionsElement([
        regionItem({ x0: 0, y0: 0, x1: W - 1, y1: H - 1, deltaXcm: 0.03, deltaYcm: 0.03 }),
      ]);
      const d = await decode(
        writeDicom(
          imageElements({ rows: H, columns: W, pixelBytes: pixels, extra: [regions] }),
          syntax,
        ),
      );
      expect(Array.from(d.grey.data)).toEqual(Array.from(pixels));
      expect(d.calibration?.spacingX).toBeCloseTo(0.3, 12);
    }
  });

  it('falls back to Pixel Spacing (row\\column → y, x), else no calibration', async () => {
    const spacing: DicomElement = { tag: [0x0028, 0x0030], vr: 'DS', value: '0.4\\0.25' };
    const d = await decode(
      writeDicom(imageElements({ rows: H, columns: W, pixelBytes: grey8(), extra: [spacing] })),
    );
    expect(d.calibration).toMatchObject({ source: 'pixel-spacing', spacingX: 0.25, spacingY: 0.4 });
    const none = await decode(
      writeDicom(imageElements({ rows: H, columns: W, pixelBytes: grey8() })),
    );
    expect(none.calibration).toBeNull();
    const given = await decodeImageBuffer(
      Buffer.from(writeDicom(imageElements({ rows: H, columns: W, pixelBytes: grey8() }))),
      'x.dcm',
      {
        spacing: { x: 0.2, y: 0.3 },
      },
    );
    expect(given.calibration).toMatchObject({ source: 'caller', spacingX: 0.2, spacingY: 0.3 });
  });

  it('inverts MONOCHROME1', async () => {
    const d = await decode(
      writeDicom(
        imageElements({ rows: H, columns: W, pixelBytes: grey8(), photometric: 'MONOCHROME1' }),
      ),
    );
    expect(d.grey.data[3 * W + 4]).toBe(255 - pattern(4, 3));
  });

  it('converts RGB (interleaved and planar) with 0.299/0.587/0.114', async () => {
    const interleaved = new Uint8Array(W * H * 3);
    const planar = new Uint8Array(W * H * 3);
    for (let i = 0; i < W * H; i++) {
      const rgb = [i % 256, (i * 3) % 256, (i * 5) % 256];
      for (let c = 0; c < 3; c++) {
        interleaved[i * 3 + c] = rgb[c];
        planar[c * W * H + i] = rgb[c];
      }
    }
    for (const [bytes, isPlanar] of [
      [interleaved, false],
      [planar, true],
    ] as const) {
      const d = await decode(
        writeDicom(
          imageElements({
            rows: H,
            columns: W,
            samplesPerPixel: 3,
            planar: isPlanar,
            pixelBytes: bytes,
          }),
        ),
      );
      const i = 123;
      expect(d.grey.data[i]).toBeCloseTo(
        0.299 * (i % 256) + 0.587 * ((i * 3) % 256) + 0.114 * ((i * 5) % 256),
        4,
      );
    }
  });

  it('converts uncompressed YBR_FULL to RGB before the luma', async () => {
    // Y = 100, Cb = Cr = 128 is the grey 100; Y = 76, Cb = 85, Cr = 255 is (near) pure red.
    const ybr = new Uint8Array(W * H * 3);
    for (let i = 0; i < W * H; i++) ybr.set(i % 2 === 0 ? [100, 128, 128] : [76, 85, 255], i * 3);
    const d = await decode(
      writeDicom(
        imageElements({
          rows: H,
          columns: W,
          samplesPerPixel: 3,
          photometric: 'YBR_FULL',
          pixelBytes: ybr,
        }),
      ),
    );
    expect(d.grey.data[0]).toBeCloseTo(100, 4);
    expect(d.grey.data[1]).toBeCloseTo(76, 0); // red's luma is its Y
  });

  it('windows 16-bit data over min..max, or over Window Center/Width when present', async () => {
    const values = new Array(W * H).fill(0).map((_, i) => 1000 + (i % 1001)); // 1000..2000
    const bytes = words16(values);
    const d = await decode(
      writeDicom(imageElements({ rows: H, columns: W, bitsAllocated: 16, pixelBytes: bytes })),
    );
    expect(d.grey.data[0]).toBe(0);
    expect(d.grey.data[1000]).toBe(255);
    expect(d.grey.data[500]).toBeCloseTo(127.5, 4);
    const windowed = await decode(
      writeDicom(
        imageElements({
          rows: H,
          columns: W,
          bitsAllocated: 16,
          pixelBytes: bytes,
          extra: [
            { tag: [0x0028, 0x1050], vr: 'DS', value: '1200\\1500' },
            { tag: [0x0028, 0x1051], vr: 'DS', value: '200\\400' },
          ],
        }),
      ),
    );
    expect(windowed.grey.data[50]).toBe(0); // 1050 < 1100
    expect(windowed.grey.data[200]).toBeCloseTo(127.5, 4); // 1200 = centre
    expect(windowed.grey.data[400]).toBe(255); // 1400 > 1300
  });

  it('reads signed 16-bit data', async () => {
    const values = new Array(W * H).fill(0).map((_, i) => (i % 2 === 0 ? -100 : 300));
    const d = await decode(
      writeDicom(
        imageElements({
          rows: H,
          columns: W,
          bitsAllocated: 16,
          signed: true,
          pixelBytes: words16(values),
        }),
      ),
    );
    expect(d.grey.data[0]).toBe(0);
    expect(d.grey.data[1]).toBe(255);
  });

  it('requires a frame for multi-frame files and reads the chosen one', async () => {
    const bytes = writeDicom(
      imageElements({ rows: H, columns: W, frames: 3, pixelBytes: grey8(3) }),
    );
    await expectBadInput(decode(bytes), /has 3 frames.*--frame/);
    const second = await decode(bytes, { frame: 1 });
    expect(second.frames).toBe(3);
    expect(second.grey.data[2 * W + 3]).toBe((pattern(3, 2) + 50) % 256);
    await expectBadInput(decode(bytes, { frame: 3 }), /frame 3 is out of range/);
  });

  it('decodes JPEG baseline encapsulated frames', async () => {
    const rgba = new Uint8Array(W * H * 4);
    for (let i = 0; i < W * H; i++) {
      const x = i % W;
      rgba.set([x < W / 2 ? 40 : 200, x < W / 2 ? 40 : 200, x < W / 2 ? 40 : 200, 255], i * 4);
    }
    const jpeg = encodeJpeg({ data: rgba, width: W, height: H }, 95).data;
    const single = await decode(
      writeDicom(
        imageElements({
          rows: H,
          columns: W,
          samplesPerPixel: 3,
          photometric: 'YBR_FULL_422',
          fragments: [jpeg],
        }),
        'jpeg-baseline',
      ),
    );
    expect(single.grey.data[10 * W + 5]).toBeGreaterThan(30);
    expect(single.grey.data[10 * W + 5]).toBeLessThan(50);
    expect(single.grey.data[10 * W + 35]).toBeGreaterThan(190);
    const multi = await decode(
      writeDicom(
        imageElements({
          rows: H,
          columns: W,
          samplesPerPixel: 3,
          photometric: 'YBR_FULL_422',
          frames: 2,
          fragments: [jpeg, jpeg],
        }),
        'jpeg-baseline',
      ),
      { frame: 1 },
    );
    expect(multi.grey.data[10 * W + 35]).toBeGreaterThan(190);
  });

  it('refuses a file without pixel data, an unsupported transfer syntax, and huge images, by name', async () => {
    await expectBadInput(
      decode(writeDicom(imageElements({ rows: H, columns: W }))),
      /test\.dcm: .*no pixel data/,
    );
    await expectBadInput(
      decode(
        writeDicom(
          imageElements({ rows: H, columns: W, pixelBytes: grey8() }),
          '1.2.840.10008.1.2.4.201',
        ),
      ),
      /HTJ2K Lossless \(1\.2\.840\.10008\.1\.2\.4\.201\) is not supported/,
    );
    // 9000 × 9000 declared: refused from the header, before any pixel data is needed.
    await expectBadInput(
      decode(
        writeDicom(imageElements({ rows: 9000, columns: 9000, pixelBytes: new Uint8Array(16) })),
      ),
      /larger than 8192/,
    );
    await expectBadInput(
      decode(writeDicom(imageElements({ rows: H, columns: W, pixelBytes: new Uint8Array(100) }))),
      /truncated/,
    );
  });
});
