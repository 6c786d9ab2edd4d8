// The Cornerstone codec packages ship no type declarations: the decoder API used by
// ./wasm-codecs.ts, typed here. Each module is an Emscripten factory that resolves once its
// WebAssembly file is compiled.
declare module '@cornerstonejs/codec-charls/decodewasmjs' {
  import type { WasmDecoderFactory } from './wasm-codec-api';
  const factory: WasmDecoderFactory;
  export default factory;
}
declare module '@cornerstonejs/codec-openjpeg/decodewasmjs' {
  import type { WasmDecoderFactory } from './wasm-codec-api';
  const factory: WasmDecoderFactory;
  export default factory;
}
declare module '@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs' {
  import type { WasmDecoderFactory } from './wasm-codec-api';
  const factory: WasmDecoderFactory;
  export default factory;
}
// The encoders of the same packages (tests make codestreams with them).
declare module '@cornerstonejs/codec-charls/wasmjs' {
  import type { WasmEncoderFactory } from './wasm-codec-api';
  const factory: WasmEncoderFactory;
  export default factory;
}
declare module '@cornerstonejs/codec-openjpeg/wasmjs' {
  import type { WasmEncoderFactory } from './wasm-codec-api';
  const factory: WasmEncoderFactory;
  export default factory;
}
