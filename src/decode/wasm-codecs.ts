/**
 * JPEG-LS, JPEG 2000 and JPEG Lossless/Extended frames of encapsulated DICOM pixel data, through
 * the Cornerstone project's WebAssembly builds of CharLS, OpenJPEG and libjpeg-turbo (the decoders
 * DICOM viewers use). Each WebAssembly module is loaded once, the first time a frame needs it; a
 * frame is decoded synchronously, copied out and its decoder freed. The caller checks what the
 * header declares against what the codestream holds (width, height, components, bit depth), so a
 * mismatch is refused, never displayed.
 */
import charlsFactory from '@cornerstonejs/codec-charls/decodewasmjs';
import libjpegTurboFactory from '@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs';
import openjpegFactory from '@cornerstonejs/codec-openjpeg/decodewasmjs';
import type {
  FrameInfo,
  WasmDecoder,
  WasmDecoderFactory,
  WasmDecoderModule,
} from './wasm-codec-api';

/** The codestream families read here, by the DICOM transfer syntaxes that carry them. */
export type WasmCodec = 'jpeg-ls' | 'jpeg-2000' | 'jpeg-8bit';

export const WASM_CODEC_SYNTAXES: Readonly<Record<string, WasmCodec>> = {
  '1.2.840.10008.1.2.4.80': 'jpeg-ls', // JPEG-LS Lossless
  '1.2.840.10008.1.2.4.81': 'jpeg-ls', // JPEG-LS Near-Lossless
  '1.2.840.10008.1.2.4.90': 'jpeg-2000', // JPEG 2000 Lossless
  '1.2.840.10008.1.2.4.91': 'jpeg-2000', // JPEG 2000
  // libjpeg-turbo's 8-bit build: these three with at most 8 bits stored (the caller refuses more).
  '1.2.840.10008.1.2.4.51': 'jpeg-8bit', // JPEG Extended (Process 2 & 4)
  '1.2.840.10008.1.2.4.57': 'jpeg-8bit', // JPEG Lossless (Process 14)
  '1.2.840.10008.1.2.4.70': 'jpeg-8bit', // JPEG Lossless, first-order prediction (SV1)
};

/** The most bits per sample each codec's build decodes. */
export const CODEC_MAX_BITS: Readonly<Record<WasmCodec, number>> = {
  'jpeg-ls': 16,
  'jpeg-2000': 16,
  'jpeg-8bit': 8,
};

export const CODEC_NAMES: Readonly<Record<WasmCodec, string>> = {
  'jpeg-ls': 'JPEG-LS',
  'jpeg-2000': 'JPEG 2000',
  'jpeg-8bit': 'JPEG',
};

/** A decoded frame: its samples as the codestream stores them, and what the codestream says it is. */
export interface WasmFrame {
  info: FrameInfo;
  /** Samples interleaved per pixel (a planar JPEG-LS scan is interleaved here). */
  samples: Float64Array;
}

// All three stay external to the bundles (scripts/build.mjs): each finds its .wasm file beside it.
const FACTORIES: Record<WasmCodec, WasmDecoderFactory> = {
  'jpeg-ls': charlsFactory,
  'jpeg-2000': openjpegFactory,
  'jpeg-8bit': libjpegTurboFactory,
};

const loading = new Map<WasmCodec, Promise<WasmDecoderModule>>();

/** The codec's WebAssembly module, loaded on first use; a failed load is tried again next time. */
export function loadWasmCodec(codec: WasmCodec): Promise<WasmDecoderModule> {
  let module = loading.get(codec);
  if (!module) {
    // OpenJPEG reports each header it reads on stdout: it would interleave with `spv --json`. The
    // options object becomes the module itself: never share one between two modules.
    const quiet = () => undefined;
    module = FACTORIES[codec]({ print: quiet, printErr: quiet });
    module.catch(() => loading.delete(codec));
    loading.set(codec, module);
  }
  return module;
}

/**
 * Drops the codec's module so that the next frame loads a new one: an Emscripten module that
 * aborted (out of memory on a corrupt frame) refuses every later call.
 */
export function forgetWasmCodec(codec: WasmCodec): void {
  loading.delete(codec);
}

function newDecoder(module: WasmDecoderModule, codec: WasmCodec): WasmDecoder {
  const Decoder =
    codec === 'jpeg-ls'
      ? module.JpegLSDecoder
      : codec === 'jpeg-2000'
        ? module.J2KDecoder
        : module.JPEGDecoder;
  if (!Decoder) throw new Error(`the ${CODEC_NAMES[codec]} module has no decoder class`);
  return new Decoder();
}

/**
 * Decodes one codestream with an already loaded module. Throws the codec's own error (a string or
 * a number from Emscripten) as an Error; the DICOM reader words it for the reader.
 */
export function decodeWasmFrame(
  module: WasmDecoderModule,
  codec: WasmCodec,
  codestream: Uint8Array,
): WasmFrame {
  const decoder = newDecoder(module, codec);
  try {
    decoder.getEncodedBuffer(codestream.length).set(codestream);
    decoder.decode();
    const info = decoder.getFrameInfo();
    // OpenJPEG returns an empty frame from a codestream cut short in its header.
    if (info.width === 0 || info.height === 0) throw new Error('the codestream holds no image');
    const bytes = decoder.getDecodedBuffer();
    const planar = codec === 'jpeg-ls' && decoder.getInterleaveMode?.() === 0;
    return { info, samples: samplesOf(bytes, info, planar) };
  } catch (error) {
    // A C++ exception reaches JavaScript as a number (its address in the module's memory), which
    // tells a reader nothing.
    throw error instanceof Error && !/^\d+$/.test(error.message)
      ? error
      : new Error(
          typeof error === 'string' && !/^\d+$/.test(error) ? error : 'its data is corrupt',
        );
  } finally {
    decoder.delete();
  }
}

/**
 * The decoded bytes as sample values: one byte a sample up to 8 bits, two (little-endian, as
 * WebAssembly stores them) above; two's complement where the codestream says signed.
 */
function samplesOf(bytes: Uint8Array, info: FrameInfo, planar: boolean): Float64Array {
  const wide = info.bitsPerSample > 8;
  const count = info.width * info.height * info.componentCount;
  const need = count * (wide ? 2 : 1);
  if (bytes.length < need)
    throw new Error(`the decoder returned ${bytes.length} bytes for ${need} expected`);
  const out = new Float64Array(count);
  const view = new DataView(bytes.buffer, bytes.byteOffset, need);
  const pixels = info.width * info.height;
  for (let s = 0; s < count; s++) {
    let v = wide ? view.getUint16(2 * s, true) : bytes[s];
    if (info.isSigned && wide && v >= 0x8000) v -= 0x10000;
    else if (info.isSigned && !wide && v >= 0x80) v -= 0x100;
    // A planar JPEG-LS scan holds each component's plane in turn.
    const target =
      planar && info.componentCount > 1
        ? (s % pixels) * info.componentCount + Math.floor(s / pixels)
        : s;
    out[target] = v;
  }
  return out;
}
