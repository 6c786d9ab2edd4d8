/**
 * The in-process implementation of the Inference interface over onnxruntime-node. The Electron host
 * runs this same class inside its inference utility process (DESIGN §3); the CLI and the web host run
 * it in process.
 */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { SpvError, isSpvError } from '../api/errors';
import type { Manifest, ModelFile, TensorSpec } from '../models/manifest';
import { openDirectRunner, type DirectRunner } from './direct-runner';
import { displayPath } from './manifest-loader';
import {
  FAILED_WHILE_RUNNING,
  describeProviderError,
  firstWorkingProvider,
  providerCandidates,
  type SupportedBackend,
} from './providers';
import { signatureProblems } from './signature';
import type { EncodeResult, Inference, InferenceInfo, RvaeMode } from './types';

export interface SessionOptions {
  /** Providers to try first, e.g. ['cpu'] to force CPU; the platform default otherwise. */
  preferredProviders?: readonly string[];
  /**
   * Threads for one operator. Measured with bench/run.ts on the shared 2-core machine, pool
   * spinning off: 2 threads ran the U-Net in 11–16 ms against 32 ms for 1 (end-to-end 36 vs 63 ms);
   * more threads than cores only add contention. Default: min(2, cores).
   */
  intraOpNumThreads?: number;
  /** The backends the binding supports; injectable for tests. */
  supportedBackends?: readonly SupportedBackend[];
  /**
   * Opens every session on one provider (openModelSessions); injectable for tests, which cannot
   * otherwise have a GPU provider that opens and then fails on run() on a CPU-only machine.
   */
  openSessions?: SessionOpener;
}

export type SessionOpener = (
  manifest: Manifest,
  dir: string,
  provider: string,
  threads: number,
) => Promise<OpenedSessions>;

interface RvaeSessions {
  encoder: ort.InferenceSession;
  head: ort.InferenceSession;
  /** The head's graph again, run synchronously (direct-runner.ts); null where that is unavailable. */
  headDirect: DirectRunner | null;
  decoder: ort.InferenceSession;
}

/** Every session of the models, open on one provider. */
export interface OpenedSessions {
  segmenter: ort.InferenceSession;
  rvae: Partial<Record<RvaeMode, RvaeSessions>>;
}

export interface ModelSessions extends OpenedSessions {
  info: InferenceInfo;
}

export function defaultIntraOpThreads(): number {
  return Math.max(1, Math.min(2, availableParallelism()));
}

/**
 * The RVAE head is a small MLP on K + 1 = 65 latent rows: handing its few microseconds of work to
 * a pool thread costs more than the work. Measured on the 2-core machine (2,000 calls, pool
 * spinning off): 36 µs a call on one thread against 70 µs on two.
 */
export const HEAD_INTRA_OP_THREADS = 1;

/** The options every session of the engine is opened with (the bench opens its comparisons so too). */
export function sessionOptions(
  provider: string,
  intraOpNumThreads: number,
): ort.InferenceSession.SessionOptions {
  return {
    executionProviders: [provider],
    intraOpNumThreads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    logSeverityLevel: provider === 'cpu' ? 2 : 4,
    // Idle pool threads must not spin: the renderer and the other app processes share these cores,
    // and a spinning pool made every stage 2–4× slower on a busy 2-core machine (bench/run.ts).
    extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
  };
}

/** Open every session of the models on `provider`; none is left open when one fails. */
export async function openModelSessions(
  manifest: Manifest,
  dir: string,
  provider: string,
  threads: number,
): Promise<OpenedSessions> {
  const options = (intraOpNumThreads: number) => sessionOptions(provider, intraOpNumThreads);
  const opened: ort.InferenceSession[] = [];
  const runners: DirectRunner[] = [];
  const open = async (file: string, intraOpThreads = threads) => {
    const session = await ort.InferenceSession.create(join(dir, file), options(intraOpThreads));
    opened.push(session);
    return session;
  };
  try {
    const segmenter = await open(manifest.segmenter.file);
    const rvae: Partial<Record<RvaeMode, RvaeSessions>> = {};
    for (const mode of ['single', 'dual'] as const) {
      const spec = manifest.rvae[mode];
      if (!spec) continue;
      const headThreads = Math.min(threads, HEAD_INTRA_OP_THREADS);
      const head = await open(spec.head.file, headThreads);
      const headDirect = openDirectRunner(join(dir, spec.head.file), options(headThreads));
      if (headDirect) runners.push(headDirect);
      rvae[mode] = {
        encoder: await open(spec.encoder.file),
        head,
        headDirect,
        decoder: await open(spec.decoder.file),
      };
    }
    return { segmenter, rvae };
  } catch (error) {
    // A provider that fails half-way must not leak the sessions it did open.
    for (const runner of runners) runner.dispose();
    await Promise.all(opened.map((session) => session.release().catch(() => undefined)));
    throw error;
  }
}

function checkSignature(
  session: ort.InferenceSession,
  dir: string,
  file: string,
  inputs: readonly TensorSpec[],
  outputs: readonly TensorSpec[],
): void {
  const problems = signatureProblems(session, inputs, outputs);
  if (problems.length > 0) {
    throw new SpvError(
      'model',
      `${displayPath(join(dir, file))} does not match models/manifest.json (${problems.join('; ')}): reinstall the models`,
    );
  }
}

/** Check every session against the manifest; the sessions are released when one differs. */
async function checkSessions(
  manifest: Manifest,
  dir: string,
  sessions: OpenedSessions,
): Promise<void> {
  try {
    const seg = manifest.segmenter;
    checkSignature(sessions.segmenter, dir, seg.file, [seg.input], [seg.output]);
    for (const mode of ['single', 'dual'] as const) {
      const spec = manifest.rvae[mode];
      const opened = sessions.rvae[mode];
      if (!spec || !opened) continue;
      for (const part of ['encoder', 'head', 'decoder'] as const) {
        const file: ModelFile = spec[part];
        checkSignature(opened[part], dir, file.file, file.inputs, file.outputs);
      }
    }
  } catch (error) {
    await releaseAll(sessions);
    throw error;
  }
}

/** Create every session on the first provider that works, and check each against the manifest. */
export async function createSessions(
  manifest: Manifest,
  dir: string,
  options: SessionOptions = {},
): Promise<ModelSessions> {
  const supported = options.supportedBackends ?? ort.listSupportedBackends();
  const { candidates, skipped } = providerCandidates(
    supported,
    { platform: process.platform, arch: process.arch },
    options.preferredProviders,
  );
  const threads = options.intraOpNumThreads ?? defaultIntraOpThreads();
  if (candidates.some((name) => name !== 'cpu')) {
    // A GPU provider without its libraries logs a native error through the process-wide logger
    // (read once, at the first session) before we catch it and fall back; the attempt is
    // recorded in providersTried instead. Real errors still reach us as exceptions.
    ort.env.logLevel = 'fatal';
  }
  const open = options.openSessions ?? openModelSessions;
  let chosen;
  try {
    chosen = await firstWorkingProvider(candidates, (provider) =>
      open(manifest, dir, provider, threads),
    );
  } catch (error) {
    throw new SpvError(
      'model',
      `The models in ${displayPath(dir)} could not be loaded: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  const { segmenter, rvae } = chosen.value;
  await checkSessions(manifest, dir, { segmenter, rvae });
  return {
    segmenter,
    rvae,
    info: { provider: chosen.provider, providersTried: [...skipped, ...chosen.tried] },
  };
}

function allSessions(sessions: OpenedSessions): ort.InferenceSession[] {
  return [
    sessions.segmenter,
    ...Object.values(sessions.rvae).flatMap((s) => [s.encoder, s.head, s.decoder]),
  ];
}

function disposeDirectRunners(sessions: OpenedSessions): void {
  for (const s of Object.values(sessions.rvae)) s.headDirect?.dispose();
}

async function releaseAll(sessions: OpenedSessions): Promise<void> {
  disposeDirectRunners(sessions);
  await Promise.all(
    allSessions(sessions).map((session) => session.release().catch(() => undefined)),
  );
}

/**
 * One set of open sessions and the calls running on it: sessions replaced by the CPU fallback are
 * released only once no call still runs on them (releasing a session under a running call is a
 * native use-after-free).
 */
interface Generation {
  provider: string;
  sessions: OpenedSessions;
  running: number;
  retired: boolean;
}

/** Inference over onnxruntime-node sessions in this process. */
export class OnnxInference implements Inference {
  private readonly first: Generation;
  /**
   * The CPU sessions that replaced a provider that failed on run(), once asked for. Set at most
   * once, so a failure is retried once and never loops; a reopen that failed stays rejected, and
   * every later call reports it.
   */
  private fallback: Promise<Generation> | null = null;

  private constructor(
    private readonly manifest: Manifest,
    private readonly dir: string,
    private readonly threads: number,
    private readonly open: SessionOpener,
    sessions: ModelSessions,
    /**
     * Returned by info(), and updated in place by the fallback: the engine hands this object to
     * its estimator, so the estimate computed on the CPU says so (provider, warnings).
     */
    private readonly currentInfo: InferenceInfo,
  ) {
    this.first = { provider: sessions.info.provider, sessions, running: 0, retired: false };
  }

  static async create(
    manifest: Manifest,
    dir: string,
    options: SessionOptions = {},
  ): Promise<OnnxInference> {
    const sessions = await createSessions(manifest, dir, options);
    return new OnnxInference(
      manifest,
      dir,
      options.intraOpNumThreads ?? defaultIntraOpThreads(),
      options.openSessions ?? openModelSessions,
      sessions,
      sessions.info,
    );
  }

  async info(): Promise<InferenceInfo> {
    return this.currentInfo;
  }

  async segment(image: Float32Array, size: number): Promise<Float32Array> {
    const spec = this.manifest.segmenter;
    const batch = image.length / (size * size);
    const feeds = { [spec.input.name]: new ort.Tensor('float32', image, [batch, 1, size, size]) };
    return this.run(async (sessions) => {
      const out = await sessions.segmenter.run(feeds);
      return out[spec.output.name].data as Float32Array;
    });
  }

  async encode(mode: RvaeMode, grid: Float32Array, batch: number): Promise<EncodeResult> {
    const spec = this.rvaeSpec(mode);
    const g = this.manifest.grid.size;
    const feeds = {
      [spec.encoder.inputs[0].name]: new ort.Tensor('float32', grid, [
        batch,
        spec.channels.length,
        g,
        g,
      ]),
    };
    return this.run(async (sessions) => {
      const out = await this.rvaeSessions(sessions, mode).encoder.run(feeds);
      return {
        mu: out[spec.encoder.outputs[0].name].data as Float32Array,
        logvar: out[spec.encoder.outputs[1].name].data as Float32Array,
      };
    });
  }

  async head(mode: RvaeMode, z: Float32Array, batch: number): Promise<Float32Array> {
    const spec = this.rvaeSpec(mode);
    const feeds = {
      [spec.head.inputs[0].name]: new ort.Tensor('float32', z, [batch, spec.latent_dim]),
    };
    return this.run(async (sessions) => {
      const rvae = this.rvaeSessions(sessions, mode);
      const out = rvae.headDirect ? rvae.headDirect.run(feeds) : await rvae.head.run(feeds);
      return out[spec.head.outputs[0].name].data as Float32Array;
    });
  }

  async decode(mode: RvaeMode, z: Float32Array, batch: number): Promise<Float32Array> {
    const spec = this.rvaeSpec(mode);
    const feeds = {
      [spec.decoder.inputs[0].name]: new ort.Tensor('float32', z, [batch, spec.latent_dim]),
    };
    return this.run(async (sessions) => {
      const out = await this.rvaeSessions(sessions, mode).decoder.run(feeds);
      return out[spec.decoder.outputs[0].name].data as Float32Array;
    });
  }

  async close(): Promise<void> {
    const generations = [this.first];
    const cpu = await this.fallback?.catch(() => null);
    if (cpu) generations.push(cpu);
    for (const generation of generations) {
      if (generation.retired) continue; // released already, or as its last call ends
      generation.retired = true;
      // A call still running keeps its sessions until it ends (releaseIfDone then frees them):
      // releasing a session under a running call is a native use-after-free.
      if (generation.running > 0) continue;
      generation.running = -1; // released once only
      await releaseAll(generation.sessions);
    }
  }

  /** Whether the heads run through the synchronous native session (direct-runner.ts). */
  get headsRunDirect(): boolean {
    const modes = Object.values(this.first.sessions.rvae);
    return modes.length > 0 && modes.every((s) => s.headDirect !== null);
  }

  /**
   * Runs `call` on the current sessions. A provider other than the CPU that fails on run() (a
   * driver error, the GPU out of memory) would otherwise fail every estimate from then on: the
   * sessions are reopened on the CPU once, the failure is recorded in info(), and the call is
   * retried there. A failure on the CPU is thrown: it is not the provider's fault.
   */
  private async run<T>(call: (sessions: OpenedSessions) => Promise<T>): Promise<T> {
    const generation = this.fallback ? await this.fallback : this.first;
    try {
      return await this.within(generation, call);
    } catch (error) {
      if (generation.provider === 'cpu') throw error;
      // A model error the code raised itself (a missing RVAE) is the same on every provider.
      if (isSpvError(error)) throw error;
      this.fallback ??= this.reopenOnCpu(error);
      return this.within(await this.fallback, call);
    }
  }

  private async within<T>(
    generation: Generation,
    call: (sessions: OpenedSessions) => Promise<T>,
  ): Promise<T> {
    generation.running++;
    try {
      return await call(generation.sessions);
    } finally {
      generation.running--;
      this.releaseIfDone(generation);
    }
  }

  private releaseIfDone(generation: Generation): void {
    if (!generation.retired || generation.running > 0) return;
    generation.running = -1; // released once only
    void releaseAll(generation.sessions);
  }

  private async reopenOnCpu(failure: unknown): Promise<Generation> {
    const failed = this.first.provider;
    const reason = `${FAILED_WHILE_RUNNING} (${describeProviderError(failure).split('\n')[0]})`;
    this.first.retired = true;
    this.releaseIfDone(this.first);
    let sessions: OpenedSessions;
    try {
      sessions = await this.open(this.manifest, this.dir, 'cpu', this.threads);
      await checkSessions(this.manifest, this.dir, sessions);
    } catch (error) {
      throw new SpvError(
        'model',
        `The ${failed} execution provider ${reason}, and the models could not be reopened on the CPU (${(error as Error).message}): restart the application.`,
        { cause: error },
      );
    }
    // In place: whoever holds the info (the engine's estimator) sees the provider now running.
    this.currentInfo.providersTried = [
      ...this.currentInfo.providersTried.filter((attempt) => attempt.provider !== failed),
      { provider: failed, ok: false, error: reason },
      { provider: 'cpu', ok: true },
    ];
    this.currentInfo.provider = 'cpu';
    return { provider: 'cpu', sessions, running: 0, retired: false };
  }

  private rvaeSpec(mode: RvaeMode) {
    const spec = this.manifest.rvae[mode];
    if (!spec || !this.first.sessions.rvae[mode])
      throw new SpvError(
        'model',
        `The installed models have no ${mode}-view RVAE: reinstall the models`,
      );
    return spec;
  }

  private rvaeSessions(sessions: OpenedSessions, mode: RvaeMode): RvaeSessions {
    const found = sessions.rvae[mode];
    if (!found)
      throw new SpvError(
        'model',
        `The installed models have no ${mode}-view RVAE: reinstall the models`,
      );
    return found;
  }
}
