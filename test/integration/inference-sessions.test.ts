/**
 * onnxruntime-node sessions over the shipped models: the provider actually running is recorded with
 * every attempt, a manifest that declares other names or shapes than the ONNX files is refused, and
 * the heads' synchronous native runner (direct-runner.ts) is in use and agrees with the public API.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { copyFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadManifest } from '../../src/inference/manifest-loader';
import * as ort from 'onnxruntime-node';
import { openDirectRunner } from '../../src/inference/direct-runner';
import {
  HEAD_INTRA_OP_THREADS,
  OnnxInference,
  createSessions,
  sessionOptions,
} from '../../src/inference/onnx-inference';
import { HAVE_MODELS, MODELS_DIR } from './cli-helpers';

describe.skipIf(!HAVE_MODELS)('onnxruntime-node sessions', () => {
  let copy: string;
  beforeAll(async () => {
    copy = await mkdtemp(join(tmpdir(), 'spv-sessions-'));
    for (const name of await readdir(MODELS_DIR)) {
      if (name === 'manifest.json' || name.endsWith('.onnx'))
        await copyFile(join(MODELS_DIR, name), join(copy, name));
    }
  });
  afterAll(async () => rm(copy, { recursive: true, force: true }));

  it('records the provider that runs and every provider tried', async () => {
    const manifest = await loadManifest(MODELS_DIR);
    const inference = await OnnxInference.create(manifest, MODELS_DIR);
    try {
      const info = await inference.info();
      expect(info.providersTried.at(-1)).toEqual({ provider: info.provider, ok: true });
      if (process.platform === 'linux' && process.arch === 'x64' && info.provider === 'cpu') {
        // CUDA is listed by the binding but its libraries are not installed here.
        expect(info.providersTried[0].provider).toBe('cuda');
        expect(info.providersTried[0].ok).toBe(false);
      }
      const d = manifest.rvae.single.latent_dim;
      const y = await inference.head('single', new Float32Array(3 * d), 3);
      expect(y.length).toBe(3);
    } finally {
      await inference.close();
    }
  });

  it("runs the heads through the native session, with the public session's results bit for bit", async () => {
    const manifest = await loadManifest(MODELS_DIR);
    const inference = await OnnxInference.create(manifest, MODELS_DIR, {
      preferredProviders: ['cpu'],
    });
    // Fails when an onnxruntime-node upgrade changes the private binding: look at direct-runner.ts.
    expect(inference.headsRunDirect).toBe(true);
    const spec = manifest.rvae.single.head;
    const options = sessionOptions('cpu', HEAD_INTRA_OP_THREADS);
    const file = join(MODELS_DIR, spec.file);
    const publicSession = await ort.InferenceSession.create(file, options);
    const direct = openDirectRunner(file, options);
    try {
      expect(direct).not.toBeNull();
      const d = manifest.rvae.single.latent_dim;
      const rows = 65;
      const z = Float32Array.from({ length: rows * d }, (_, i) => Math.sin(i * 0.37) * 2);
      const feeds = { [spec.inputs[0].name]: new ort.Tensor('float32', z, [rows, d]) };
      const name = spec.outputs[0].name;
      const expected = (await publicSession.run(feeds))[name].data as Float32Array;
      const viaDirect = direct!.run(feeds)[name].data as Float32Array;
      const viaEngine = await inference.head('single', z, rows);
      expect(expected.length).toBe(rows);
      expect(new Set(expected).size).toBeGreaterThan(1); // a real function of z, not a constant
      expect(Array.from(viaDirect)).toEqual(Array.from(expected));
      expect(Array.from(viaEngine)).toEqual(Array.from(expected));
    } finally {
      direct?.dispose();
      await publicSession.release();
      await inference.close();
    }
  });

  it('refuses a manifest whose declared shapes differ from the ONNX graph', async () => {
    const manifest = JSON.parse(await readFile(join(copy, 'manifest.json'), 'utf8'));
    // The head's output: a shape the manifest's own sizes do not constrain (those are checked
    // against each other at load, inference-manifest.test.ts), so only the graph can refuse it.
    manifest.rvae.single.head.outputs[0].shape = ['batch', 2];
    await writeFile(join(copy, 'manifest.json'), JSON.stringify(manifest));
    const loaded = await loadManifest(copy);
    await expect(createSessions(loaded, copy, { preferredProviders: ['cpu'] })).rejects.toThrow(
      new RegExp(
        `${manifest.rvae.single.head.file} does not match models/manifest.json \\(output "y" has shape \\[.*\\], the manifest says \\[batch, 2\\]\\)`,
      ),
    );
  });

  it('refuses a manifest naming other inputs than the graph has', async () => {
    const manifest = JSON.parse(await readFile(join(MODELS_DIR, 'manifest.json'), 'utf8'));
    manifest.segmenter.input.name = 'pixels';
    await writeFile(join(copy, 'manifest.json'), JSON.stringify(manifest));
    const loaded = await loadManifest(copy);
    await expect(createSessions(loaded, copy, { preferredProviders: ['cpu'] })).rejects.toThrow(
      /inputs are \[image\], the manifest says \[pixels\]/,
    );
  });
});
