/** The checked-in bad-input files (test/fixtures/bad/README.md) get the messages documented there. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SpvError } from '../../src/api/errors';
import { decodeImageFile } from '../../src/decode';

const BAD = join(__dirname, '..', 'fixtures', 'bad');

const refusals: [string, RegExp][] = [
  ['empty.png', /the file is empty/],
  ['text-named.png', /this is a text file, not an image/],
  ['truncated.png', /could not be decoded.*truncated or corrupt/],
  ['truncated.jpg', /could not be decoded.*truncated or corrupt/],
  ['too-wide.png', /9000×1 pixels, larger than 8192 on a side/],
  ['no-pixel-data.dcm', /contains no pixel data/],
  [
    'mpeg4-syntax.dcm',
    /transfer syntax MPEG-4 AVC\/H\.264 \(1\.2\.840\.10008\.1\.2\.4\.102\) is not supported/,
  ],
  ['truncated-pixels.dcm', /pixel data holds \d+ bytes, fewer than frame 0 needs/],
  ['three-frames.dcm', /has 3 frames.*--frame/],
];

describe('checked-in bad-input files', () => {
  it.each(refusals)('%s is refused with a message naming it', async (name, message) => {
    const path = join(BAD, name);
    const attempt = decodeImageFile(path);
    await expect(attempt).rejects.toBeInstanceOf(SpvError);
    await expect(attempt).rejects.toMatchObject({
      code: 'bad-input',
      message: expect.stringMatching(message),
    });
    await expect(attempt).rejects.toMatchObject({ message: expect.stringContaining(path) });
  });

  it('three-frames.dcm decodes a chosen frame and refuses frame 3', async () => {
    const path = join(BAD, 'three-frames.dcm');
    expect((await decodeImageFile(path, { frame: 2 })).frames).toBe(3);
    await expect(decodeImageFile(path, { frame: 3 })).rejects.toThrow(/frame 3 is out of range/);
  });

  it('uncalibrated.dcm decodes with no calibration', async () => {
    const d = await decodeImageFile(join(BAD, 'uncalibrated.dcm'));
    expect(d.calibration).toBeNull();
    expect(d.grey.width).toBe(64);
  });
});
