/**
 * A GPU provider that opens and then fails on run() (a driver error, the GPU out of memory): the
 * sessions are reopened on the CPU once, the call is retried there, and the provider info — hence
 * the engine's status and estimates — says so. Real onnxruntime sessions on the CPU throughout; the
 * "GPU" is the same CPU sessions with run() failing, injected at SessionOptions.openSessions.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { createEngine } from '../../src/engine/engine';
import { loadManifest } from '../../src/inference/manifest-loader';
import {
  OnnxInference,
  openModelSessions,
  type OpenedSessions,
  type SessionOpener,
  type SessionOptions,
} from '../../src/inference/onnx-inference';
import { isRunFailure, providerWarnings } from '../../src/inference/providers';
import type { Inference } from '../../src/inference/types';
import type { Manifest } from '../../src/models/manifest';
import { HAVE_MODELS, MODELS_DIR } from './cli-helpers';

const GPU_ERROR = 'CUDA failure 2: out of memory ; GPU=0 ; file=cuda_call.cc';

/** Make every run of these (real) sessions fail as a broken GPU does; counts their releases. */
function breakRuns(sessions: OpenedSessions, released: { count: number }): OpenedSessions {
  const fail = () => Promise.reject(new Error(GPU_ERROR));
  const all = [
    sessions.segmenter,
    ...Object.values(sessions.rvae).flatMap((s) => [s.encoder, s.head, s.decoder]),
  ];
  for (const session of all) {
    const release = session.release.bind(session);
    Object.assign(session, {
      run: fail,
      release: () => {
        released.count++;
        return release();
      },
    });
  }
  for (const s of Object.values(sessions.rvae)) {
    const direct = s.headDirect;
    if (direct)
      s.headDirect = {
        run: () => {
          throw new Error(GPU_ERROR);
        },
        dispose: () => direct.dispose(),
      };
  }
  return sessions;
}

interface Opener {
  opened: string[];
  released: { count: number };
  open: SessionOpener;
}

/** 'cuda' opens (real CPU sessions underneath) and fails on run(); 'cpu' as `cpu` says. */
function gpuThatFailsOnRun(cpu: 'works' | 'fails-on-run' | 'fails-to-open' = 'works'): Opener {
  const opened: string[] = [];
  const released = { count: 0 };
  return {
    opened,
    released,
    open: async (manifest, dir, provider, threads) => {
      opened.push(provider);
      if (provider === 'cpu' && cpu === 'fails-to-open')
        throw new Error('std::bad_alloc: not enough memory');
      const sessions = await openModelSessions(manifest, dir, 'cpu', threads);
      return provider === 'cuda' || cpu === 'fails-on-run'
        ? breakRuns(sessions, provider === 'cuda' ? released : { count: 0 })
        : sessions;
    },
  };
}

function options(opener: Opener): SessionOptions {
  return {
    // The binding lists CUDA here (as on a Linux PC with an NVIDIA card), and CUDA comes first.
    supportedBackends: [
      { name: 'cpu', bundled: true },
      { name: 'cuda', bundled: false },
    ],
    preferredProviders: ['cuda', 'cpu'],
    intraOpNumThreads: 1,
    openSessions: opener.open,
  };
}

describe.skipIf(!HAVE_MODELS)('a GPU provider that fails on run() (robust CPU fallback)', () => {
  let manifest: Manifest;
  let z: Float32Array;
  beforeAll(async () => {
    manifest = await loadManifest(MODELS_DIR);
    const d = manifest.rvae.single.latent_dim;
    z = Float32Array.from({ length: 3 * d }, (_, i) => Math.sin(i * 0.37) * 2);
  });

  it('reopens the sessions on the CPU once, retries the call there and records why', async () => {
    const reference = await OnnxInference.create(manifest, MODELS_DIR, {
      preferredProviders: ['cpu'],
      intraOpNumThreads: 1,
    });
    const opener = gpuThatFailsOnRun();
    const inference = await OnnxInference.create(manifest, MODELS_DIR, options(opener));
    try {
      expect((await inference.info()).provider).toBe('cuda');
      const y = await inference.head('single', z, 3);
      expect(Array.from(y)).toEqual(Array.from(await reference.head('single', z, 3)));
      expect(opener.opened).toEqual(['cuda', 'cpu']);
      const info = await inference.info();
      expect(info.provider).toBe('cpu');
      expect(info.providersTried).toEqual([
        {
          provider: 'cuda',
          ok: false,
          error: `failed while running the models (${GPU_ERROR})`,
        },
        { provider: 'cpu', ok: true },
      ]);
      expect(isRunFailure(info.providersTried[0])).toBe(true);
      // Every later call runs on the CPU, with no second reopen.
      const size = 128;
      const logits = await inference.segment(new Float32Array(size * size), size);
      expect(logits.length).toBe(size * size);
      const g = manifest.grid.size;
      const { mu } = await inference.encode('single', new Float32Array(g * g), 1);
      expect(mu.length).toBe(manifest.rvae.single.latent_dim);
      expect(opener.opened).toEqual(['cuda', 'cpu']);
      // The failed provider's sessions were given back.
      const sessionCount = 1 + 3 * Object.keys(manifest.rvae).length;
      expect(opener.released.count).toBe(sessionCount);
    } finally {
      await inference.close();
      await reference.close();
    }
  });

  it('calls failing at the same time share one reopen', async () => {
    const opener = gpuThatFailsOnRun();
    const inference = await OnnxInference.create(manifest, MODELS_DIR, options(opener));
    try {
      const g = manifest.grid.size;
      const [y, encoded, logits] = await Promise.all([
        inference.head('single', z, 3),
        inference.encode('single', new Float32Array(g * g), 1),
        inference.segment(new Float32Array(128 * 128), 128),
      ]);
      expect([y.length, encoded.mu.length, logits.length]).toEqual([
        3,
        manifest.rvae.single.latent_dim,
        128 * 128,
      ]);
      expect(opener.opened).toEqual(['cuda', 'cpu']);
    } finally {
      await inference.close();
    }
  });

  it('never loops: a failure on the CPU after the fallback is thrown, not retried', async () => {
    const opener = gpuThatFailsOnRun('fails-on-run');
    const inference = await OnnxInference.create(manifest, MODELS_DIR, options(opener));
    try {
      await expect(inference.head('single', z, 3)).rejects.toThrow(GPU_ERROR);
      await expect(inference.head('single', z, 3)).rejects.toThrow(GPU_ERROR);
      expect(opener.opened).toEqual(['cuda', 'cpu']);
    } finally {
      await inference.close();
    }
  });

  it('a reopen on the CPU that fails says what happened and what to do, once', async () => {
    const opener = gpuThatFailsOnRun('fails-to-open');
    const inference = await OnnxInference.create(manifest, MODELS_DIR, options(opener));
    const expected =
      /The cuda execution provider failed while running the models \(CUDA failure 2: out of memory.*\), and the models could not be reopened on the CPU \(std::bad_alloc: not enough memory\): restart the application/;
    await expect(inference.head('single', z, 3)).rejects.toThrow(expected);
    await expect(inference.segment(new Float32Array(128 * 128), 128)).rejects.toThrow(expected);
    expect(opener.opened).toEqual(['cuda', 'cpu']);
    await inference.close();
  });

  it("the engine's estimate and status name the CPU and warn about the GPU's failure", async () => {
    const opener = gpuThatFailsOnRun();
    const inference = await OnnxInference.create(manifest, MODELS_DIR, options(opener));
    const engine = await createEngine({ modelsDir: MODELS_DIR, inference, host: 'web' });
    try {
      // An ellipse of 120 × 48 mm, a plausible spleen.
      const width = 300;
      const height = 200;
      const mask = new Uint8Array(width * height);
      for (let y = 0; y < height; y++)
        for (let x = 0; x < width; x++)
          if (((x - 150) / 100) ** 2 + ((y - 100) / 40) ** 2 <= 1) mask[y * width + x] = 1;
      const estimate = await engine.estimateFromMasks({
        coronal: { mask, width, height, spacing: { x: 0.6, y: 0.6 } },
      });
      expect(estimate.provider).toBe('cpu');
      expect(Number.isFinite(estimate.volumeMl)).toBe(true);
      expect(estimate.warnings.some((w) => w.startsWith('The cuda execution provider'))).toBe(true);
      const status = await engine.getStatus();
      expect(status.provider).toBe('cpu');
      expect(status.providersTried.map((p) => [p.provider, p.ok])).toEqual([
        ['cuda', false],
        ['cpu', true],
      ]);
    } finally {
      await engine.close();
    }
  });

  it('an engine whose inference runs in another process learns the change from its status', async () => {
    const opener = gpuThatFailsOnRun();
    const inner = await OnnxInference.create(manifest, MODELS_DIR, options(opener));
    // As Electron's utility process answers: every info() is a copy (structured clone).
    const remote: Inference = {
      info: async () => structuredClone(await inner.info()),
      segment: (image, size) => inner.segment(image, size),
      encode: (mode, grid, batch) => inner.encode(mode, grid, batch),
      head: (mode, latent, batch) => inner.head(mode, latent, batch),
      decode: (mode, latent, batch) => inner.decode(mode, latent, batch),
      close: () => inner.close(),
    };
    const engine = await createEngine({
      modelsDir: MODELS_DIR,
      inference: remote,
      host: 'electron',
    });
    try {
      await engine.segmentGrey({ width: 64, height: 64, data: new Float32Array(64 * 64) });
      expect((await engine.getStatus()).provider).toBe('cpu');
      expect(engine.inferenceInfo().provider).toBe('cpu');
    } finally {
      await engine.close();
    }
  });

  it('close() leaves the sessions of a call still running until it ends', async () => {
    let finish = () => {};
    const gate = new Promise<void>((resolve) => (finish = resolve));
    const released: string[] = [];
    const inference = await OnnxInference.create(manifest, MODELS_DIR, {
      preferredProviders: ['cpu'],
      intraOpNumThreads: 1,
      openSessions: async (m, dir, provider, threads) => {
        const sessions = await openModelSessions(m, dir, provider, threads);
        const run = sessions.segmenter.run.bind(sessions.segmenter);
        const release = sessions.segmenter.release.bind(sessions.segmenter);
        Object.assign(sessions.segmenter, {
          // A run that takes as long as the test says: close() comes while it is under way.
          run: async (...args: Parameters<typeof run>) => {
            await gate;
            released.push('run ended');
            return run(...args);
          },
          release: () => {
            released.push('released');
            return release();
          },
        });
        return sessions;
      },
    });
    const size = manifest.segmenter.input_size;
    const segmenting = inference.segment(new Float32Array(size * size), size);
    await inference.close();
    expect(released).toEqual([]); // nothing freed under the running call
    finish();
    expect((await segmenting).length).toBe(size * size);
    await new Promise((resolve) => setTimeout(resolve, 50)); // the release that follows its end
    expect(released).toEqual(['run ended', 'released']);
  });

  it('providerWarnings tells a provider that failed while running from one that failed to start', () => {
    expect(
      providerWarnings({
        provider: 'cpu',
        providersTried: [
          { provider: 'dml', ok: false, error: 'DirectML device removed' },
          { provider: 'cuda', ok: false, error: `failed while running the models (${GPU_ERROR})` },
          { provider: 'webgpu', ok: false, error: 'provider libraries not installed (x)' },
          { provider: 'cpu', ok: true },
        ],
      }),
    ).toEqual([
      'The dml execution provider failed to start; running on cpu.',
      `The cuda execution provider failed while running the models (${GPU_ERROR}): the models were reopened on cpu, which computed this result (slower, same models). Restart the application to try cuda again.`,
    ]);
  });
});
