/**
 * The messages between the Electron main process and the inference utility process. Typed arrays
 * travel by structured clone unchanged, so the payloads are the Inference interface's own.
 */
import type { EncodeResult, InferenceInfo, RvaeMode } from '../src/inference/types';

export type InferenceRequest =
  | { id: number; op: 'info' }
  | { id: number; op: 'segment'; image: Float32Array; size: number }
  | { id: number; op: 'encode'; mode: RvaeMode; grid: Float32Array; batch: number }
  | { id: number; op: 'head'; mode: RvaeMode; z: Float32Array; batch: number }
  | { id: number; op: 'decode'; mode: RvaeMode; z: Float32Array; batch: number };

export type InferenceResult = InferenceInfo | Float32Array | EncodeResult;

/**
 * The provider info, on a reply, when it changed since the last reply that carried it: a provider
 * that failed while running was replaced by the CPU (OnnxInference), and the main process's
 * estimates must say so from then on, not only after the next status request.
 */
interface ChangedInfo {
  info?: InferenceInfo;
}

export type InferenceReply =
  | ({ id: number; ok: true; result: InferenceResult } & ChangedInfo)
  | ({ id: number; ok: false; error: { code: string | null; message: string } } & ChangedInfo)
  /** Sent once when the sessions are ready, or when they could not be created. */
  | { id: 0; ok: true; ready: true }
  | { id: 0; ok: false; ready: false; error: { code: string | null; message: string } };
