/**
 * The part of the Cornerstone WebAssembly decoders (CharLS, OpenJPEG, libjpeg-turbo) that
 * ./wasm-codecs.ts uses.
 */

/** What a decoder says of the frame it decoded. */
export interface FrameInfo {
  width: number;
  height: number;
  bitsPerSample: number;
  componentCount: number;
  /** OpenJPEG and libjpeg-turbo: the samples are two's complement. */
  isSigned?: boolean;
}

export interface WasmDecoder {
  getEncodedBuffer(length: number): Uint8Array;
  decode(): void;
  getFrameInfo(): FrameInfo;
  getDecodedBuffer(): Uint8Array;
  /** CharLS only: 0 when each component is a plane of its own. */
  getInterleaveMode?(): number;
  delete(): void;
}

export interface WasmDecoderModule {
  JpegLSDecoder?: new () => WasmDecoder;
  J2KDecoder?: new () => WasmDecoder;
  JPEGDecoder?: new () => WasmDecoder;
}

/** Emscripten's module factory; `print`/`printErr` take what the C code writes to stdout/stderr. */
export type WasmDecoderFactory = (options?: {
  print?: (text: string) => void;
  printErr?: (text: string) => void;
}) => Promise<WasmDecoderModule>;

/** The encoders of the same builds, as the tests use them to make codestreams. */
export interface WasmEncoder {
  /** The buffer to write the frame's samples into, sized for `frame`. */
  getDecodedBuffer(frame: FrameInfo): Uint8Array;
  encode(): void;
  getEncodedBuffer(): Uint8Array;
  delete(): void;
}

export type WasmEncoderFactory = (options?: {
  print?: (text: string) => void;
  printErr?: (text: string) => void;
}) => Promise<{ JpegLSEncoder?: new () => WasmEncoder; J2KEncoder?: new () => WasmEncoder }>;
