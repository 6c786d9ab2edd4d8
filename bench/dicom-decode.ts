/**
 * The DICOM decoders timed on the bundled sample's coronal image (384×320): as shipped
 * (uncompressed) and the same pixels as JPEG-LS and JPEG 2000 lossless, encoded here by the
 * WebAssembly encoders of the codec packages the app decodes with (no dcmtk needed).
 */
import { readFile } from 'node:fs/promises';
import { decodeImageBuffer } from '../src/decode';
import { wasmCodestreams } from '../test/fixtures/dicom/wasm-encode';
import { imageElements, writeDicom } from '../test/fixtures/dicom/write-dicom';

/** The sample DICOM and its pixels re-encoded, each as a file's bytes, by label. */
export async function dicomVariants(samplePath: string): Promise<Record<string, Buffer>> {
  const original = await readFile(samplePath);
  const { grey } = await decodeImageBuffer(original, samplePath);
  const { width, height } = grey;
  const pixels = Uint8Array.from(grey.data, (v) => Math.round(v));
  const { ls, j2k } = await wasmCodestreams(pixels, width, height);
  const wrap = (codestream: Uint8Array, syntax: string) =>
    Buffer.from(
      writeDicom(imageElements({ rows: height, columns: width, fragments: [codestream] }), syntax),
    );
  return {
    uncompressed: original,
    'JPEG-LS lossless': wrap(ls, '1.2.840.10008.1.2.4.80'),
    'JPEG 2000 lossless': wrap(j2k, '1.2.840.10008.1.2.4.90'),
  };
}
