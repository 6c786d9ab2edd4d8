/**
 * The size a JPEG-family codestream declares, read from its header before any decoder runs: a
 * DICOM frame whose codestream claims another size than the DICOM header (a corrupt or hostile
 * file) is refused before a decoder allocates what it claims, up to gigabytes for a few bytes of
 * header. Reads JPEG (ITU T.81 SOFn: baseline, extended, lossless), JPEG-LS (T.87 SOF55) and
 * JPEG 2000 (T.800 SIZ, bare or inside a JP2 file). Pure.
 */

export interface CodestreamSize {
  width: number;
  height: number;
  components: number;
}

/** JPEG and JPEG-LS: the first start-of-frame marker's frame header. */
function jpegFrameSize(bytes: Uint8Array): CodestreamSize | null {
  if (bytes[0] !== 0xff || bytes[1] !== 0xd8) return null; // no SOI
  let p = 2;
  while (p + 4 <= bytes.length) {
    if (bytes[p] !== 0xff) return null;
    const marker = bytes[p + 1];
    if (marker === 0xff) {
      p++; // fill byte
      continue;
    }
    // Markers without a segment: TEM, RSTn, SOI, EOI.
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd9)) {
      p += 2;
      continue;
    }
    const length = (bytes[p + 2] << 8) | bytes[p + 3];
    // SOF0–SOF15 except DHT (C4), JPG (C8) and DAC (CC); SOF55 (F7) for JPEG-LS.
    const isFrame =
      (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) ||
      marker === 0xf7;
    if (isFrame) {
      if (p + 10 > bytes.length || length < 8) return null;
      return {
        height: (bytes[p + 5] << 8) | bytes[p + 6],
        width: (bytes[p + 7] << 8) | bytes[p + 8],
        components: bytes[p + 9],
      };
    }
    if (marker === 0xda) return null; // a scan before any frame header
    p += 2 + length;
  }
  return null;
}

const u32 = (b: Uint8Array, p: number) =>
  ((b[p] << 24) >>> 0) + ((b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]);

/** JPEG 2000: the SIZ segment after SOC, in a bare codestream or the JP2 file's first one. */
function j2kSize(bytes: Uint8Array): CodestreamSize | null {
  let p = 0;
  // A JP2 file: its codestream follows the "jp2c" box's header; the SIZ is right after its SOC.
  if (!(bytes[0] === 0xff && bytes[1] === 0x4f)) {
    const at = findBytes(bytes, [0xff, 0x4f, 0xff, 0x51]);
    if (at < 0) return null;
    p = at;
  }
  if (bytes[p + 2] !== 0xff || bytes[p + 3] !== 0x51 || p + 42 > bytes.length) return null;
  const siz = p + 4; // Lsiz, Rsiz, Xsiz, Ysiz, XOsiz, YOsiz, XTsiz, YTsiz, XTOsiz, YTOsiz, Csiz
  const width = u32(bytes, siz + 4) - u32(bytes, siz + 12);
  const height = u32(bytes, siz + 8) - u32(bytes, siz + 16);
  const components = (bytes[siz + 36] << 8) | bytes[siz + 37];
  return width > 0 && height > 0 ? { width, height, components } : null;
}

function findBytes(bytes: Uint8Array, needle: readonly number[]): number {
  const limit = Math.min(bytes.length - needle.length, 64 * 1024); // the header is near the start
  for (let i = 0; i <= limit; i++) if (needle.every((b, k) => bytes[i + k] === b)) return i;
  return -1;
}

/** The size the codestream declares, or null when its header cannot be read. */
export function codestreamSize(
  bytes: Uint8Array,
  family: 'jpeg' | 'jpeg-2000',
): CodestreamSize | null {
  return family === 'jpeg' ? jpegFrameSize(bytes) : j2kSize(bytes);
}
