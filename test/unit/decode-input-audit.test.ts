/**
 * Image input defects found by the input audit: each test fails on the code before its fix.
 * Caller spacing versus a DICOM's own calibration, content checks of .dcm files, truncated DICOM,
 * YBR_FULL_422, character sets, EXIF orientation, 16-bit PNG and the lowest plausible spacing.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SpvError } from '../../src/api/errors';
import { decodeImageBuffer, decodeImageFile } from '../../src/decode';
import { asDecodeError } from '../../src/decode/bad-input';
import { calibrationFromTwoPoints } from '../../src/imaging/calibration';
import {
  imageElements,
  regionItem,
  regionsElement,
  writeDicom,
  type DicomElement,
} from '../fixtures/dicom/write-dicom';

const W = 40;
const H = 30;

function grey8(): Uint8Array {
  return new Uint8Array(W * H).map((_, i) => (i * 7) % 256);
}

function regions(deltaCm: number): DicomElement {
  return regionsElement([
    regionItem({ x0: 0, y0: 0, x1: W - 1, y1: H - 1, deltaXcm: deltaCm, deltaYcm: deltaCm }),
  ]);
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SpvError);
  return (error as SpvError).message;
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'spv-decode-input-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('a spacing given by the caller', () => {
  const calibrated = Buffer.from(
    writeDicom(imageElements({ rows: H, columns: W, pixelBytes: grey8(), extra: [regions(0.05)] })),
  );
  const bare = Buffer.from(writeDicom(imageElements({ rows: H, columns: W, pixelBytes: grey8() })));

  it('does not replace a DICOM’s own calibration, and a notice says it was not used', async () => {
    const d = await decodeImageBuffer(calibrated, 'cor.dcm', { spacing: { x: 0.3, y: 0.3 } });
    expect(d.calibration).toMatchObject({ source: 'ultrasound-regions', spacingX: 0.5 });
    expect(d.notices).toEqual([
      expect.stringMatching(
        /cor\.dcm: the given spacing 0\.3 × 0\.3 mm\/px was not used.*own calibration.*differs/,
      ),
    ]);
  });

  it('calibrates a DICOM that carries none, and a PNG, without a notice', async () => {
    const d = await decodeImageBuffer(bare, 'bare.dcm', { spacing: { x: 0.3, y: 0.4 } });
    expect(d.calibration).toMatchObject({ source: 'caller', spacingX: 0.3, spacingY: 0.4 });
    expect(d.notices).toEqual([]);
    const png = await sharp(Buffer.alloc(W * H, 90), { raw: { width: W, height: H, channels: 1 } })
      .png()
      .toBuffer();
    const p = await decodeImageBuffer(png, 'x.png', { spacing: { x: 0.3, y: 0.3 } });
    expect(p.calibration).toMatchObject({ source: 'caller', spacingX: 0.3 });
  });
});

describe('the lowest plausible spacing (0.01 mm/px)', () => {
  const png = () =>
    sharp(Buffer.alloc(W * H, 90), { raw: { width: W, height: H, channels: 1 } })
      .png()
      .toBuffer();

  it('refuses a typo like 0.0001 mm/px from the caller, a sidecar or a drawn calibration', async () => {
    expect(
      await refusal(decodeImageBuffer(await png(), 'x.png', { spacing: { x: 0.0001, y: 0.0001 } })),
    ).toMatch(/0\.0001×0\.0001 mm\/px is outside 0\.01–10 mm per pixel/);
    const path = join(dir, 'scan.png');
    writeFileSync(path, await png());
    writeFileSync(join(dir, 'scan.json'), JSON.stringify({ spacing_mm: [0.0001, 0.0001] }));
    expect(await refusal(decodeImageFile(path))).toMatch(/scan\.json.*0\.01–10 mm per pixel/);
    expect(() => calibrationFromTwoPoints([0, 0], [1000, 0], 0.5)).toThrow(
      /less than ultrasound images have \(≥ 0\.01\)/,
    );
    // The bound itself is accepted.
    const d = await decodeImageBuffer(await png(), 'x.png', { spacing: { x: 0.01, y: 0.01 } });
    expect(d.calibration?.spacingX).toBe(0.01);
  });
});

describe('files that are not DICOM or are cut short', () => {
  it('says a text file or other bytes named .dcm are not DICOM, not "no pixel data"', async () => {
    const text = Buffer.from('Patient notes: spleen looked normal.\n'.repeat(10));
    expect(await refusal(decodeImageBuffer(text, 'notes.dcm'))).toMatch(
      /notes\.dcm: this is a text file, not a DICOM file/,
    );
    const binary = Buffer.from(Array.from({ length: 600 }, (_, i) => (i * 97 + 13) % 256));
    expect(await refusal(decodeImageBuffer(binary, 'report.dcm'))).toMatch(
      /report\.dcm: this is not a DICOM file/,
    );
  });

  it('still reads a bare data set (no Part 10 header) named .dcm', async () => {
    const full = writeDicom(
      imageElements({ rows: H, columns: W, pixelBytes: grey8() }),
      'implicit-le',
    );
    // Skip the preamble and the file meta group: what is left is the bare implicit-LE data set.
    const metaLength = new DataView(full.buffer).getUint32(132 + 8, true);
    const bare = Buffer.from(full.subarray(132 + 12 + metaLength));
    const d = await decodeImageBuffer(bare, 'bare.dcm');
    expect(d.grey.width).toBe(W);
  });

  it('says a file cut inside its header is truncated, not an unsupported transfer syntax', async () => {
    const full = writeDicom(imageElements({ rows: H, columns: W, pixelBytes: grey8() }));
    const message = await refusal(decodeImageBuffer(Buffer.from(full.subarray(0, 140)), 'cut.dcm'));
    expect(message).toMatch(/cut\.dcm: .*truncated/);
    expect(message).not.toMatch(/transfer syntax missing is not supported/);
  });

  it('gives dicom-parser’s own words, never "[object Object]"', () => {
    // dicom-parser throws { exception, dataSet } objects, not Errors.
    const error = asDecodeError(
      { exception: 'dicomParser.readPart10Header: buffer overrun', dataSet: {} },
      'x.dcm',
      'DICOM',
    );
    expect(error.message).toMatch(
      /x\.dcm: the DICOM file could not be decoded \(dicomParser\.readPart10Header: buffer overrun\)/,
    );
    expect(error.message).not.toMatch(/object Object/);
  });
});

describe('uncompressed YBR_FULL_422', () => {
  /** Y1 Y2 Cb Cr per pixel pair: grey (Cb = Cr = 128), Y rising along the row. */
  function ybr422(frames: number): Uint8Array {
    const out = new Uint8Array(W * H * 2 * frames);
    for (let f = 0; f < frames; f++)
      for (let p = 0; p < W * H; p += 2) {
        const i = f * W * H * 2 + p * 2;
        out.set([(p % W) * 4 + f * 10, ((p + 1) % W) * 4 + f * 10, 128, 128], i);
      }
    return out;
  }
  const file = (frames: number) =>
    Buffer.from(
      writeDicom(
        imageElements({
          rows: H,
          columns: W,
          samplesPerPixel: 3,
          photometric: 'YBR_FULL_422',
          frames,
          pixelBytes: ybr422(frames),
        }),
      ),
    );

  it('unpacks two pixels from four bytes, in single- and multi-frame files', async () => {
    const single = await decodeImageBuffer(file(1), 'ybr.dcm');
    expect(Array.from(single.grey.data.slice(0, 4)).map(Math.round)).toEqual([0, 4, 8, 12]);
    const second = await decodeImageBuffer(file(2), 'ybr.dcm', { frame: 1 });
    expect(Array.from(second.grey.data.slice(W, W + 3)).map(Math.round)).toEqual([10, 14, 18]);
  });

  it('refuses an odd row width, which 4:2:2 cannot pair, with a clear message', async () => {
    const odd = Buffer.from(
      writeDicom(
        imageElements({
          rows: 2,
          columns: 3,
          samplesPerPixel: 3,
          photometric: 'YBR_FULL_422',
          pixelBytes: new Uint8Array(12),
        }),
      ),
    );
    expect(await refusal(decodeImageBuffer(odd, 'odd.dcm'))).toMatch(
      /YBR_FULL_422 with an odd number of columns \(3\)/,
    );
  });
});

describe('text values and the Specific Character Set', () => {
  const named = (charset: string | null, nameBytes: Buffer) =>
    Buffer.from(
      writeDicom(
        imageElements({
          rows: H,
          columns: W,
          pixelBytes: grey8(),
          extra: [
            ...(charset === null
              ? []
              : [{ tag: [0x0008, 0x0005], vr: 'CS', value: charset } as DicomElement]),
          ],
        }).map((e) =>
          e.tag[0] === 0x0010 && e.tag[1] === 0x0010
            ? { ...e, value: nameBytes.toString('latin1') }
            : e,
        ),
      ),
    );

  it('decodes ISO_IR 192 as UTF-8 and ISO_IR 100 as Latin-1', async () => {
    const utf8 = await decodeImageBuffer(
      named('ISO_IR 192', Buffer.from('Müller^Jürgen', 'utf8')),
      'u.dcm',
    );
    expect(utf8.meta.patientName).toBe('Müller^Jürgen');
    const latin1 = await decodeImageBuffer(
      named('ISO_IR 100', Buffer.from('Müller^Jürgen', 'latin1')),
      'l.dcm',
    );
    expect(latin1.meta.patientName).toBe('Müller^Jürgen');
    expect(latin1.notices).toEqual([]);
  });

  it('marks a name in an unsupported set with "?" and a notice, not as mojibake', async () => {
    const d = await decodeImageBuffer(
      named('ISO 2022 IR 87', Buffer.from([0x59, 0x61, 0x6d, 0x61, 0x64, 0x61, 0x5e, 0xb0, 0xb1])),
      'j.dcm',
    );
    expect(d.meta.patientName).toBe('Yamada^??');
    expect(d.notices).toEqual([expect.stringMatching(/"ISO 2022 IR 87" .* is not supported/)]);
  });
});

/** A PNG written by hand (sharp cannot write every depth the tests need). */
function pngFile(width: number, height: number, bitDepth: number, rows: Buffer[]): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc32 = (buf: Buffer) => {
    let c = 0xffffffff;
    for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = bitDepth;
  ihdr[9] = 0; // greyscale
  const raw = Buffer.concat(rows.map((r) => Buffer.concat([Buffer.from([0]), r])));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

describe('PNG and JPEG as a viewer shows them', () => {
  it('windows a 16-bit PNG holding 12-bit data over its own range, like 16-bit DICOM', async () => {
    const row = Buffer.alloc(8);
    [0, 1000, 2000, 4095].forEach((v, i) => row.writeUInt16BE(v, 2 * i));
    const d = await decodeImageBuffer(pngFile(4, 1, 16, [row]), 'g12.png');
    expect(Array.from(d.grey.data).map((v) => Math.round(v))).toEqual([0, 62, 125, 255]);
  });

  it('applies the EXIF orientation (6: turned a quarter clockwise)', async () => {
    // 4 wide × 2 high: the left column dark, the rest light.
    const pixels = Buffer.alloc(4 * 2, 220);
    pixels[0] = 0;
    pixels[4] = 0;
    const jpeg = await sharp(pixels, { raw: { width: 4, height: 2, channels: 1 } })
      .jpeg({ quality: 100 })
      .withMetadata({ orientation: 6 })
      .toBuffer();
    const d = await decodeImageBuffer(jpeg, 'turned.jpg');
    expect([d.grey.width, d.grey.height]).toEqual([2, 4]);
    // Upright, the dark column of the stored image becomes the top row.
    expect(d.grey.data[0]).toBeLessThan(100);
    expect(d.grey.data[1]).toBeLessThan(100);
    expect(d.grey.data[2 * 3]).toBeGreaterThan(150);
  });
});
