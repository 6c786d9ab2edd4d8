/**
 * The Inference interface over a supervised child process (Electron's utility process in the app).
 * When the child dies, pending calls fail with a clear error, the child is restarted with
 * exponential back-off, the host is told (so the UI can show it), and later calls wait for the
 * new child. The launcher is injected so that the supervision logic does not depend on Electron.
 */
import { SpvError } from '../src/api/errors';
import type { EncodeResult, Inference, InferenceInfo, RvaeMode } from '../src/inference/types';
import type { InferenceReply, InferenceRequest, InferenceResult } from './inference-protocol';

/** What the supervisor needs of a child process. */
export interface ChildHandle {
  postMessage(message: InferenceRequest): void;
  onMessage(listener: (message: InferenceReply) => void): void;
  onExit(listener: (code: number | null) => void): void;
  kill(): void;
}

export type InferenceStatus =
  | { state: 'starting' }
  | { state: 'ready' }
  | { state: 'crashed'; message: string; retryInMs: number }
  | { state: 'failed'; message: string };

export interface SupervisorOptions {
  launch(): ChildHandle;
  onStatus?(status: InferenceStatus): void;
  /** Back-off after the n-th consecutive crash: base · 2^(n−1), capped. */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** A child that stays up this long resets the crash count. */
  stableAfterMs?: number;
}

type Pending = { resolve(v: InferenceResult): void; reject(e: unknown): void };

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export class SupervisedInference implements Inference {
  private child: ChildHandle | null = null;
  private ready: Promise<void> = Promise.resolve();
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private crashes = 0;
  private startedAt = 0;
  private closed = false;
  private restartTimer: ReturnType<typeof setTimeout> | null = null;
  /** Set when the models cannot load at all: a restart would fail the same way. */
  private fatal: SpvError | null = null;

  constructor(private readonly opts: SupervisorOptions) {
    this.start();
  }

  private start(): void {
    this.opts.onStatus?.({ state: 'starting' });
    const child = this.opts.launch();
    this.child = child;
    this.startedAt = Date.now();
    this.ready = new Promise<void>((resolve, reject) => {
      child.onMessage((msg) => {
        if (msg.id === 0) {
          if ('ready' in msg && msg.ready) {
            this.opts.onStatus?.({ state: 'ready' });
            resolve();
          } else if (!msg.ok) {
            // The models cannot load (bad hash, missing file): restarting will not help.
            const error = new SpvError('model', msg.error.message);
            this.fatal = error;
            this.opts.onStatus?.({ state: 'failed', message: msg.error.message });
            reject(error);
          }
          return;
        }
        const p = this.pending.get(msg.id);
        if (!p) return;
        this.pending.delete(msg.id);
        if (msg.ok) {
          if ('result' in msg) p.resolve(msg.result);
        } else
          p.reject(
            new SpvError(
              msg.error.code === 'model' || msg.error.code === null ? 'model' : 'internal',
              msg.error.message,
            ),
          );
      });
      child.onExit((code) => {
        if (this.child !== child) return;
        this.child = null;
        const message = `The inference process stopped unexpectedly (exit code ${code ?? 'unknown'}).`;
        for (const p of this.pending.values())
          p.reject(
            new SpvError(
              'model',
              `${message} The request was not completed; it is being restarted — try again.`,
            ),
          );
        this.pending.clear();
        reject(new SpvError('model', message));
        if (this.closed || this.fatal) return;
        const opts = this.opts;
        const stableAfter = opts.stableAfterMs ?? 60_000;
        this.crashes = Date.now() - this.startedAt > stableAfter ? 1 : this.crashes + 1;
        const delay = Math.min(
          opts.backoffMaxMs ?? 30_000,
          (opts.backoffBaseMs ?? 500) * 2 ** (this.crashes - 1),
        );
        opts.onStatus?.({ state: 'crashed', message, retryInMs: delay });
        this.restartTimer = setTimeout(() => {
          this.restartTimer = null;
          if (!this.closed) this.start();
        }, delay);
      });
    });
    // A rejection with no caller waiting is expected (a crash between calls): don't report it as unhandled.
    this.ready.catch(() => {});
  }

  private async call(req: DistributiveOmit<InferenceRequest, 'id'>): Promise<InferenceResult> {
    if (this.closed) throw new SpvError('internal', 'The inference process was closed.');
    if (this.fatal) throw this.fatal;
    // While a restart is pending, wait for the next child rather than failing at once.
    while (!this.child && this.restartTimer && !this.closed)
      await new Promise((r) => setTimeout(r, 50));
    await this.ready;
    const child = this.child;
    if (!child) throw new SpvError('model', 'The inference process is not running.');
    const id = this.nextId++;
    return new Promise<InferenceResult>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      child.postMessage({ ...req, id } as InferenceRequest);
    });
  }

  async info(): Promise<InferenceInfo> {
    return (await this.call({ op: 'info' })) as InferenceInfo;
  }

  async segment(image: Float32Array, size: number): Promise<Float32Array> {
    return (await this.call({ op: 'segment', image, size })) as Float32Array;
  }

  async encode(mode: RvaeMode, grid: Float32Array, batch: number): Promise<EncodeResult> {
    return (await this.call({ op: 'encode', mode, grid, batch })) as EncodeResult;
  }

  async head(mode: RvaeMode, z: Float32Array, batch: number): Promise<Float32Array> {
    return (await this.call({ op: 'head', mode, z, batch })) as Float32Array;
  }

  async decode(mode: RvaeMode, z: Float32Array, batch: number): Promise<Float32Array> {
    return (await this.call({ op: 'decode', mode, z, batch })) as Float32Array;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.child?.kill();
    this.child = null;
  }
}
