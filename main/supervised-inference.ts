/**
 * The Inference interface over a supervised child process (Electron's utility process in the app).
 * When the child dies, hangs on a request, or never becomes ready, pending calls fail with a clear
 * error, the child is restarted with exponential back-off, the host is told (so the UI can show
 * it), and later calls wait for the new child. The launcher is injected so that the supervision
 * logic does not depend on Electron.
 */
import { SpvError } from '../src/api/errors';
import { FAILED_WHILE_RUNNING } from '../src/inference/providers';
import type {
  EncodeResult,
  Inference,
  InferenceInfo,
  ProviderAttempt,
  RvaeMode,
} from '../src/inference/types';
import type {
  InferenceReply,
  InferenceRequest,
  InferenceResult,
  LaunchOptions,
} from './inference-protocol';

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
  /**
   * Starts a child on the given providers. May throw (fork refused, file missing): that is retried
   * like a crash.
   */
  launch(options: LaunchOptions): ChildHandle;
  onStatus?(status: InferenceStatus): void;
  /** Back-off after the n-th consecutive crash: base · 2^(n−1), capped. */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** A child that stays up this long after becoming ready resets the crash count. */
  stableAfterMs?: number;
  /**
   * How long one request may take before the child is presumed hung, stopped and restarted.
   * Generous: a batch on a slow CPU takes seconds, so minutes mean the process is stuck.
   */
  requestTimeoutMs?: number;
  /** How long a child may take to load its models and report ready before it is restarted. */
  startupTimeoutMs?: number;
  /** Consecutive launch() failures after which the supervisor gives up for good. */
  maxLaunchAttempts?: number;
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 5 * 60_000;
export const DEFAULT_STARTUP_TIMEOUT_MS = 3 * 60_000;
export const DEFAULT_MAX_LAUNCH_ATTEMPTS = 5;

type Pending = {
  resolve(v: InferenceResult): void;
  reject(e: unknown): void;
  deadline: ReturnType<typeof setTimeout>;
};

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // A rejection with no caller waiting is expected (a crash between calls): don't report it as unhandled.
  promise.catch(() => {});
  return { promise, resolve, reject };
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export class SupervisedInference implements Inference {
  private child: ChildHandle | null = null;
  /** Settles when the current child — or, during a restart, the next one — can take requests. */
  private ready: Deferred<ChildHandle> = deferred();
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private crashes = 0;
  private launchFailures = 0;
  /** When the current child reported ready; 0 while it has not. */
  private readyAt = 0;
  private closed = false;
  private restartTimer: ReturnType<typeof setTimeout> | null = null;
  private startupTimer: ReturnType<typeof setTimeout> | null = null;
  /** Set when the models cannot load at all: a restart would fail the same way. */
  private fatal: SpvError | null = null;
  /** The info last heard from the process, handed out as one object (see info()). */
  private knownInfo: InferenceInfo | null = null;
  /** The provider the current child runs on, or is opening its sessions on; null if not told. */
  private childProvider: string | null = null;
  /**
   * The GPU provider that took a child down with it (a native crash in the driver), recorded as
   * a failed attempt: later children run on the CPU, and the info says why.
   */
  private crashedProvider: ProviderAttempt | null = null;

  constructor(private readonly opts: SupervisorOptions) {
    this.start();
  }

  private get requestTimeoutMs(): number {
    return this.opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  }

  private start(): void {
    if (this.closed || this.fatal) return;
    this.opts.onStatus?.({ state: 'starting' });
    let child: ChildHandle;
    try {
      child = this.opts.launch({ providers: this.crashedProvider ? ['cpu'] : null });
    } catch (err) {
      this.launchFailed(err);
      return;
    }
    this.launchFailures = 0;
    this.child = child;
    this.childProvider = null;
    this.readyAt = 0;
    const startupTimeoutMs = this.opts.startupTimeoutMs ?? DEFAULT_STARTUP_TIMEOUT_MS;
    this.startupTimer = setTimeout(() => {
      this.startupTimer = null;
      this.abandon(
        child,
        `The inference process did not load its models within ${seconds(startupTimeoutMs)} and was stopped.`,
        { kill: true },
      );
    }, startupTimeoutMs);
    child.onMessage((msg) => this.onReply(child, msg));
    child.onExit((code) => {
      if (this.child !== child) return;
      const exit = `exit code ${code ?? 'unknown'}`;
      this.abandon(
        child,
        `The inference process stopped unexpectedly (${exit}).${this.blameProvider(exit)}`,
        { kill: false },
      );
    });
  }

  private onReply(child: ChildHandle, msg: InferenceReply): void {
    // Replies from a child already given up on (timed out, closed) answer nobody.
    if (this.child !== child) return;
    if ('opening' in msg) {
      this.childProvider = msg.opening;
      return;
    }
    if (msg.id === 0) {
      this.clearStartupTimer();
      if ('ready' in msg && msg.ready) {
        // Before anyone is told it is ready: a restarted child may run on another provider.
        if (msg.info) this.adoptInfo(msg.info);
        this.readyAt = Date.now();
        this.opts.onStatus?.({ state: 'ready' });
        this.ready.resolve(child);
      } else if (!msg.ok) {
        // The models cannot load (bad hash, missing file): restarting will not help.
        this.fatal = new SpvError('model', msg.error.message);
        this.opts.onStatus?.({ state: 'failed', message: msg.error.message });
        this.abandon(child, msg.error.message, { kill: true });
      }
      return;
    }
    if ('info' in msg && msg.info) this.adoptInfo(msg.info);
    const p = this.takePending(msg.id);
    if (!p) return;
    if (msg.ok) {
      if ('result' in msg) p.resolve(msg.result);
    } else
      p.reject(
        new SpvError(
          msg.error.code === 'model' || msg.error.code === null ? 'model' : 'internal',
          msg.error.message,
        ),
      );
  }

  private takePending(id: number): Pending | undefined {
    const p = this.pending.get(id);
    if (!p) return undefined;
    this.pending.delete(id);
    clearTimeout(p.deadline);
    return p;
  }

  private clearStartupTimer(): void {
    if (this.startupTimer) clearTimeout(this.startupTimer);
    this.startupTimer = null;
  }

  /**
   * Gives up on a child (it exited, hung, or cannot load its models): fails everything waiting on
   * it and, unless that cannot help, schedules a restart. Idempotent per child, so the exit event
   * of a child the supervisor killed itself is ignored.
   */
  private abandon(child: ChildHandle, message: string, { kill }: { kill: boolean }): void {
    if (this.child !== child) return;
    this.child = null;
    this.clearStartupTimer();
    if (kill) child.kill();
    const wasReadyFor = this.readyAt ? Date.now() - this.readyAt : 0;
    this.readyAt = 0;
    const requestError = this.fatal
      ? this.fatal
      : new SpvError(
          'model',
          `${message} The request was not completed; it is being restarted — try again.`,
        );
    for (const id of [...this.pending.keys()]) this.takePending(id)?.reject(requestError);
    if (this.fatal) {
      this.ready.reject(this.fatal);
      return;
    }
    const stableAfter = this.opts.stableAfterMs ?? 60_000;
    this.crashes = wasReadyFor > stableAfter ? 1 : this.crashes + 1;
    this.scheduleRestart(new SpvError('model', message));
  }

  /**
   * Called when the current child exited by itself. One that died on a GPU provider most likely
   * died of it (a driver abort, GPU memory exhausted in native code) and a restart on it would die
   * again: the provider is recorded as failed and later children run on the CPU (a hung child,
   * stopped by the supervisor, is not blamed on its provider). Returns the sentence saying so.
   */
  private blameProvider(exit: string): string {
    const provider = this.childProvider;
    if (provider === null || provider === 'cpu' || this.crashedProvider) return '';
    const when = this.readyAt ? FAILED_WHILE_RUNNING : 'crashed while opening the models';
    this.crashedProvider = {
      provider,
      ok: false,
      error: `${when} (the inference process stopped on it, ${exit})`,
    };
    return ` It was running on ${provider}: it restarts on the CPU.`;
  }

  private launchFailed(err: unknown): void {
    this.launchFailures++;
    const reason = err instanceof Error ? err.message : String(err);
    const message = `The inference process could not be started: ${reason}`;
    const maxAttempts = this.opts.maxLaunchAttempts ?? DEFAULT_MAX_LAUNCH_ATTEMPTS;
    if (this.launchFailures >= maxAttempts) {
      const final = `${message} (gave up after ${this.launchFailures} attempts; restart the application, and reinstall it if this persists).`;
      this.fatal = new SpvError('model', final);
      this.opts.onStatus?.({ state: 'failed', message: final });
      this.ready.reject(this.fatal);
      return;
    }
    this.crashes++;
    this.scheduleRestart(new SpvError('model', message));
  }

  /** Fails the calls waiting for the lost child, and lets later ones wait for its replacement. */
  private scheduleRestart(error: SpvError): void {
    const waiting = this.ready;
    this.ready = deferred();
    waiting.reject(error);
    if (this.closed) return;
    const delay = Math.min(
      this.opts.backoffMaxMs ?? 30_000,
      (this.opts.backoffBaseMs ?? 500) * 2 ** (this.crashes - 1),
    );
    this.opts.onStatus?.({ state: 'crashed', message: error.message, retryInMs: delay });
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      this.start();
    }, delay);
  }

  private async call(req: DistributiveOmit<InferenceRequest, 'id'>): Promise<InferenceResult> {
    if (this.closed) throw new SpvError('internal', 'The inference process was closed.');
    if (this.fatal) throw this.fatal;
    // During a restart this waits for the next child rather than failing at once.
    const child = await this.ready.promise;
    if (this.closed) throw new SpvError('internal', 'The inference process was closed.');
    if (child !== this.child) throw new SpvError('model', 'The inference process is not running.');
    const id = this.nextId++;
    const timeoutMs = this.requestTimeoutMs;
    return new Promise<InferenceResult>((resolve, reject) => {
      const deadline = setTimeout(() => {
        if (!this.pending.has(id)) return;
        // Stopping the child fails every call waiting on it, this one included, with this reason.
        const message = `The inference process did not answer a ${req.op} request within ${seconds(timeoutMs)} and was stopped.`;
        this.abandon(child, message, { kill: true });
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, deadline });
      try {
        child.postMessage({ ...req, id } as InferenceRequest);
      } catch (err) {
        // The channel closed under us (the child is exiting): its exit restarts it.
        this.takePending(id)?.reject(
          new SpvError(
            'model',
            `The inference process could not take the request: ${err instanceof Error ? err.message : String(err)}. Try again.`,
          ),
        );
      }
    });
  }

  /**
   * The provider info, always as the same object, updated in place when it changes (a reply says
   * so when the process replaced a failed provider, or a restarted process chose another): the
   * engine hands this object to its estimator, whose estimates name the provider that ran.
   */
  async info(): Promise<InferenceInfo> {
    return this.adoptInfo((await this.call({ op: 'info' })) as InferenceInfo);
  }

  private adoptInfo(fresh: InferenceInfo): InferenceInfo {
    this.childProvider = fresh.provider;
    const crashed = this.crashedProvider;
    // A child started on the CPU after a GPU crash knows nothing of it: the info keeps the reason.
    const info =
      crashed && fresh.provider !== crashed.provider
        ? {
            ...fresh,
            providersTried: [
              crashed,
              ...fresh.providersTried.filter((attempt) => attempt.provider !== crashed.provider),
            ],
          }
        : fresh;
    if (!this.knownInfo) this.knownInfo = info;
    else Object.assign(this.knownInfo, info);
    return this.knownInfo;
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

  /** Stops the child and fails every call still waiting, so no caller is left hanging. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = null;
    this.clearStartupTimer();
    const child = this.child;
    this.child = null;
    const error = new SpvError('internal', 'The inference process was closed.');
    for (const id of [...this.pending.keys()]) this.takePending(id)?.reject(error);
    this.ready.reject(error);
    child?.kill();
  }
}
