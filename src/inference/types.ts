/**
 * The inference boundary: everything the engine asks of the ONNX models.
 *
 * Two implementations exist: the in-process onnxruntime-node one (src/inference/onnx-inference.ts)
 * and the UI host's one over Electron's utilityProcess (main/). Payloads are plain typed arrays and
 * numbers so that they survive structured clone unchanged; every method is async because the
 * utility-process implementation crosses a process boundary.
 */

/** Which RVAE: coronal only, or coronal + transverse. */
export type RvaeMode = 'single' | 'dual';

/** One provider attempt when the sessions were created, for the status panel. */
export interface ProviderAttempt {
  provider: string;
  ok: boolean;
  error?: string;
}

export interface InferenceInfo {
  /** The execution provider that actually runs the sessions ('cpu', 'cuda', 'dml', …). */
  provider: string;
  /** Every provider tried, in order, with the reason each failed. */
  providersTried: ProviderAttempt[];
}

export interface EncodeResult {
  /** [N·D], row-major. */
  mu: Float32Array;
  /** [N·D], row-major. */
  logvar: Float32Array;
}

export interface Inference {
  info(): Promise<InferenceInfo>;
  /**
   * U-Net: `image` is the normalised letterboxed tensor [N, 1, S, S] (N = image.length / S²);
   * returns logits of the same shape.
   */
  segment(image: Float32Array, size: number): Promise<Float32Array>;
  /** RVAE encoder: `grid` is [N, C, G, G] (C = 1 single, 2 dual) → mu and logvar [N, D]. */
  encode(mode: RvaeMode, grid: Float32Array, batch: number): Promise<EncodeResult>;
  /** Regression head: `z` is [K, D] → y [K] (standardised log-volume). */
  head(mode: RvaeMode, z: Float32Array, batch: number): Promise<Float32Array>;
  /** Decoder: `z` is [N, D] → reconstruction logits [N, C, G, G]. */
  decode(mode: RvaeMode, z: Float32Array, batch: number): Promise<Float32Array>;
  /** Release the sessions. */
  close(): Promise<void>;
}
