/**
 * DICOM RLE Lossless (transfer syntax 1.2.840.10008.1.2.5, PS3.5 Annex G), which many ultrasound
 * scanners use to export. Written here rather than taken from a library: no maintained
 * stand-alone decoder exists on npm (the ones there come inside viewers' image loaders), and the
 * format is one page of the standard.
 *
 * One frame is one fragment: a 64-byte header (the number of segments, then the byte offset of
 * each, little endian) and the segments, each one byte plane PackBits-compressed. A sample of B
 * bytes takes B segments, its most significant byte first; a colour pixel's samples come one
 * after another (R, G, B), so segment `c·B + k` holds byte k of channel c of every pixel.
 */
import { badInput } from './bad-input';

export const RLE_LOSSLESS = '1.2.840.10008.1.2.5';

/** What the decoder needs of the image's header. */
export interface RleLayout {
  rows: number;
  columns: number;
  samplesPerPixel: number;
  bitsAllocated: number;
}

const HEADER_BYTES = 64;
const MAX_SEGMENTS = 15;

/**
 * Decodes one frame into its stored values, interleaved (pixel p's channel c at p·spp + c), as
 * unsigned integers of `bitsAllocated` bits: the caller masks Bits Stored and applies the sign.
 */
export function decodeRleFrame(frame: Uint8Array, layout: RleLayout, name: string): Float64Array {
  const { rows, columns, samplesPerPixel: spp, bitsAllocated } = layout;
  const bytesPerSample = bitsAllocated / 8;
  const pixels = rows * columns;
  const corrupt = (problem: string) =>
    badInput(name, `the RLE frame ${problem}`, 'The file is corrupt; export the image again.');
  if (frame.length < HEADER_BYTES)
    throw corrupt(`is ${frame.length} bytes, shorter than its header`);
  const header = new DataView(frame.buffer, frame.byteOffset, HEADER_BYTES);
  const segments = header.getUint32(0, true);
  const expected = spp * bytesPerSample;
  if (segments !== expected || segments > MAX_SEGMENTS) {
    throw corrupt(
      `has ${segments} segments where ${spp} sample(s) of ${bitsAllocated} bits need ${expected}`,
    );
  }
  const offsets = Array.from({ length: segments }, (_, s) => header.getUint32(4 + 4 * s, true));
  const out = new Float64Array(pixels * spp);
  const plane = new Uint8Array(pixels);
  for (let s = 0; s < segments; s++) {
    const start = offsets[s];
    const end = s + 1 < segments ? offsets[s + 1] : frame.length;
    if (start < HEADER_BYTES || start > frame.length) {
      throw corrupt(
        `says segment ${s + 1} starts at byte ${start}, outside its ${frame.length} bytes`,
      );
    }
    if (end < start || end > frame.length) throw corrupt('has its segment offsets out of order');
    const written = unpackBits(frame.subarray(start, end), plane);
    if (written < pixels) {
      throw corrupt(`segment ${s + 1} decodes to ${written} bytes where the image has ${pixels}`);
    }
    // Segment s is byte k (0: most significant) of channel c.
    const channel = Math.floor(s / bytesPerSample);
    const weight = 256 ** (bytesPerSample - 1 - (s % bytesPerSample));
    for (let p = 0; p < pixels; p++) out[p * spp + channel] += plane[p] * weight;
  }
  return out;
}

/**
 * PackBits (PS3.5 G.3.1) into `target`, stopping when it is full: a header byte n of 0..127 copies
 * the next n + 1 bytes, −1..−127 repeats the next byte 1 − n times, −128 is skipped. Returns the
 * bytes written. A segment may end with a padding byte (segments have even lengths).
 */
function unpackBits(source: Uint8Array, target: Uint8Array): number {
  let i = 0;
  let o = 0;
  while (i < source.length && o < target.length) {
    const n = (source[i++] << 24) >> 24;
    if (n >= 0) {
      const count = Math.min(n + 1, source.length - i, target.length - o);
      target.set(source.subarray(i, i + count), o);
      i += n + 1;
      o += count;
    } else if (n !== -128) {
      if (i >= source.length) break;
      const count = Math.min(1 - n, target.length - o);
      target.fill(source[i++], o, o + count);
      o += count;
    }
  }
  return o;
}
