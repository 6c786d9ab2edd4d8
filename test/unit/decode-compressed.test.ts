/**
 * JPEG-LS, JPEG 2000, JPEG Lossless and Extended, and deflated DICOM, each checked against an
 * independent encoder: dcmtk's dcmcjpls (JPEG-LS, lossless and near-lossless, every interleave
 * mode), dcmcjpeg (JPEG Lossless process 14 and SV1, JPEG Extended) and dcmconv (deflate), and
 * Pillow's OpenJPEG binding for JPEG 2000 codestreams. A lossless file must decode to exactly
 * the pixels, calibration and frames of its uncompressed original; a lossy one within its bound.
 * Hand-broken files pin the messages for corrupt data.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeImageBuffer, type DecodedImage } from '../../src/decode';
import { codestreamSize } from '../../src/decode/codestream-size';
import { loadWasmCodec } from '../../src/decode/wasm-codecs';
import {
  imageElements,
  regionItem,
  regionsElement,
  writeDicom,
  type ImageOptions,
} from '../fixtures/dicom/write-dicom';
import { expectBadInput } from './expect-bad-input';

const W = 37; // odd on purpose: no codec may assume an even row
const H = 23;
const SAMPLES = join(__dirname, '..', '..', 'models', 'samples');
const JPEG_LS_LOSSLESS = '1.2.840.10008.1.2.4.80';
const JPEG_LS_NEAR = '1.2.840.10008.1.2.4.81';
const J2K_LOSSLESS = '1.2.840.10008.1.2.4.90';
const J2K = '1.2.840.10008.1.2.4.91';
const DEFLATED = '1.2.840.10008.1.2.1.99';
const JPEG_EXTENDED = '1.2.840.10008.1.2.4.51';
const JPEG_LOSSLESS = '1.2.840.10008.1.2.4.57';
const JPEG_LOSSLESS_SV1 = '1.2.840.10008.1.2.4.70';
const PYTHON = '/usr/bin/python3';

function works(command: string, args: string[]): boolean {
  try {
    execFileSync(command, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const DCMTK = ['dcmcjpls', 'dcmcjpeg', 'dcmconv'].every((tool) => works(tool, ['--version']));
const PILLOW_J2K = works(PYTHON, [
  '-c',
  "from PIL import features; import sys; sys.exit(0 if features.check('jpg_2000') else 1)",
]);
if (!DCMTK) console.warn('decode-compressed: dcmtk is not installed; its round trips are skipped');
if (!PILLOW_J2K)
  console.warn('decode-compressed: Pillow with OpenJPEG is not installed; JPEG 2000 is skipped');

const work = mkdtempSync(join(tmpdir(), 'spv-codecs-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** `bytes` run through a dcmtk tool that writes a new file; checks the syntax it wrote. */
function dcmtk(tool: string, options: string[], bytes: Uint8Array, name: string, syntax: string) {
  const input = join(work, `${name}.dcm`);
  const output = join(work, `${name}-${tool}.dcm`);
  writeFileSync(input, bytes);
  execFileSync(tool, [...options, input, output]);
  const out = new Uint8Array(readFileSync(output));
  expect(transferSyntaxOf(out)).toBe(syntax);
  return out;
}

function transferSyntaxOf(bytes: Uint8Array): string {
  const text = Buffer.from(bytes.subarray(132, 400)).toString('latin1');
  return /1\.2\.840\.10008\.1\.2[.\d]*/.exec(text)?.[0] ?? '';
}

/**
 * JPEG 2000 codestreams written by Pillow (OpenJPEG) from raw samples: one per frame.
 * `mode` is Pillow's ('L', 'RGB', 'I;16'); `lossy` uses the irreversible 9/7 wavelet.
 */
function pillowJ2k(raw: Uint8Array, mode: string, lossy: boolean, frames = 1): Uint8Array[] {
  const input = join(work, 'j2k-input.raw');
  writeFileSync(input, raw);
  const script = `
import sys
from PIL import Image
raw = open(sys.argv[1], 'rb').read()
w, h, n, mode, lossy = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], sys.argv[6] == '1'
size = len(raw) // n
for k in range(n):
    image = Image.frombytes(mode, (w, h), raw[k * size:(k + 1) * size])
    options = dict(irreversible=True, quality_mode='rates', quality_layers=[8]) if lossy else dict(irreversible=False)
    image.save(sys.argv[7] + str(k) + '.j2k', **options)
`;
  const prefix = join(work, 'j2k-frame');
  execFileSync(PYTHON, [
    '-c',
    script,
    input,
    `${W}`,
    `${H}`,
    `${frames}`,
    mode,
    lossy ? '1' : '0',
    prefix,
  ]);
  return Array.from(
    { length: frames },
    (_, k) => new Uint8Array(readFileSync(`${prefix}${k}.j2k`)),
  );
}

async function decode(bytes: Uint8Array, frame?: number): Promise<DecodedImage> {
  return decodeImageBuffer(Buffer.from(bytes), 'test.dcm', frame === undefined ? {} : { frame });
}

/** Decodes both and expects the same image: pixels, calibration, frames. */
async function expectSameImage(plain: Uint8Array, compressed: Uint8Array, frame?: number) {
  const a = await decode(plain, frame);
  const b = await decode(compressed, frame);
  expect([b.grey.width, b.grey.height]).toEqual([a.grey.width, a.grey.height]);
  expect(Array.from(b.grey.data)).toEqual(Array.from(a.grey.data));
  expect(b.calibration).toEqual(a.calibration);
  expect(b.frames).toBe(a.frames);
  return b;
}

/** Largest difference between two decoded images' grey values. */
async function largestDifference(plain: Uint8Array, compressed: Uint8Array): Promise<number> {
  const a = (await decode(plain)).grey.data;
  const b = (await decode(compressed)).grey.data;
  expect(b.length).toBe(a.length);
  let largest = 0;
  for (let i = 0; i < a.length; i++) largest = Math.max(largest, Math.abs(a[i] - b[i]));
  return largest;
}

/** Runs and noise both, so that the encoders meet flat and busy regions. */
function pixels8(frames = 1, spp = 1): Uint8Array {
  const out = new Uint8Array(W * H * spp * frames);
  for (let i = 0; i < out.length; i++) out[i] = i % 97 < 40 ? 200 : (i * 7919) % 251;
  return out;
}

/** 12 bits stored in 16 (little-endian), as many scanners' greyscale. */
function pixels12(): Uint8Array {
  const values = new Uint16Array(W * H);
  for (let i = 0; i < values.length; i++) values[i] = (i * 613) % 4096;
  return new Uint8Array(values.buffer);
}

const regions = () =>
  regionsElement([
    regionItem({ x0: 1, y0: 1, x1: W - 2, y1: H - 2, deltaXcm: 0.03, deltaYcm: 0.04 }),
  ]);

/** Bits Stored 12 of 16, with a window so that the grey image shows the whole range. */
function twelveBit(o: ImageOptions): ImageOptions {
  return {
    ...o,
    bitsAllocated: 16,
    extra: [
      ...(o.extra ?? []),
      { tag: [0x0028, 0x0101], vr: 'US', value: 12 },
      { tag: [0x0028, 0x0102], vr: 'US', value: 11 },
      { tag: [0x0028, 0x1050], vr: 'DS', value: '2048' },
      { tag: [0x0028, 0x1051], vr: 'DS', value: '4096' },
    ],
  };
}

/** imageElements with later entries of `extra` replacing the same tag (Bits Stored, say). */
function elements(o: ImageOptions) {
  const all = imageElements(o);
  const last = new Map(all.map((e) => [`${e.tag[0]},${e.tag[1]}`, e]));
  return all.filter((e) => last.get(`${e.tag[0]},${e.tag[1]}`) === e);
}

describe.skipIf(!DCMTK)('JPEG-LS against dcmtk’s encoder (CharLS, WebAssembly)', () => {
  it('8-bit greyscale with ultrasound regions: the same pixels and calibration', async () => {
    const plain = writeDicom(
      elements({ rows: H, columns: W, pixelBytes: pixels8(), extra: [regions()] }),
    );
    const ls = dcmtk('dcmcjpls', [], plain, 'grey8', JPEG_LS_LOSSLESS);
    const decoded = await expectSameImage(plain, ls);
    expect(decoded.calibration).toMatchObject({ source: 'ultrasound-regions' });
  });

  it('12 bits stored in 16: the same samples through the window', async () => {
    const plain = writeDicom(elements(twelveBit({ rows: H, columns: W, pixelBytes: pixels12() })));
    await expectSameImage(plain, dcmtk('dcmcjpls', [], plain, 'grey12', JPEG_LS_LOSSLESS));
  });

  it('RGB in every interleave mode (a plane per component, by line, by sample)', async () => {
    const plain = writeDicom(
      elements({ rows: H, columns: W, samplesPerPixel: 3, pixelBytes: pixels8(1, 3) }),
    );
    for (const mode of ['+in', '+il', '+is']) {
      await expectSameImage(
        plain,
        dcmtk('dcmcjpls', [mode], plain, `rgb${mode}`, JPEG_LS_LOSSLESS),
      );
    }
  });

  it('near-lossless: every pixel within the encoder’s bound of the original', async () => {
    const plain = writeDicom(elements({ rows: H, columns: W, pixelBytes: pixels8() }));
    const near = dcmtk('dcmcjpls', ['+en', '+md', '3'], plain, 'near3', JPEG_LS_NEAR);
    const largest = await largestDifference(plain, near);
    expect(largest).toBeGreaterThan(0); // lossy indeed, so the bound is what is tested
    expect(largest).toBeLessThanOrEqual(3);
  });

  it('several frames and the bundled sample DICOMs', async () => {
    const plain = writeDicom(elements({ rows: H, columns: W, frames: 3, pixelBytes: pixels8(3) }));
    const ls = dcmtk('dcmcjpls', [], plain, 'frames3', JPEG_LS_LOSSLESS);
    for (const frame of [0, 1, 2]) await expectSameImage(plain, ls, frame);
    await expect(decode(ls)).rejects.toThrow(/has 3 frames/);
    for (const [file, frame] of [
      ['sample-03_coronal.dcm', undefined],
      ['sample-multiframe.dcm', 1],
    ] as const) {
      const sample = new Uint8Array(readFileSync(join(SAMPLES, file)));
      const name = file.replace('.dcm', '');
      await expectSameImage(sample, dcmtk('dcmcjpls', [], sample, name, JPEG_LS_LOSSLESS), frame);
    }
  });

  it('refuses a frame whose size is not the header’s, naming both', async () => {
    const plain = writeDicom(elements({ rows: H, columns: W, pixelBytes: pixels8() }));
    const ls = dcmtk('dcmcjpls', [], plain, 'resized', JPEG_LS_LOSSLESS);
    // The same codestream under a header that says one column more.
    const frame = encapsulatedFragment(ls);
    const lying = writeDicom(
      elements({ rows: H, columns: W + 1, fragments: [frame] }),
      JPEG_LS_LOSSLESS,
    );
    await expectBadInput(
      decode(lying),
      /test\.dcm: the JPEG-LS frame is 37×23 but the header says 38×23/,
    );
  });
});

describe.skipIf(!DCMTK)(
  'JPEG Lossless and Extended against dcmtk’s encoder (libjpeg-turbo, WebAssembly)',
  () => {
    it('lossless, process 14 and SV1: the same pixels (greyscale with regions, RGB, frames, samples)', async () => {
      const grey = writeDicom(
        elements({ rows: H, columns: W, pixelBytes: pixels8(), extra: [regions()] }),
      );
      const rgb = writeDicom(
        elements({ rows: H, columns: W, samplesPerPixel: 3, pixelBytes: pixels8(1, 3) }),
      );
      for (const [option, syntax] of [
        ['+e1', JPEG_LOSSLESS_SV1],
        ['+el', JPEG_LOSSLESS],
      ] as const) {
        const decoded = await expectSameImage(
          grey,
          dcmtk('dcmcjpeg', [option], grey, `grey${option}`, syntax),
        );
        expect(decoded.calibration).toMatchObject({ source: 'ultrasound-regions' });
        await expectSameImage(rgb, dcmtk('dcmcjpeg', [option], rgb, `rgb${option}`, syntax));
      }
      const frames = writeDicom(
        elements({ rows: H, columns: W, frames: 3, pixelBytes: pixels8(3) }),
      );
      const sv1 = dcmtk('dcmcjpeg', ['+e1'], frames, 'frames-sv1', JPEG_LOSSLESS_SV1);
      for (const frame of [0, 1, 2]) await expectSameImage(frames, sv1, frame);
      const sample = new Uint8Array(readFileSync(join(SAMPLES, 'sample-03_coronal.dcm')));
      await expectSameImage(
        sample,
        dcmtk('dcmcjpeg', ['+e1'], sample, 'sample-sv1', JPEG_LOSSLESS_SV1),
      );
    });

    it('extended (lossy): greyscale close to the original, YBR_FULL_422 colour back to RGB', async () => {
      const pixels = new Uint8Array(W * H).map((_, i) => 60 + 2 * (i % W) + 3 * Math.floor(i / W));
      const grey = writeDicom(elements({ rows: H, columns: W, pixelBytes: pixels }));
      const extended = dcmtk('dcmcjpeg', ['+ee'], grey, 'grey-extended', JPEG_EXTENDED);
      expect(await largestDifference(grey, extended)).toBeLessThan(8);
      // A smooth colour image: dcmcjpeg stores it as YBR_FULL_422, the decoder gives RGB back.
      const colour = new Uint8Array(W * H * 3).map((_, i) => {
        const p = Math.floor(i / 3);
        return [4 * (p % W), 8 * Math.floor(p / W), 100][i % 3];
      });
      const rgb = writeDicom(
        elements({ rows: H, columns: W, samplesPerPixel: 3, pixelBytes: colour }),
      );
      const ybr = dcmtk('dcmcjpeg', ['+ee'], rgb, 'rgb-extended', JPEG_EXTENDED);
      expect(Buffer.from(ybr).includes(Buffer.from('YBR_FULL_422'))).toBe(true);
      expect(await largestDifference(rgb, ybr)).toBeLessThan(8);
    });

    it('refuses more than 8 bits stored, naming the syntax and what to export instead', async () => {
      const plain = writeDicom(
        elements(twelveBit({ rows: H, columns: W, pixelBytes: pixels12() })),
      );
      const sv1 = dcmtk('dcmcjpeg', ['+e1'], plain, 'grey12-sv1', JPEG_LOSSLESS_SV1);
      await expectBadInput(
        decode(sv1),
        /test\.dcm: JPEG Lossless SV1 with 12 bits stored is not supported \(at most 8\).*JPEG-LS or JPEG 2000/,
      );
    });
  },
);

describe.skipIf(!PILLOW_J2K)('JPEG 2000 against Pillow’s encoder (OpenJPEG, WebAssembly)', () => {
  it('8-bit greyscale, reversible: the same pixels, with ultrasound regions', async () => {
    const pixels = pixels8();
    const plain = writeDicom(
      elements({ rows: H, columns: W, pixelBytes: pixels, extra: [regions()] }),
    );
    const j2k = writeDicom(
      elements({
        rows: H,
        columns: W,
        fragments: pillowJ2k(pixels, 'L', false),
        extra: [regions()],
      }),
      J2K_LOSSLESS,
    );
    const decoded = await expectSameImage(plain, j2k);
    expect(decoded.calibration).toMatchObject({ source: 'ultrasound-regions' });
  });

  it('16-bit greyscale, reversible: the same samples', async () => {
    const pixels = pixels12();
    const plain = writeDicom(elements(twelveBit({ rows: H, columns: W, pixelBytes: pixels })));
    const j2k = writeDicom(
      elements(twelveBit({ rows: H, columns: W, fragments: pillowJ2k(pixels, 'I;16', false) })),
      J2K_LOSSLESS,
    );
    await expectSameImage(plain, j2k);
  });

  it('RGB through the reversible colour transform (YBR_RCT) is RGB again', async () => {
    const pixels = pixels8(1, 3);
    const plain = writeDicom(
      elements({ rows: H, columns: W, samplesPerPixel: 3, pixelBytes: pixels }),
    );
    const j2k = writeDicom(
      elements({
        rows: H,
        columns: W,
        samplesPerPixel: 3,
        photometric: 'YBR_RCT',
        fragments: pillowJ2k(pixels, 'RGB', false),
      }),
      J2K_LOSSLESS,
    );
    await expectSameImage(plain, j2k);
  });

  it('lossy (irreversible wavelet): close to the original, not equal', async () => {
    // A smooth image, as a B-mode's speckle after the scanner's filtering is, at 8:1.
    const pixels = new Uint8Array(W * H).map((_, i) => 60 + 2 * (i % W) + 3 * Math.floor(i / W));
    const plain = writeDicom(elements({ rows: H, columns: W, pixelBytes: pixels }));
    const j2k = writeDicom(
      elements({ rows: H, columns: W, fragments: pillowJ2k(pixels, 'L', true) }),
      J2K,
    );
    const largest = await largestDifference(plain, j2k);
    expect(largest).toBeGreaterThan(0);
    expect(largest).toBeLessThan(12);
  });

  it('several frames, one codestream each', async () => {
    const pixels = pixels8(3);
    const plain = writeDicom(elements({ rows: H, columns: W, frames: 3, pixelBytes: pixels }));
    const j2k = writeDicom(
      elements({ rows: H, columns: W, frames: 3, fragments: pillowJ2k(pixels, 'L', false, 3) }),
      J2K_LOSSLESS,
    );
    for (const frame of [0, 1, 2]) await expectSameImage(plain, j2k, frame);
  });

  it('refuses a truncated codestream and a component count the header does not declare', async () => {
    const [codestream] = pillowJ2k(pixels8(), 'L', false);
    const cut = writeDicom(
      elements({ rows: H, columns: W, fragments: [codestream.subarray(0, 60)] }),
      J2K_LOSSLESS,
    );
    const before = loadWasmCodec('jpeg-2000');
    await expectBadInput(decode(cut), /test\.dcm: the JPEG 2000 frame 0 cannot be decoded/);
    // The module whose decoder failed (it may have aborted) is replaced, and the next frame decodes.
    expect(loadWasmCodec('jpeg-2000')).not.toBe(before);
    const whole = writeDicom(
      elements({ rows: H, columns: W, fragments: [codestream] }),
      J2K_LOSSLESS,
    );
    expect((await decode(whole)).grey.width).toBe(W);
    const [rgb] = pillowJ2k(pixels8(1, 3), 'RGB', false);
    const grey = writeDicom(elements({ rows: H, columns: W, fragments: [rgb] }), J2K_LOSSLESS);
    await expectBadInput(
      decode(grey),
      /the JPEG 2000 frame has 3 component\(s\) but the header says 1 sample\(s\) per pixel/,
    );
  });
});

describe.skipIf(!DCMTK || !PILLOW_J2K)('codestream headers, read before any decoder runs', () => {
  it('give the size and components of JPEG-LS, JPEG Lossless and Extended, JPEG 2000 and JP2', async () => {
    const grey = writeDicom(elements({ rows: H, columns: W, pixelBytes: pixels8() }));
    const rgb = writeDicom(
      elements({ rows: H, columns: W, samplesPerPixel: 3, pixelBytes: pixels8(1, 3) }),
    );
    const fromDcmtk = (
      tool: string,
      options: string[],
      file: Uint8Array,
      name: string,
      syntax: string,
    ) => encapsulatedFragment(dcmtk(tool, options, file, name, syntax));
    expect(
      codestreamSize(fromDcmtk('dcmcjpls', [], grey, 'size-ls', JPEG_LS_LOSSLESS), 'jpeg'),
    ).toEqual({ width: W, height: H, components: 1 });
    expect(
      codestreamSize(fromDcmtk('dcmcjpls', ['+in'], rgb, 'size-ls-rgb', JPEG_LS_LOSSLESS), 'jpeg'),
    ).toEqual({ width: W, height: H, components: 3 });
    expect(
      codestreamSize(fromDcmtk('dcmcjpeg', ['+e1'], grey, 'size-sv1', JPEG_LOSSLESS_SV1), 'jpeg'),
    ).toEqual({ width: W, height: H, components: 1 });
    expect(
      codestreamSize(fromDcmtk('dcmcjpeg', ['+ee'], rgb, 'size-ext', JPEG_EXTENDED), 'jpeg'),
    ).toEqual({ width: W, height: H, components: 3 });
    const [j2k] = pillowJ2k(pixels8(1, 3), 'RGB', false);
    expect(codestreamSize(j2k, 'jpeg-2000')).toEqual({ width: W, height: H, components: 3 });
    // Not a codestream of that family: no size, and the decoder says what is wrong.
    expect(codestreamSize(j2k, 'jpeg')).toBeNull();
    expect(codestreamSize(new Uint8Array([0xff, 0xd8, 0xff]), 'jpeg')).toBeNull();
  });

  it('refuses a frame claiming a huge size before decoding it', async () => {
    const [codestream] = pillowJ2k(pixels8(), 'L', false);
    // SIZ's Xsiz and Ysiz (after SOC, SIZ, Lsiz, Rsiz) made 60000: 3.6 GB of samples to allocate.
    const huge = Uint8Array.from(codestream);
    const view = new DataView(huge.buffer);
    view.setUint32(8, 60_000);
    view.setUint32(12, 60_000);
    expect(codestreamSize(huge, 'jpeg-2000')).toMatchObject({ width: 60_000, height: 60_000 });
    const file = writeDicom(elements({ rows: H, columns: W, fragments: [huge] }), J2K_LOSSLESS);
    await expectBadInput(
      decode(file),
      /test\.dcm: the JPEG 2000 frame is 60000×60000 but the header says 37×23/,
    );
  });
});

describe('Deflated Explicit VR Little Endian', () => {
  it.skipIf(!DCMTK)('dcmconv’s deflated copy is the same image', async () => {
    const plain = writeDicom(
      elements({ rows: H, columns: W, pixelBytes: pixels8(), extra: [regions()] }),
    );
    await expectSameImage(plain, dcmtk('dcmconv', ['+td'], plain, 'deflated', DEFLATED));
    const sample = new Uint8Array(readFileSync(join(SAMPLES, 'sample-03_coronal.dcm')));
    await expectSameImage(sample, dcmtk('dcmconv', ['+td'], sample, 'sample-deflated', DEFLATED));
  });

  it('refuses a stream that does not inflate, and one that inflates past the largest image', async () => {
    const corrupt = deflatedFile(new Uint8Array(64).fill(0xff)); // block type 3: reserved
    await expectBadInput(decode(corrupt), /test\.dcm: the deflated data set is corrupt/);
    // A few hundred kilobytes of zeros that would fill 300 MB.
    const bomb = deflatedFile(deflateRawSync(Buffer.alloc(300 * 2 ** 20), { level: 1 }));
    await expectBadInput(decode(bomb), /the deflated data set inflates to more than \d+ MB/);
  });
});

/** A Part 10 file whose file meta says deflated, with `deflated` as its data set. */
function deflatedFile(deflated: Uint8Array): Uint8Array {
  const meta = writeDicom([], DEFLATED);
  const out = new Uint8Array(meta.length + deflated.length);
  out.set(meta);
  out.set(deflated, meta.length);
  return out;
}

/** The single fragment after the empty basic offset table of a one-frame encapsulated file. */
function encapsulatedFragment(file: Uint8Array): Uint8Array {
  const bytes = Buffer.from(file);
  // (7FE0,0010) OB, undefined length, then the item of the basic offset table.
  const at = bytes.indexOf(Buffer.from([0xe0, 0x7f, 0x10, 0x00, 0x4f, 0x42]));
  expect(at).toBeGreaterThan(0);
  let p = at + 12;
  const readItem = () => {
    expect(bytes.readUInt16LE(p)).toBe(0xfffe);
    const length = bytes.readUInt32LE(p + 4);
    const start = p + 8;
    p = start + length;
    return bytes.subarray(start, start + length);
  };
  readItem(); // the basic offset table
  return new Uint8Array(readItem());
}
