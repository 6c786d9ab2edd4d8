/**
 * DICOM images through dicom-parser: uncompressed (8/16-bit, signed or unsigned, MONOCHROME1/2,
 * RGB interleaved or planar, YBR_FULL, YBR_FULL_422), deflated (zlib), JPEG baseline (jpeg-js on
 * the encapsulated frame), RLE Lossless (./rle.ts), JPEG-LS, JPEG 2000 and 8-bit JPEG Lossless and
 * Extended (WebAssembly CharLS, OpenJPEG and libjpeg-turbo, ./wasm-codecs.ts). Text values are
 * decoded by the Specific Character Set (0008,0005).
 * Calibration comes from the Sequence of Ultrasound Regions, else from Pixel Spacing.
 * Sizes are checked from the header before any pixel is touched.
 */
import * as dicomParserNamespace from 'dicom-parser';
import type { DataSet, Element } from 'dicom-parser';
import { decode as decodeJpeg } from 'jpeg-js';
import { inflateRawSync } from 'node:zlib';
import type { Calibration } from '../api/contract';
import { calibrationFromRegions, type UltrasoundRegion } from '../imaging/calibration';
import type { GreyImage } from '../imaging/types';
import {
  asDecodeError,
  badInput,
  checkImageSize,
  DicomWithoutPixelDataError,
  MAX_IMAGE_SIDE,
} from './bad-input';
import { greyFromInterleaved } from './luma';
import { codestreamSize } from './codestream-size';
import { decodeRleFrame, RLE_LOSSLESS } from './rle';
import {
  CODEC_MAX_BITS,
  CODEC_NAMES,
  decodeWasmFrame,
  forgetWasmCodec,
  loadWasmCodec,
  WASM_CODEC_SYNTAXES,
  type WasmCodec,
} from './wasm-codecs';

// dicom-parser ships a UMD bundle: Node's ESM loader exposes it as `default`, bundlers as the namespace.
const dicomParser: typeof dicomParserNamespace =
  (dicomParserNamespace as unknown as { default?: typeof dicomParserNamespace }).default ??
  dicomParserNamespace;

const IMPLICIT_LITTLE = '1.2.840.10008.1.2';
const EXPLICIT_LITTLE = '1.2.840.10008.1.2.1';
const EXPLICIT_BIG = '1.2.840.10008.1.2.2';
const DEFLATED_LITTLE = '1.2.840.10008.1.2.1.99';
const JPEG_BASELINE = '1.2.840.10008.1.2.4.50';
const SUPPORTED_SYNTAXES = new Set([
  IMPLICIT_LITTLE,
  EXPLICIT_LITTLE,
  EXPLICIT_BIG,
  DEFLATED_LITTLE,
  JPEG_BASELINE,
  RLE_LOSSLESS,
  ...Object.keys(WASM_CODEC_SYNTAXES),
]);

/** Names of transfer syntaxes we refuse (or read only in part), so that a message says which. */
const SYNTAX_NAMES: Record<string, string> = {
  '1.2.840.10008.1.2.4.51': 'JPEG Extended',
  '1.2.840.10008.1.2.4.57': 'JPEG Lossless',
  '1.2.840.10008.1.2.4.70': 'JPEG Lossless SV1',
  '1.2.840.10008.1.2.4.100': 'MPEG-2',
  '1.2.840.10008.1.2.4.102': 'MPEG-4 AVC/H.264',
  '1.2.840.10008.1.2.4.201': 'HTJ2K Lossless',
  '1.2.840.10008.1.2.4.203': 'HTJ2K',
};

const TAG = {
  transferSyntax: 'x00020010',
  samplesPerPixel: 'x00280002',
  photometric: 'x00280004',
  planarConfiguration: 'x00280006',
  numberOfFrames: 'x00280008',
  rows: 'x00280010',
  columns: 'x00280011',
  pixelSpacing: 'x00280030',
  bitsAllocated: 'x00280100',
  bitsStored: 'x00280101',
  pixelRepresentation: 'x00280103',
  windowCenter: 'x00281050',
  windowWidth: 'x00281051',
  rescaleIntercept: 'x00281052',
  rescaleSlope: 'x00281053',
  pixelData: 'x7fe00010',
  regions: 'x00186011',
  regionSpatialFormat: 'x00186012',
  regionDataType: 'x00186014',
  regionMinX0: 'x00186018',
  regionMinY0: 'x0018601a',
  regionMaxX1: 'x0018601c',
  regionMaxY1: 'x0018601e',
  physicalUnitsX: 'x00186024',
  physicalUnitsY: 'x00186026',
  physicalDeltaX: 'x0018602c',
  physicalDeltaY: 'x0018602e',
  studyInstanceUid: 'x0020000d',
  seriesInstanceUid: 'x0020000e',
  sopInstanceUid: 'x00080018',
  sopClassUid: 'x00080016',
  patientId: 'x00100020',
  patientName: 'x00100010',
  studyDate: 'x00080020',
  studyTime: 'x00080030',
  accessionNumber: 'x00080050',
  studyId: 'x00200010',
  patientBirthDate: 'x00100030',
  patientSex: 'x00100040',
  patientAge: 'x00101010',
  modality: 'x00080060',
  specificCharacterSet: 'x00080005',
} as const;

export interface DicomMeta {
  studyInstanceUid?: string;
  seriesInstanceUid?: string;
  sopInstanceUid?: string;
  sopClassUid?: string;
  patientId?: string;
  patientName?: string;
  studyDate?: string;
  /** Study-level attributes an export for PACS carries over (they must match the source study). */
  studyTime?: string;
  accessionNumber?: string;
  studyId?: string;
  patientBirthDate?: string;
  patientSex?: string;
  /** Patient's Age at the study (AS, "034Y"): the age when the birth date is not given. */
  patientAge?: string;
  modality?: string;
  photometric?: string;
}

export interface DecodedDicom {
  grey: GreyImage;
  frames: number;
  /** From the ultrasound regions (each kept, with its scale) or else Pixel Spacing. */
  calibration: Calibration | null;
  meta: DicomMeta;
  /** What the reader should know though nothing failed (an unsupported character set). */
  notices: string[];
}

export interface DicomFrameChoice {
  /** 0-based; required when the file has several frames. */
  frame?: number | null;
  /** The frame was given for a whole case: a single-frame file ignores it. */
  frameOnlyIfMultiframe?: boolean;
  /** How to choose a frame where the caller is, for the message (e.g. "with --frame N"). */
  howToChooseFrame?: string;
}

/** True when the buffer has the DICOM Part 10 preamble and "DICM" prefix. */
export function hasDicomPrefix(buf: Uint8Array): boolean {
  return (
    buf.length >= 132 &&
    buf[128] === 0x44 &&
    buf[129] === 0x49 &&
    buf[130] === 0x43 &&
    buf[131] === 0x4d
  );
}

/**
 * True when a buffer without the Part 10 header starts like a bare data set: an element of one
 * of the low groups every image has (0002–0028, even), with an explicit VR or a length that fits
 * (implicit VR). Text and other files fail this on their first bytes. `buf` may be only the head
 * of a file of `byteLength` bytes (a folder import looks at the first bytes of each file).
 */
export function looksLikeBareDicom(buf: Uint8Array, byteLength: number = buf.length): boolean {
  if (buf.length < 12 || byteLength < 12) return false;
  const group = buf[0] | (buf[1] << 8);
  if (group < 0x0002 || group > 0x0028 || group % 2 !== 0) return false;
  const isUpper = (b: number) => b >= 0x41 && b <= 0x5a;
  if (isUpper(buf[4]) && isUpper(buf[5])) return true;
  const length = (buf[4] | (buf[5] << 8) | (buf[6] << 16)) + buf[7] * 0x1000000;
  return length <= byteLength - 8;
}

function parse(bytes: Uint8Array, name: string): DataSet {
  if (!hasDicomPrefix(bytes)) {
    // A bare data set without the Part 10 header: the default transfer syntax applies.
    return dicomParser.parseDicom(bytes, { TransferSyntaxUID: IMPLICIT_LITTLE });
  }
  const header = dicomParser.readPart10Header(bytes);
  const syntax = header.string(TAG.transferSyntax) ?? '';
  if (syntax === '') {
    // Every Part 10 file names its transfer syntax in the first bytes after DICM: a file without
    // one was cut short there (or is not DICOM at all); no export setting would help.
    throw badInput(
      name,
      'the DICOM header ends before its transfer syntax: the file is truncated or not a DICOM file',
      'Copy or export the image again.',
    );
  }
  if (!SUPPORTED_SYNTAXES.has(syntax)) {
    const label = SYNTAX_NAMES[syntax] ? `${SYNTAX_NAMES[syntax]} (${syntax})` : syntax;
    throw badInput(
      name,
      `the DICOM transfer syntax ${label} is not supported`,
      'Export the image uncompressed (Explicit VR Little Endian), as JPEG, RLE Lossless, JPEG-LS or JPEG 2000.',
    );
  }
  return dicomParser.parseDicom(bytes, { inflater: (all, at) => inflated(all, at, name) });
}

/**
 * The largest data set a deflated file may inflate to, all its frames together: the largest image
 * accepted (8192² RGB, ./bad-input.ts) with room for its header. A file that inflates to more is
 * refused before it fills the memory (a few kilobytes of zeros inflate to gigabytes); a deflated
 * cine that large is refused too, and can be exported uncompressed.
 */
const MAX_INFLATED_BYTES = MAX_IMAGE_SIDE * MAX_IMAGE_SIDE * 3 + 64 * 1024 * 1024;

/**
 * Deflated Explicit VR Little Endian (PS3.5 A.5): everything after the file meta information is
 * one raw deflate stream. dicom-parser's own inflation needs a Node Buffer and has no size cap.
 */
function inflated(all: Uint8Array, metaEnd: number, name: string): Uint8Array {
  let body: Buffer;
  try {
    body = inflateRawSync(all.subarray(metaEnd), { maxOutputLength: MAX_INFLATED_BYTES });
  } catch (error) {
    const tooLarge = error instanceof RangeError || /maxOutputLength|buffer/i.test(String(error));
    throw badInput(
      name,
      tooLarge
        ? `the deflated data set inflates to more than ${Math.round(MAX_INFLATED_BYTES / 2 ** 20)} MB`
        : 'the deflated data set is corrupt (it cannot be inflated)',
      tooLarge
        ? 'Export the image uncompressed (or fewer frames of it).'
        : 'The file is truncated or corrupt; export it again.',
    );
  }
  const out = new Uint8Array(metaEnd + body.length);
  out.set(all.subarray(0, metaEnd));
  out.set(body, metaEnd);
  return out;
}

function readRegions(dataSet: DataSet): UltrasoundRegion[] {
  const items = dataSet.elements[TAG.regions]?.items ?? [];
  const regions: UltrasoundRegion[] = [];
  for (const item of items) {
    const d = item.dataSet;
    if (!d) continue;
    const region: UltrasoundRegion = {
      x0: d.uint32(TAG.regionMinX0) ?? NaN,
      y0: d.uint32(TAG.regionMinY0) ?? NaN,
      x1: d.uint32(TAG.regionMaxX1) ?? NaN,
      y1: d.uint32(TAG.regionMaxY1) ?? NaN,
      spatialFormat: d.uint16(TAG.regionSpatialFormat) ?? 0,
      dataType: d.uint16(TAG.regionDataType) ?? 0,
      unitsX: d.uint16(TAG.physicalUnitsX) ?? 0,
      unitsY: d.uint16(TAG.physicalUnitsY) ?? 0,
      deltaX: d.double(TAG.physicalDeltaX) ?? NaN,
      deltaY: d.double(TAG.physicalDeltaY) ?? NaN,
    };
    if ([region.x0, region.y0, region.x1, region.y1].every(Number.isFinite)) regions.push(region);
  }
  return regions;
}

function pixelSpacingCalibration(dataSet: DataSet): Calibration | null {
  // Pixel Spacing (0028,0030) is "row spacing \ column spacing": row spacing is along y.
  const rowSpacing = dataSet.floatString(TAG.pixelSpacing, 0);
  const columnSpacing = dataSet.floatString(TAG.pixelSpacing, 1);
  const valid = (v: number | undefined): v is number =>
    v !== undefined && Number.isFinite(v) && v > 0 && v <= 10;
  if (!valid(rowSpacing) || !valid(columnSpacing)) return null;
  return {
    spacingX: columnSpacing,
    spacingY: rowSpacing,
    source: 'pixel-spacing',
    detail: `Pixel Spacing ${rowSpacing}\\${columnSpacing} mm (row\\column)`,
  };
}

/**
 * TextDecoder labels for the Specific Character Set (0008,0005) values met in practice. Absent or
 * ISO_IR 6 is the default repertoire (ASCII); latin1 also reads it exactly.
 */
const CHARSET_DECODERS: Record<string, string> = {
  '': 'latin1',
  ISO_IR_6: 'latin1',
  ISO_IR_100: 'latin1',
  ISO_IR_101: 'iso-8859-2',
  ISO_IR_109: 'iso-8859-3',
  ISO_IR_110: 'iso-8859-4',
  ISO_IR_144: 'iso-8859-5',
  ISO_IR_127: 'iso-8859-6',
  ISO_IR_126: 'iso-8859-7',
  ISO_IR_138: 'iso-8859-8',
  ISO_IR_148: 'iso-8859-9',
  ISO_IR_166: 'windows-874',
  ISO_IR_192: 'utf-8',
  GB18030: 'gb18030',
  GBK: 'gbk',
};

interface TextReader {
  read(dataSet: DataSet, tag: string): string | undefined;
  /** The character set when it is one we cannot decode (its non-ASCII bytes are shown as "?"). */
  unsupported: string | null;
}

/**
 * Reads text values by the data set's character set. dicom-parser's own string() maps each byte
 * to one character (Latin-1), which turns UTF-8 "Müller" into "MÃ¼ller". A set we cannot decode
 * (ISO 2022 code extensions, several values) keeps ASCII and marks every other byte "?", and the
 * caller says so, rather than showing a wrong name as if it were right.
 */
function textReader(dataSet: DataSet): TextReader {
  const declared = (dataSet.string(TAG.specificCharacterSet) ?? '').trim();
  // Several values (code extensions) use the first for the bytes before any escape sequence.
  const single = declared.includes('\\') ? null : declared.replace(/[ -]/g, '_').toUpperCase();
  const label = single === null ? undefined : CHARSET_DECODERS[single];
  let decoder: TextDecoder | null = null;
  if (label) {
    try {
      decoder = new TextDecoder(label);
    } catch {
      decoder = null; // a Node without full ICU: treated as unsupported below
    }
  }
  return {
    unsupported: decoder ? null : declared,
    read(d, tag) {
      const element = d.elements[tag];
      if (!element || element.length <= 0) return undefined;
      const end = Math.min(element.dataOffset + element.length, d.byteArray.length);
      const bytes = d.byteArray.subarray(element.dataOffset, end);
      const text = decoder
        ? decoder.decode(bytes)
        : Array.from(bytes, (b) => (b < 0x80 ? String.fromCharCode(b) : '?')).join('');
      // Values are padded with a space (text) or NUL (UIDs) to an even length.
      return text.replace(/[\0 ]+$/, '').replace(/^ +/, '');
    },
  };
}

function readMeta(dataSet: DataSet, text: TextReader): DicomMeta {
  const meta: DicomMeta = {};
  const keys = [
    'studyInstanceUid',
    'seriesInstanceUid',
    'sopInstanceUid',
    'sopClassUid',
    'patientId',
    'patientName',
    'studyDate',
    'studyTime',
    'accessionNumber',
    'studyId',
    'patientBirthDate',
    'patientSex',
    'patientAge',
    'modality',
    'photometric',
  ] as const;
  for (const key of keys) {
    const value = text.read(dataSet, TAG[key]);
    if (value) meta[key] = value;
  }
  return meta;
}

/** A notice when names in the file may show "?" for characters of a set we cannot decode. */
function charsetNotice(name: string, text: TextReader, meta: DicomMeta): string[] {
  if (text.unsupported === null) return [];
  const affected = [meta.patientName, meta.patientId].some((v) => v?.includes('?'));
  if (!affected) return [];
  const file = name.split(/[\\/]/).pop() ?? name;
  return [
    `${file}: the character set "${text.unsupported}" (0008,0005) is not supported: characters outside ASCII in the patient's name and ID are shown as "?"; check them against the scanner.`,
  ];
}

interface PixelLayout {
  rows: number;
  columns: number;
  samplesPerPixel: number;
  bitsAllocated: number;
  bitsStored: number;
  signed: boolean;
  planar: boolean;
  photometric: string;
}

/**
 * Colour a JPEG 2000 codestream stores through its component transform (YBR_RCT lossless,
 * YBR_ICT lossy, PS3.3 C.7.6.3.1.2): the decoder inverts it, so its samples are RGB.
 */
const J2K_COLOUR = new Set(['YBR_RCT', 'YBR_ICT']);

function readLayout(dataSet: DataSet, name: string, codec: WasmCodec | null): PixelLayout {
  const rows = dataSet.uint16(TAG.rows) ?? 0;
  const columns = dataSet.uint16(TAG.columns) ?? 0;
  checkImageSize(name, columns, rows);
  const samplesPerPixel = dataSet.uint16(TAG.samplesPerPixel) ?? 1;
  const bitsAllocated = dataSet.uint16(TAG.bitsAllocated) ?? 8;
  const bitsStored = dataSet.uint16(TAG.bitsStored) ?? bitsAllocated;
  const photometric = (
    dataSet.string(TAG.photometric) ?? (samplesPerPixel === 3 ? 'RGB' : 'MONOCHROME2')
  ).toUpperCase();
  if (samplesPerPixel !== 1 && samplesPerPixel !== 3) {
    throw badInput(
      name,
      `${samplesPerPixel} samples per pixel are not supported`,
      'Export the image as greyscale or RGB.',
    );
  }
  if (bitsAllocated !== 8 && bitsAllocated !== 16) {
    throw badInput(
      name,
      `${bitsAllocated}-bit pixels are not supported`,
      'Export the image with 8 or 16 bits per sample.',
    );
  }
  if (bitsStored < 1 || bitsStored > bitsAllocated) {
    throw badInput(
      name,
      `Bits Stored (${bitsStored}) does not fit Bits Allocated (${bitsAllocated})`,
      'The file is corrupt; export it again.',
    );
  }
  const monochrome = photometric === 'MONOCHROME1' || photometric === 'MONOCHROME2';
  const colour =
    photometric === 'RGB' ||
    photometric === 'YBR_FULL' ||
    photometric === 'YBR_FULL_422' ||
    (codec === 'jpeg-2000' && J2K_COLOUR.has(photometric));
  if ((samplesPerPixel === 1 && !monochrome) || (samplesPerPixel === 3 && !colour)) {
    throw badInput(
      name,
      `the photometric interpretation ${photometric} with ${samplesPerPixel} sample(s) per pixel is not supported`,
      'Export the image as MONOCHROME2 or RGB.',
    );
  }
  if (samplesPerPixel === 3 && bitsAllocated !== 8) {
    throw badInput(
      name,
      '16-bit colour images are not supported',
      'Export the image as 8-bit RGB or greyscale.',
    );
  }
  const planar = dataSet.uint16(TAG.planarConfiguration) === 1;
  return {
    rows,
    columns,
    samplesPerPixel,
    bitsAllocated,
    bitsStored,
    signed: dataSet.uint16(TAG.pixelRepresentation) === 1,
    planar,
    photometric,
  };
}

/**
 * Bytes one uncompressed frame takes. YBR_FULL_422 stores two pixels in four bytes (Y1 Y2 Cb Cr:
 * the two share their chroma), PS3.3 C.7.6.3.1.2; everything else one value per sample.
 */
function uncompressedFrameBytes(layout: PixelLayout): number {
  const pixels = layout.rows * layout.columns;
  if (isSubsampled422(layout)) return pixels * 2;
  return pixels * layout.samplesPerPixel * (layout.bitsAllocated / 8);
}

function isSubsampled422(layout: PixelLayout): boolean {
  return layout.photometric === 'YBR_FULL_422' && layout.samplesPerPixel === 3;
}

/** Uncompressed YBR_FULL_422 (Y1 Y2 Cb Cr per pixel pair) → interleaved Y Cb Cr per pixel. */
function expand422(bytes: Uint8Array, layout: PixelLayout): Float64Array {
  const { rows, columns } = layout;
  const out = new Float64Array(rows * columns * 3);
  for (let p = 0, i = 0; p < rows * columns; p += 2, i += 4) {
    const cb = bytes[i + 2];
    const cr = bytes[i + 3];
    out.set([bytes[i], cb, cr, bytes[i + 1], cb, cr], p * 3);
  }
  return out;
}

/** Stored sample values of one uncompressed frame, interleaved (planar data is interleaved here). */
function readUncompressedFrame(
  dataSet: DataSet,
  element: Element,
  layout: PixelLayout,
  frame: number,
  bigEndian: boolean,
  name: string,
): Float64Array {
  const { rows, columns, samplesPerPixel: spp, bitsAllocated } = layout;
  const pixels = rows * columns;
  const bytesPerSample = bitsAllocated / 8;
  const frameBytes = uncompressedFrameBytes(layout);
  const start = element.dataOffset + frame * frameBytes;
  const available = Math.min(element.length, dataSet.byteArray.length - element.dataOffset);
  if (element.encapsulatedPixelData || (frame + 1) * frameBytes > available) {
    throw badInput(
      name,
      `the pixel data holds ${Math.max(0, available)} bytes, fewer than frame ${frame} needs (${frameBytes} bytes per frame)`,
      'The file is truncated or corrupt; export it again.',
    );
  }
  const bytes = dataSet.byteArray;
  if (isSubsampled422(layout)) {
    // Uncompressed 4:2:2 pairs pixels along a row and is only ever interleaved (PS3.3 C.7.6.3.1.2);
    // a JPEG frame may have any width, so this is checked here and not with the header.
    if (columns % 2 !== 0 || layout.planar) {
      throw badInput(
        name,
        `uncompressed YBR_FULL_422 with ${layout.planar ? 'planar configuration 1' : `an odd number of columns (${columns})`} is not valid`,
        'The file is corrupt; export the image again (as RGB if the scanner allows).',
      );
    }
    return expand422(bytes.subarray(start, start + frameBytes), layout);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset + start, frameBytes);
  const out = new Float64Array(pixels * spp);
  const sampleCount = pixels * spp;
  for (let s = 0; s < sampleCount; s++) {
    const v = bytesPerSample === 1 ? view.getUint8(s) : view.getUint16(2 * s, !bigEndian);
    // Planar configuration 1 stores RRR…GGG…BBB…: sample s is channel ⌊s/pixels⌋ of pixel s mod pixels.
    const target = layout.planar && spp === 3 ? (s % pixels) * 3 + Math.floor(s / pixels) : s;
    out[target] = v;
  }
  return storedValues(out, layout);
}

/**
 * The stored values of raw samples, in place: only the low Bits Stored bits count (the others may
 * hold overlay bits or noise), read as two's complement when Pixel Representation is signed.
 */
function storedValues(samples: Float64Array, layout: PixelLayout): Float64Array {
  const { bitsStored, bitsAllocated, signed } = layout;
  if (bitsStored === bitsAllocated && !signed) return samples;
  const valueMask = bitsStored >= 32 ? 0xffffffff : (1 << bitsStored) - 1;
  const signBit = 1 << (bitsStored - 1);
  for (let s = 0; s < samples.length; s++) {
    let v = samples[s] & valueMask;
    if (signed && v & signBit) v -= 1 << bitsStored;
    samples[s] = v;
  }
  return samples;
}

/**
 * The bytes of frame `frame` of encapsulated pixel data. RLE puts each frame in one fragment
 * (PS3.5 A.4.2); JPEG may split a frame over several, found by the Basic Offset Table or, when
 * that is empty, by each JPEG's end marker.
 */
function encapsulatedFrame(
  dataSet: DataSet,
  element: Element,
  frame: number,
  frames: number,
  oneFragmentPerFrame: boolean,
): Uint8Array {
  const fragments = element.fragments ?? [];
  if (frames === 1)
    return dicomParser.readEncapsulatedPixelDataFromFragments(
      dataSet,
      element,
      0,
      fragments.length,
    );
  if (oneFragmentPerFrame && fragments.length === frames)
    return dicomParser.readEncapsulatedPixelDataFromFragments(dataSet, element, frame, 1);
  return dicomParser.readEncapsulatedImageFrame(
    dataSet,
    element,
    frame,
    element.basicOffsetTable && element.basicOffsetTable.length > 0
      ? element.basicOffsetTable
      : dicomParser.createJPEGBasicOffsetTable(dataSet, element),
  );
}

/** A compressed transfer syntax keeps its pixel data in fragments: refused when it does not. */
function requireEncapsulated(element: Element, syntax: string, name: string): void {
  if (!element.encapsulatedPixelData) {
    throw badInput(
      name,
      `the ${syntax} transfer syntax is declared but the pixel data is not encapsulated`,
      'The file is corrupt; export it again.',
    );
  }
}

/** Stored values of one RLE Lossless frame, interleaved. */
function readRleFrame(
  dataSet: DataSet,
  element: Element,
  layout: PixelLayout,
  frame: number,
  frames: number,
  name: string,
): Float64Array {
  requireEncapsulated(element, 'RLE', name);
  if (isSubsampled422(layout)) {
    // RLE compresses full-resolution planes: its colour images are RGB or YBR_FULL (PS3.5 G.2).
    throw badInput(
      name,
      'RLE Lossless with the photometric interpretation YBR_FULL_422 is not valid',
      'The file is corrupt; export the image again (uncompressed or as RGB).',
    );
  }
  const fragments = element.fragments ?? [];
  if (frames > 1 && fragments.length !== frames && !element.basicOffsetTable?.length) {
    throw badInput(
      name,
      `the RLE pixel data holds ${fragments.length} fragment(s) for ${frames} frames`,
      'The file is corrupt; export it again.',
    );
  }
  const bytes = encapsulatedFrame(dataSet, element, frame, frames, true);
  return storedValues(decodeRleFrame(bytes, layout, name), layout);
}

/** RGB samples of one JPEG-baseline frame (jpeg-js converts YCbCr to RGB itself). */
function readJpegFrame(
  dataSet: DataSet,
  element: Element,
  layout: PixelLayout,
  frame: number,
  frames: number,
  name: string,
): Float64Array {
  requireEncapsulated(element, 'JPEG', name);
  const jpegBytes = encapsulatedFrame(dataSet, element, frame, frames, false);
  const image = decodeJpeg(jpegBytes, {
    useTArray: true,
    formatAsRGBA: false,
    tolerantDecoding: false,
    maxResolutionInMP: (MAX_IMAGE_SIDE * MAX_IMAGE_SIDE) / 1e6,
    maxMemoryUsageInMB: 1024,
  });
  if (image.width !== layout.columns || image.height !== layout.rows) {
    throw badInput(
      name,
      `the JPEG frame is ${image.width}×${image.height} but the header says ${layout.columns}×${layout.rows}`,
      'The file is corrupt; export it again.',
    );
  }
  return Float64Array.from(image.data);
}

/**
 * Stored values of one JPEG-LS or JPEG 2000 frame, interleaved. What the codestream holds must be
 * what the header declares: another size, component count or a deeper sample is refused.
 */
async function readWasmFrame(
  dataSet: DataSet,
  element: Element,
  layout: PixelLayout,
  frame: number,
  frames: number,
  codec: WasmCodec,
  name: string,
): Promise<Float64Array> {
  const label = CODEC_NAMES[codec];
  requireEncapsulated(element, label, name);
  if (isSubsampled422(layout) && codec !== 'jpeg-8bit') {
    // JPEG-LS and JPEG 2000 do not subsample chroma in DICOM: their colour is RGB or a full YBR.
    throw badInput(
      name,
      `${label} with the photometric interpretation YBR_FULL_422 is not valid`,
      'The file is corrupt; export the image again (uncompressed or as RGB).',
    );
  }
  if (layout.bitsStored > CODEC_MAX_BITS[codec]) {
    const syntax = dataSet.string(TAG.transferSyntax) ?? '';
    throw badInput(
      name,
      `${SYNTAX_NAMES[syntax] ?? label} with ${layout.bitsStored} bits stored is not supported (at most ${CODEC_MAX_BITS[codec]})`,
      'Export the image uncompressed (Explicit VR Little Endian), as RLE Lossless, JPEG-LS or JPEG 2000.',
    );
  }
  const codestream = encapsulatedFrame(dataSet, element, frame, frames, false);
  const corrupt = (what: string) =>
    badInput(name, `the ${label} frame ${what}`, 'The file is corrupt; export it again.');
  // What the codestream claims is checked before a decoder allocates for it; one whose header
  // cannot be read is refused too (every valid one has it; a decoder would trust a broken one).
  const declared = codestreamSize(codestream, codec === 'jpeg-2000' ? 'jpeg-2000' : 'jpeg');
  if (!declared) throw corrupt(`${frame} has no readable frame header`);
  const declaredMismatch = sizeMismatch(
    declared.width,
    declared.height,
    declared.components,
    layout,
  );
  if (declaredMismatch) throw corrupt(declaredMismatch);
  const module = await loadWasmCodec(codec);
  let decoded;
  try {
    decoded = decodeWasmFrame(module, codec, codestream);
  } catch (error) {
    // A decoder that failed may have aborted its WebAssembly instance: the next frame gets a new one.
    forgetWasmCodec(codec);
    throw badInput(
      name,
      `the ${label} frame ${frame} cannot be decoded (${error instanceof Error ? error.message : String(error)})`,
      'The file is truncated or corrupt; export it again.',
    );
  }
  const { info } = decoded;
  const mismatch =
    sizeMismatch(info.width, info.height, info.componentCount, layout) ??
    (info.bitsPerSample > layout.bitsAllocated
      ? `has ${info.bitsPerSample}-bit samples but the header allocates ${layout.bitsAllocated} bits`
      : null);
  if (mismatch) throw corrupt(mismatch);
  return storedValues(decoded.samples, layout);
}

/** How a codestream's size or components differ from the DICOM header's, or null. */
function sizeMismatch(
  width: number,
  height: number,
  components: number,
  layout: PixelLayout,
): string | null {
  if (width !== layout.columns || height !== layout.rows)
    return `is ${width}×${height} but the header says ${layout.columns}×${layout.rows}`;
  if (components !== layout.samplesPerPixel)
    return `has ${components} component(s) but the header says ${layout.samplesPerPixel} sample(s) per pixel`;
  return null;
}

/** 16-bit (or > 8 bits stored) greyscale → 0..255: Window Center/Width when present, else min..max (PIPELINE §1). */
function windowToGrey(samples: Float64Array, dataSet: DataSet, layout: PixelLayout): Float32Array {
  const out = new Float32Array(samples.length);
  if (layout.bitsStored <= 8) {
    for (let i = 0; i < samples.length; i++) out[i] = layout.signed ? samples[i] + 128 : samples[i];
    return out;
  }
  const center = dataSet.floatString(TAG.windowCenter, 0);
  const width = dataSet.floatString(TAG.windowWidth, 0);
  if (
    center !== undefined &&
    width !== undefined &&
    Number.isFinite(center) &&
    Number.isFinite(width) &&
    width > 0
  ) {
    // The window applies to modality values (after rescale), as DICOM defines it.
    const slope = dataSet.floatString(TAG.rescaleSlope) ?? 1;
    const intercept = dataSet.floatString(TAG.rescaleIntercept) ?? 0;
    const low = center - width / 2;
    for (let i = 0; i < samples.length; i++) {
      const g = ((samples[i] * slope + intercept - low) / width) * 255;
      out[i] = g < 0 ? 0 : g > 255 ? 255 : g;
    }
    return out;
  }
  let min = Infinity;
  let max = -Infinity;
  for (const v of samples) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const range = max - min;
  for (let i = 0; i < samples.length; i++)
    out[i] = range > 0 ? ((samples[i] - min) / range) * 255 : 0;
  return out;
}

function clampByte(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

/** Uncompressed YBR_FULL → RGB (DICOM PS3.3 C.7.6.3.1.2), in place. */
function ybrFullToRgb(samples: Float64Array): void {
  for (let p = 0; p < samples.length; p += 3) {
    const y = samples[p];
    const cb = samples[p + 1] - 128;
    const cr = samples[p + 2] - 128;
    samples[p] = clampByte(y + 1.402 * cr);
    samples[p + 1] = clampByte(y - 0.344136 * cb - 0.714136 * cr);
    samples[p + 2] = clampByte(y + 1.772 * cb);
  }
}

/**
 * How a frame's samples came out of its decoder: jpeg-js always gives three channels, and a JPEG
 * decoder turns YCbCr into RGB itself; otherwise the samples are the photometric interpretation's.
 */
interface DecodedSamples {
  samples: Float64Array;
  channels: 1 | 3;
  rgb: boolean;
}

function toGrey(decoded: DecodedSamples, dataSet: DataSet, layout: PixelLayout): GreyImage {
  const { columns: width, rows: height } = layout;
  const { samples } = decoded;
  if (decoded.channels === 3) {
    if (!decoded.rgb) ybrFullToRgb(samples);
    const grey = greyFromInterleaved(samples, width, height, 3);
    for (let i = 0; i < grey.data.length; i++)
      grey.data[i] = Math.min(255, Math.max(0, grey.data[i]));
    if (layout.photometric === 'MONOCHROME1')
      for (let i = 0; i < grey.data.length; i++) grey.data[i] = 255 - grey.data[i];
    return grey;
  }
  const data = windowToGrey(samples, dataSet, layout);
  if (layout.photometric === 'MONOCHROME1')
    for (let i = 0; i < data.length; i++) data[i] = 255 - data[i];
  return { width, height, data };
}

/** One frame's samples, by the decoder its transfer syntax needs. */
async function readFrame(
  dataSet: DataSet,
  element: Element,
  layout: PixelLayout,
  frame: number,
  frames: number,
  syntax: string,
  name: string,
): Promise<DecodedSamples> {
  if (syntax === JPEG_BASELINE) {
    const samples = readJpegFrame(dataSet, element, layout, frame, frames, name);
    return { samples, channels: 3, rgb: true };
  }
  const channels = layout.samplesPerPixel === 3 ? 3 : 1;
  const storedRgb = layout.photometric === 'RGB' || J2K_COLOUR.has(layout.photometric);
  const codec = WASM_CODEC_SYNTAXES[syntax];
  if (codec) {
    const samples = await readWasmFrame(dataSet, element, layout, frame, frames, codec, name);
    return { samples, channels, rgb: codec === 'jpeg-8bit' || storedRgb };
  }
  const samples =
    syntax === RLE_LOSSLESS
      ? readRleFrame(dataSet, element, layout, frame, frames, name)
      : readUncompressedFrame(dataSet, element, layout, frame, syntax === EXPLICIT_BIG, name);
  return { samples, channels, rgb: storedRgb };
}

/** Decodes one frame of a DICOM file (frame is 0-based; required when the file has several). */
export async function decodeDicom(
  buf: Uint8Array,
  name: string,
  choice: DicomFrameChoice = {},
): Promise<DecodedDicom> {
  try {
    const dataSet = parse(buf, name);
    const element = dataSet.elements[TAG.pixelData];
    if (!element) {
      throw new DicomWithoutPixelDataError(name);
    }
    const syntax = dataSet.string(TAG.transferSyntax) ?? IMPLICIT_LITTLE;
    const layout = readLayout(dataSet, name, WASM_CODEC_SYNTAXES[syntax] ?? null);
    const declaredFrames = dataSet.intString(TAG.numberOfFrames);
    const frames =
      declaredFrames !== undefined && Number.isInteger(declaredFrames) && declaredFrames > 0
        ? declaredFrames
        : 1;
    let frame = choice.frame;
    // A frame given for the whole case is not meant for a single-frame file.
    if (frames === 1 && choice.frameOnlyIfMultiframe) frame = 0;
    if (frame === undefined || frame === null) {
      if (frames > 1) {
        throw badInput(
          name,
          `the file has ${frames} frames`,
          `Choose one (0 to ${frames - 1}) ${choice.howToChooseFrame ?? 'with --frame N'}.`,
        );
      }
      frame = 0;
    }
    if (!Number.isInteger(frame) || frame < 0 || frame >= frames) {
      throw badInput(
        name,
        `frame ${frame} is out of range: the file has ${frames} frame${frames === 1 ? '' : 's'}`,
        `Choose a frame from 0 to ${frames - 1}.`,
      );
    }
    const decoded = await readFrame(dataSet, element, layout, frame, frames, syntax, name);
    const grey = toGrey(decoded, dataSet, layout);
    const regions = readRegions(dataSet);
    const calibration =
      calibrationFromRegions(regions, layout.columns, layout.rows) ??
      pixelSpacingCalibration(dataSet);
    const text = textReader(dataSet);
    const meta = readMeta(dataSet, text);
    return { grey, frames, calibration, meta, notices: charsetNotice(name, text, meta) };
  } catch (error) {
    throw asDecodeError(error, name, 'DICOM');
  }
}
