import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadManifest } from '../../src/inference/manifest-loader';
import { parseManifest } from '../../src/models/manifest';
import {
  firstWorkingProvider,
  isRealFailure,
  providerCandidates,
  providerFallbackNotes,
  unknownProviders,
} from '../../src/inference/providers';
import { signatureProblems } from '../../src/inference/signature';
import { SpvError } from '../../src/api/errors';

const D = 4;
const sha = (text: string) => createHash('sha256').update(text).digest('hex');

/** A structurally valid manifest whose "model files" are small text files with known hashes. */
function fakeManifest(files: Record<string, string>) {
  type Tensor = { name: string; shape: (string | number)[] };
  const file = (name: string, inputs: Tensor[], outputs: Tensor[]) => ({
    file: name,
    sha256: sha(files[name]),
    inputs,
    outputs,
  });
  const latent = {
    mean: Array(D).fill(0),
    precision: Array.from({ length: D }, (_, i) =>
      Array.from({ length: D }, (_, j) => (i === j ? 1 : 0)),
    ),
    distance_threshold: 5,
    pca: {
      mean: Array(D).fill(0),
      components: [Array(D).fill(0.5), Array(D).fill(-0.5)],
      explained_variance: [1, 0.5],
    },
    cloud: [[0, 0, 200]],
  };
  return {
    schema_version: 1,
    model_version: 'test-1',
    segmenter: {
      file: 'segmenter.onnx',
      sha256: sha(files['segmenter.onnx']),
      input_size: 32,
      input: { name: 'image', shape: ['batch', 1, 32, 32] },
      output: { name: 'logits', shape: ['batch', 1, 32, 32] },
      normalization: { mean: 0.2, std: 0.3 },
      threshold: 0.5,
    },
    grid: { size: 16, spacing_mm: 3.5 },
    rvae: {
      single: {
        channels: ['coronal'],
        latent_dim: D,
        encoder: file(
          'enc.onnx',
          [{ name: 'grid', shape: ['batch', 1, 16, 16] }],
          [
            { name: 'mu', shape: ['batch', D] },
            { name: 'logvar', shape: ['batch', D] },
          ],
        ),
        head: file(
          'head.onnx',
          [{ name: 'z', shape: ['batch', D] }],
          [{ name: 'y', shape: ['batch', 1] }],
        ),
        decoder: file(
          'dec.onnx',
          [{ name: 'z', shape: ['batch', D] }],
          [{ name: 'recon_logits', shape: ['batch', 1, 16, 16] }],
        ),
        volume: { transform: 'log', mean: 5.3, std: 0.6 },
        interval: { samples: 64, seed: 1, calibration_factor: 1.2 },
        latent,
      },
    },
    formulas: { length_only: { intercept_ml: -200, slope_ml_per_cm: 40 } },
  };
}

describe('loadManifest', () => {
  let dir: string;
  const files = {
    'segmenter.onnx': 'seg',
    'enc.onnx': 'enc',
    'head.onnx': 'head',
    'dec.onnx': 'dec',
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'spv-manifest-'));
    for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('accepts a manifest whose files all match their hashes', async () => {
    await writeFile(join(dir, 'manifest.json'), JSON.stringify(fakeManifest(files)));
    const manifest = await loadManifest(dir);
    expect(manifest.model_version).toBe('test-1');
    expect(manifest.rvae.single.interval.samples).toBe(64);
  });

  it('refuses a tampered model file, naming it and both hashes', async () => {
    await writeFile(join(dir, 'manifest.json'), JSON.stringify(fakeManifest(files)));
    await writeFile(join(dir, 'head.onnx'), 'tampered');
    try {
      const error = await loadManifest(dir).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(SpvError);
      expect((error as SpvError).code).toBe('model');
      expect((error as SpvError).message).toMatch(
        new RegExp(
          `head\\.onnx failed its SHA-256 check \\(expected ${sha('head')}, got ${sha('tampered')}\\): reinstall the models`,
        ),
      );
    } finally {
      await writeFile(join(dir, 'head.onnx'), 'head');
    }
  });

  it('refuses a missing model file', async () => {
    const manifest = fakeManifest(files);
    manifest.rvae.single.decoder.file = 'absent.onnx';
    await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest));
    await expect(loadManifest(dir)).rejects.toThrow(/absent\.onnx is missing or unreadable/);
  });

  it('refuses latent statistics that do not match the latent size', async () => {
    const manifest = fakeManifest(files);
    manifest.rvae.single.latent.mean = [0, 0];
    await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest));
    await expect(loadManifest(dir)).rejects.toThrow(/latent\.mean has 2 values; latent_dim is 4/);
  });

  it('refuses a file name that leaves the models folder', async () => {
    const manifest = fakeManifest(files);
    manifest.segmenter.file = '../segmenter.onnx';
    await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest));
    await expect(loadManifest(dir)).rejects.toThrow(/segmenter\.file: a plain file name/);
  });

  it('refuses sizes that disagree with the declared tensor shapes, naming the field and both values', async () => {
    const grid = fakeManifest(files);
    grid.grid.size = 12;
    await writeFile(join(dir, 'manifest.json'), JSON.stringify(grid));
    await expect(loadManifest(dir)).rejects.toThrow(
      /grid\.size: 12, but rvae\.single\.encoder input "grid" has 16 there \(shape \[batch, 1, 16, 16\]\): the manifest does not match its models; re-export the manifest and the models together/,
    );

    const segmenter = fakeManifest(files);
    segmenter.segmenter.input_size = 64;
    await writeFile(join(dir, 'manifest.json'), JSON.stringify(segmenter));
    await expect(loadManifest(dir)).rejects.toThrow(
      /segmenter\.input_size: 64, but segmenter input "image" has 32 there/,
    );

    // The decoder alone may disagree too: every declared place is compared.
    const decoder = fakeManifest(files);
    decoder.rvae.single.decoder.outputs[0].shape = ['batch', 2, 16, 16];
    await writeFile(join(dir, 'manifest.json'), JSON.stringify(decoder));
    await expect(loadManifest(dir)).rejects.toThrow(
      /rvae\.single\.channels: 1, but rvae\.single\.decoder output "recon_logits" has 2 there/,
    );

    const latent = fakeManifest(files);
    latent.rvae.single.head.inputs[0].shape = ['batch', 8];
    await writeFile(join(dir, 'manifest.json'), JSON.stringify(latent));
    await expect(loadManifest(dir)).rejects.toThrow(
      /rvae\.single\.latent_dim: 4, but rvae\.single\.head input "z" has 8 there/,
    );

    // Symbolic dimensions match any size.
    const symbolic = fakeManifest(files);
    symbolic.rvae.single.encoder.inputs[0].shape = ['batch', 1, 'h', 'w'];
    await writeFile(join(dir, 'manifest.json'), JSON.stringify(symbolic));
    await expect(loadManifest(dir)).resolves.toMatchObject({ model_version: 'test-1' });
  });

  it('accepts the shipped manifest, whose sizes agree with its shapes', async () => {
    const shipped = join(__dirname, '..', '..', 'models', 'manifest.json');
    const text = await readFile(shipped, 'utf8').catch(() => null);
    if (text === null) return; // No models installed: nothing to compare.
    expect(parseManifest(JSON.parse(text), shipped)).toMatchObject({ ok: true });
  });

  it('says when there is no manifest or it is not JSON', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'spv-nomanifest-'));
    try {
      await expect(loadManifest(empty)).rejects.toThrow(
        /manifest\.json does not exist: install the models/,
      );
      await writeFile(join(empty, 'manifest.json'), '{ not json');
      await expect(loadManifest(empty)).rejects.toThrow(/is not valid JSON/);
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });
});

describe('provider selection', () => {
  const linux = { platform: 'linux' as const, arch: 'x64' };
  const windows = { platform: 'win32' as const, arch: 'x64' };
  const mac = { platform: 'darwin' as const, arch: 'arm64' };
  const cpuOnly = [{ name: 'cpu', bundled: true }];
  const linuxBinding = [
    ...cpuOnly,
    { name: 'webgpu', bundled: true },
    { name: 'cuda', bundled: false },
  ];
  const windowsBinding = [
    ...cpuOnly,
    { name: 'dml', bundled: true },
    { name: 'webgpu', bundled: true },
  ];

  it('tries CUDA then CPU on Linux x64 when the binding lists CUDA', () => {
    expect(providerCandidates(linuxBinding, linux).candidates).toEqual(['cuda', 'cpu']);
  });

  it('tries DirectML then CPU on Windows', () => {
    expect(providerCandidates(windowsBinding, windows).candidates).toEqual(['dml', 'cpu']);
  });

  it('never asks for a backend the binding does not list, and records why it was skipped', () => {
    const { candidates, skipped } = providerCandidates(cpuOnly, linux);
    expect(candidates).toEqual(['cpu']);
    expect(skipped).toEqual([
      { provider: 'cuda', ok: false, error: 'not supported by this onnxruntime-node build' },
    ]);
    expect(providerCandidates(linuxBinding, mac).candidates).toEqual(['cpu']);
  });

  it('honours a preferred order and always keeps CPU last', () => {
    expect(providerCandidates(linuxBinding, linux, ['cpu']).candidates).toEqual(['cpu']);
    expect(providerCandidates(linuxBinding, linux, ['webgpu']).candidates).toEqual([
      'webgpu',
      'cpu',
    ]);
  });

  it('falls back on failure and records every attempt', async () => {
    const result = await firstWorkingProvider(['cuda', 'cpu'], async (provider) => {
      if (provider === 'cuda')
        throw new Error('CUDA failure 100: no CUDA-capable device is detected');
      return provider.toUpperCase();
    });
    expect(result.provider).toBe('cpu');
    expect(result.value).toBe('CPU');
    expect(result.tried).toEqual([
      {
        provider: 'cuda',
        ok: false,
        error: 'CUDA failure 100: no CUDA-capable device is detected',
      },
      { provider: 'cpu', ok: true },
    ]);
  });

  it('tells absent provider libraries from real failures', async () => {
    const result = await firstWorkingProvider(['cuda', 'cpu'], async (provider) => {
      if (provider === 'cuda')
        throw new Error(
          'OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library',
        );
      return provider;
    });
    expect(result.tried[0].error).toMatch(/^provider libraries not installed/);
    expect(isRealFailure(result.tried[0])).toBe(false);
    expect(isRealFailure({ provider: 'dml', ok: false, error: 'DirectML device removed' })).toBe(
      true,
    );
    expect(isRealFailure({ provider: 'cpu', ok: true })).toBe(false);
  });

  it('knows the provider names, so that a typo is refused rather than run on CPU', () => {
    expect(unknownProviders(['cuda', 'gpu', 'cpu', 'DirectML'])).toEqual(['gpu', 'DirectML']);
    expect(unknownProviders(['cpu', 'cuda', 'tensorrt', 'dml', 'webgpu', 'coreml'])).toEqual([]);
  });

  it('says which requested provider was passed over, why, and which one runs', () => {
    const { skipped } = providerCandidates(cpuOnly, linux, ['dml']);
    const info = { provider: 'cpu', providersTried: [...skipped, { provider: 'cpu', ok: true }] };
    expect(providerFallbackNotes(['dml'], info)).toEqual([
      'provider dml is not available here (not supported by this onnxruntime-node build); the models run on cpu',
    ]);
    expect(providerFallbackNotes(['cpu'], info)).toEqual([]);
    expect(providerFallbackNotes([], info)).toEqual([]);
    expect(
      providerFallbackNotes(['cuda', 'webgpu'], {
        provider: 'webgpu',
        providersTried: [
          { provider: 'cuda', ok: false, error: 'provider libraries not installed (x)' },
          { provider: 'webgpu', ok: true },
        ],
      }),
    ).toEqual([
      'provider cuda is not available here (provider libraries not installed (x)); the models run on webgpu',
    ]);
  });

  it('reports every reason when no provider works', async () => {
    await expect(
      firstWorkingProvider(['cpu'], async () => {
        throw new Error('bad graph');
      }),
    ).rejects.toThrow(/cpu: bad graph/);
  });
});

describe('session signature check', () => {
  const inputs = [{ name: 'z', shape: ['batch', 32] }];
  const outputs = [{ name: 'y', shape: ['batch', 1] }];

  it('accepts matching names and shapes, symbolic batch included', () => {
    const session = {
      inputNames: ['z'],
      outputNames: ['y'],
      inputMetadata: [{ name: 'z', isTensor: true, shape: ['N', 32] }],
      outputMetadata: [{ name: 'y', isTensor: true, shape: ['N', 1] }],
    };
    expect(signatureProblems(session, inputs, outputs)).toEqual([]);
  });

  it('names a wrong input name and a wrong fixed dimension', () => {
    expect(signatureProblems({ inputNames: ['x'], outputNames: ['y'] }, inputs, outputs)).toEqual([
      'inputs are [x], the manifest says [z]',
    ]);
    const wrongShape = {
      inputNames: ['z'],
      outputNames: ['y'],
      inputMetadata: [{ name: 'z', isTensor: true, shape: ['batch', 16] }],
    };
    expect(signatureProblems(wrongShape, inputs, outputs)).toEqual([
      'input "z" has shape [batch, 16], the manifest says [batch, 32]',
    ]);
  });
});
