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
  /**
   * Sent before the sessions are opened on a provider: should the process crash from here on (a
   * GPU driver that aborts), the main process knows which provider to blame and restarts on the CPU.
   */
  | { id: 0; opening: string }
  /**
   * Sent once when the sessions are ready, with the provider they run on (a restarted process may
   * run on another provider than the one it replaces), or when they could not be created.
   */
  | { id: 0; ok: true; ready: true; info?: InferenceInfo }
  | { id: 0; ok: false; ready: false; error: { code: string | null; message: string } };

/** What the main process asks of a new inference process. */
export interface LaunchOptions {
  /**
   * The execution providers to try, in order; null for the platform default (CUDA or DirectML,
   * then the CPU). ['cpu'] after a GPU provider crashed the process.
   */
  providers: readonly string[] | null;
}
