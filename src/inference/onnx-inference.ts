/**
 * The in-process implementation of the Inference interface over onnxruntime-node. The Electron host
 * runs this same class inside its inference utility process (DESIGN §3); the CLI and the web host run
 * it in process.
 */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { SpvError } from '../api/errors';
import type { Manifest, ModelFile, TensorSpec } from '../models/manifest';
import { openDirectRunner, type DirectRunner } from './direct-runner';
import { displayPath } from './manifest-loader';
import { firstWorkingProvider, providerCandidates, type SupportedBackend } from './providers';
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
}

interface RvaeSessions {
  encoder: ort.InferenceSession;
  head: ort.InferenceSession;
  /** The head's graph again, run synchronously (direct-runner.ts); null where that is unavailable. */
  headDirect: DirectRunner | null;
  decoder: ort.InferenceSession;
}

export interface ModelSessions {
  segmenter: ort.InferenceSession;
  rvae: Partial<Record<RvaeMode, RvaeSessions>>;
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

async function openAll(
  manifest: Manifest,
  dir: string,
  provider: string,
  threads: number,
): Promise<Omit<ModelSessions, 'info'>> {
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
  let chosen;
  try {
    chosen = await firstWorkingProvider(candidates, (provider) =>
      openAll(manifest, dir, provider, threads),
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
  try {
    const seg = manifest.segmenter;
    checkSignature(segmenter, dir, seg.file, [seg.input], [seg.output]);
    for (const mode of ['single', 'dual'] as const) {
      const spec = manifest.rvae[mode];
      const sessions = rvae[mode];
      if (!spec || !sessions) continue;
      for (const part of ['encoder', 'head', 'decoder'] as const) {
        const file: ModelFile = spec[part];
        checkSignature(sessions[part], dir, file.file, file.inputs, file.outputs);
      }
    }
  } catch (error) {
    await releaseAll({ segmenter, rvae });
    throw error;
  }
  return {
    segmenter,
    rvae,
    info: { provider: chosen.provider, providersTried: [...skipped, ...chosen.tried] },
  };
}

function allSessions(sessions: Omit<ModelSessions, 'info'>): ort.InferenceSession[] {
  return [
    sessions.segmenter,
    ...Object.values(sessions.rvae).flatMap((s) => [s.encoder, s.head, s.decoder]),
  ];
}

function disposeDirectRunners(sessions: Omit<ModelSessions, 'info'>): void {
  for (const s of Object.values(sessions.rvae)) s.headDirect?.dispose();
}

async function releaseAll(sessions: Omit<ModelSessions, 'info'>): Promise<void> {
  disposeDirectRunners(sessions);
  await Promise.all(
    allSessions(sessions).map((session) => session.release().catch(() => undefined)),
  );
}

/** Inference over onnxruntime-node sessions in this process. */
export class OnnxInference implements Inference {
  private constructor(
    private readonly manifest: Manifest,
    private readonly sessions: ModelSessions,
  ) {}

  static async create(
    manifest: Manifest,
    dir: string,
    options: SessionOptions = {},
  ): Promise<OnnxInference> {
    return new OnnxInference(manifest, await createSessions(manifest, dir, options));
  }

  async info(): Promise<InferenceInfo> {
    return this.sessions.info;
  }

  async segment(image: Float32Array, size: number): Promise<Float32Array> {
    const spec = this.manifest.segmenter;
    const batch = image.length / (size * size);
    const feeds = { [spec.input.name]: new ort.Tensor('float32', image, [batch, 1, size, size]) };
    const out = await this.sessions.segmenter.run(feeds);
    return out[spec.output.name].data as Float32Array;
  }

  async encode(mode: RvaeMode, grid: Float32Array, batch: number): Promise<EncodeResult> {
    const { spec, sessions } = this.rvae(mode);
    const g = this.manifest.grid.size;
    const feeds = {
      [spec.encoder.inputs[0].name]: new ort.Tensor('float32', grid, [
        batch,
        spec.channels.length,
        g,
        g,
      ]),
    };
    const out = await sessions.encoder.run(feeds);
    return {
      mu: out[spec.encoder.outputs[0].name].data as Float32Array,
      logvar: out[spec.encoder.outputs[1].name].data as Float32Array,
    };
  }

  async head(mode: RvaeMode, z: Float32Array, batch: number): Promise<Float32Array> {
    const { spec, sessions } = this.rvae(mode);
    const feeds = {
      [spec.head.inputs[0].name]: new ort.Tensor('float32', z, [batch, spec.latent_dim]),
    };
    const out = sessions.headDirect
      ? sessions.headDirect.run(feeds)
      : await sessions.head.run(feeds);
    return out[spec.head.outputs[0].name].data as Float32Array;
  }

  async decode(mode: RvaeMode, z: Float32Array, batch: number): Promise<Float32Array> {
    const { spec, sessions } = this.rvae(mode);
    const feeds = {
      [spec.decoder.inputs[0].name]: new ort.Tensor('float32', z, [batch, spec.latent_dim]),
    };
    const out = await sessions.decoder.run(feeds);
    return out[spec.decoder.outputs[0].name].data as Float32Array;
  }

  async close(): Promise<void> {
    disposeDirectRunners(this.sessions);
    await Promise.all(allSessions(this.sessions).map((session) => session.release()));
  }

  /** Whether the heads run through the synchronous native session (direct-runner.ts). */
  get headsRunDirect(): boolean {
    const modes = Object.values(this.sessions.rvae);
    return modes.length > 0 && modes.every((s) => s.headDirect !== null);
  }

  private rvae(mode: RvaeMode) {
    const spec = this.manifest.rvae[mode];
    const sessions = this.sessions.rvae[mode];
    if (!spec || !sessions)
      throw new SpvError(
        'model',
        `The installed models have no ${mode}-view RVAE: reinstall the models`,
      );
    return { spec, sessions };
  }
}
