/**
 * The DICOM decoders timed on the bundled sample's coronal image (384×320): as shipped
 * (uncompressed) and the same pixels as JPEG-LS and JPEG 2000 lossless, encoded here by the
 * WebAssembly encoders of the codec packages the app decodes with (no dcmtk needed).
 */
import charlsFactory from '@cornerstonejs/codec-charls/wasmjs';
import openjpegFactory from '@cornerstonejs/codec-openjpeg/wasmjs';
import { readFile } from 'node:fs/promises';
import { decodeImageBuffer } from '../src/decode';
import type { WasmEncoder } from '../src/decode/wasm-codec-api';
import { imageElements, writeDicom } from '../test/fixtures/dicom/write-dicom';

/** The sample DICOM and its pixels re-encoded, each as a file's bytes, by label. */
export async function dicomVariants(samplePath: string): Promise<Record<string, Buffer>> {
  const original = await readFile(samplePath);
  const { grey } = await decodeImageBuffer(original, samplePath);
  const { width, height } = grey;
  const pixels = Uint8Array.from(grey.data, (v) => Math.round(v));
  // A new options object each: Emscripten makes it the module itself.
  const quiet = () => ({ print: () => undefined, printErr: () => undefined });
  const [charls, openjpeg] = await Promise.all([charlsFactory(quiet()), openjpegFactory(quiet())]);
  const frame = { width, height, bitsPerSample: 8, componentCount: 1, isSigned: false };
  const encode = (Encoder: (new () => WasmEncoder) | undefined) => {
    if (!Encoder) throw new Error('the codec build has no encoder');
    const encoder = new Encoder();
    try {
      encoder.getDecodedBuffer(frame).set(pixels);
      encoder.encode();
      return encoder.getEncodedBuffer().slice();
    } finally {
      encoder.delete();
    }
  };
  const wrap = (codestream: Uint8Array, syntax: string) =>
    Buffer.from(
      writeDicom(imageElements({ rows: height, columns: width, fragments: [codestream] }), syntax),
    );
  return {
    uncompressed: original,
    'JPEG-LS lossless': wrap(encode(charls.JpegLSEncoder), '1.2.840.10008.1.2.4.80'),
    'JPEG 2000 lossless': wrap(encode(openjpeg.J2KEncoder), '1.2.840.10008.1.2.4.90'),
  };
}
