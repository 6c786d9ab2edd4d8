import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  decodeImageBuffer,
  decodeImageFile,
  encodeGreyPng,
  readBinaryMaskFile,
} from '../../src/decode';
import { expectBadInput } from './expect-bad-input';

const W = 48;
const H = 32;
let dir: string;

function rgbPixels(): Uint8Array {
  const out = new Uint8Array(W * H * 3);
  for (let i = 0; i < W * H; i++) out.set([(i * 5) % 256, (i * 11) % 256, (i * 17) % 256], i * 3);
  return out;
}

async function png(
  pixels: Uint8Array,
  channels: 1 | 2 | 3 | 4,
  width = W,
  height = H,
): Promise<Buffer> {
  return sharp(Buffer.from(pixels), { raw: { width, height, channels } }).png().toBuffer();
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'spv-decode-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('PNG and JPEG decoding', () => {
  it('converts RGB PNG with 0.299/0.587/0.114 in float (not sharp greyscale)', async () => {
    const d = await decodeImageBuffer(await png(rgbPixels(), 3), 'rgb.png');
    expect(d.format).toBe('png');
    expect(d.grey.width).toBe(W);
    for (const i of [0, 77, W * H - 1]) {
      const expected =
        0.299 * ((i * 5) % 256) + 0.587 * ((i * 11) % 256) + 0.114 * ((i * 17) % 256);
      expect(d.grey.data[i]).toBeCloseTo(expected, 4);
    }
    expect(d.calibration).toBeNull();
  });

  it('reads grey, grey+alpha and RGBA PNG (alpha ignored)', async () => {
    const grey = new Uint8Array(W * H).map((_, i) => i % 256);
    expect(Array.from((await decodeImageBuffer(await png(grey, 1), 'g.png')).grey.data)).toEqual(
      Array.from(grey),
    );
    const ga = new Uint8Array(W * H * 2).map((_, i) => (i % 2 === 0 ? (i / 2) % 256 : 7));
    expect((await decodeImageBuffer(await png(ga, 2), 'ga.png')).grey.data[10]).toBe(10);
    const rgba = new Uint8Array(W * H * 4).map((_, i) => (i % 4 === 3 ? 0 : 100));
    expect((await decodeImageBuffer(await png(rgba, 4), 'rgba.png')).grey.data[5]).toBeCloseTo(
      100,
      4,
    );
  });

  it('decodes JPEG approximately', async () => {
    const grey = new Uint8Array(W * H).fill(120);
    const jpeg = await sharp(Buffer.from(grey), { raw: { width: W, height: H, channels: 1 } })
      .jpeg({ quality: 95 })
      .toBuffer();
    const d = await decodeImageBuffer(jpeg, 'a.jpg');
    expect(d.format).toBe('jpeg');
    expect(Math.abs(d.grey.data[100] - 120)).toBeLessThan(3);
  });

  it('round-trips through encodeGreyPng', async () => {
    const data = new Float32Array(W * H).map((_, i) => (i * 3) % 256);
    const bytes = await encodeGreyPng({ width: W, height: H, data });
    const back = await decodeImageBuffer(bytes, 'x.png');
    expect(Array.from(back.grey.data)).toEqual(Array.from(data));
    expect((await sharp(bytes).metadata()).channels).toBe(1);
  });

  it('takes calibration from a sidecar (<name>.json), which wins over opts.spacing', async () => {
    const file = join(dir, 'case_coronal.png');
    writeFileSync(file, await png(rgbPixels(), 3));
    expect((await decodeImageFile(file)).calibration).toBeNull();
    writeFileSync(
      join(dir, 'case_coronal.json'),
      JSON.stringify({ spacing_mm: [0.31, 0.42], view: 'coronal' }),
    );
    const d = await decodeImageFile(file);
    expect(d.calibration).toMatchObject({ source: 'sidecar', spacingX: 0.31, spacingY: 0.42 });
    expect(d.meta.sourcePath).toBe(file);
    // The sidecar is the image's own calibration, as a DICOM's is: a given spacing calibrates
    // only an image that carries none (it used to win here), and the notice says so.
    const given = await decodeImageFile(file, { spacing: { x: 0.5, y: 0.5 } });
    expect(given.calibration).toMatchObject({ source: 'sidecar', spacingX: 0.31 });
    expect(given.notices).toEqual([
      expect.stringMatching(/given spacing 0\.5 × 0\.5 mm\/px was not used/),
    ]);
    writeFileSync(join(dir, 'case_coronal.json'), JSON.stringify({ spacing_mm: [0.31] }));
    await expectBadInput(decodeImageFile(file), /case_coronal\.json: "spacing_mm" must be/);
  });

  it('reads binary masks: non-zero is spleen', async () => {
    const m = new Uint8Array(W * H);
    m[5] = 255;
    m[6] = 1;
    const file = join(dir, 'mask.png');
    writeFileSync(file, await png(m, 1));
    const r = await readBinaryMaskFile(file);
    expect(r.width).toBe(W);
    expect(Array.from(r.mask.slice(4, 8))).toEqual([0, 1, 1, 0]);
  });
});

describe('bad input', () => {
  it('missing, empty, folder, text named .png, truncated PNG/JPEG, frame on a PNG', async () => {
    await expectBadInput(
      decodeImageFile(join(dir, 'nope.png')),
      /nope\.png: the file does not exist/,
    );
    await expectBadInput(decodeImageFile(dir), /is a folder/);
    writeFileSync(join(dir, 'empty.png'), Buffer.alloc(0));
    await expectBadInput(decodeImageFile(join(dir, 'empty.png')), /empty\.png: the file is empty/);
    await expectBadInput(
      decodeImageBuffer(Buffer.from('hello, I am not an image\n'), 'notes.png'),
      /notes\.png: this is a text file/,
    );
    await expectBadInput(
      decodeImageBuffer(Buffer.from([1, 2, 3, 0, 9, 200]), 'blob.jpg'),
      /not a PNG, JPEG or DICOM/,
    );
    const full = await png(rgbPixels(), 3);
    await expectBadInput(
      decodeImageBuffer(full.subarray(0, Math.floor(full.length * 0.6)), 'cut.png'),
      /cut\.png: the PNG file could not be decoded/,
    );
    const jpeg = await sharp(Buffer.from(rgbPixels()), {
      raw: { width: W, height: H, channels: 3 },
    })
      .jpeg()
      .toBuffer();
    await expectBadInput(
      decodeImageBuffer(jpeg.subarray(0, Math.floor(jpeg.length * 0.5)), 'cut.jpg'),
      /cut\.jpg: the JPEG file could not be decoded/,
    );
    await expectBadInput(
      decodeImageBuffer(full, 'one.png', { frame: 2 }),
      /frame 2 is out of range/,
    );
  });

  it('refuses images over 8192 px on a side before decoding their pixels', async () => {
    // A 9000 × 1 PNG is tiny on disk; the refusal comes from the header.
    const wide = await png(new Uint8Array(9000), 1, 9000, 1);
    await expectBadInput(
      decodeImageBuffer(wide, 'wide.png'),
      /wide\.png: the image is 9000×1 pixels, larger than 8192/,
    );
  });
});
