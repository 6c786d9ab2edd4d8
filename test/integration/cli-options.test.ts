/**
 * --provider and --threads through the built command line: a typo is a usage error (exit 2) found
 * before any file is read; a known provider that this machine lacks still runs, on the fallback,
 * with a note saying so.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { join } from 'node:path';
import { listSupportedBackends } from 'onnxruntime-node';
import { KNOWN_PROVIDERS } from '../../src/inference/providers';
import { HAVE_MODELS, HAVE_SAMPLES, SAMPLES_DIR, ensureBuilt, runSpv } from './cli-helpers';

const READY = HAVE_MODELS && HAVE_SAMPLES;
/** A provider onnxruntime-node knows but this build does not list (dml on Linux, coreml off macOS). */
const listed = new Set(listSupportedBackends().map((backend) => backend.name));
const absent = KNOWN_PROVIDERS.find((name) => !listed.has(name));

describe.skipIf(!READY)('cli-options: spv estimate --provider / --threads', () => {
  beforeAll(() => ensureBuilt());

  it('a bad --threads is a usage error, before the image is even read', async () => {
    const run = await runSpv(['estimate', '--coronal', 'absent.png', '--threads', 'abc']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^spv estimate: --threads needs a whole number ≥ 1, got "abc"/);
    expect((await runSpv(['estimate', '--threads', '0'])).code).toBe(2);
  });

  it('an unknown --provider is a usage error listing the known names', async () => {
    const run = await runSpv(['estimate', '--provider', 'gpu']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /--provider "gpu" is not a provider: give one of cpu, cuda, tensorrt, dml, webgpu, coreml/,
    );
  });

  it.skipIf(absent === undefined)(
    'a known provider this machine lacks runs on the fallback, with a note saying which',
    async () => {
      const run = await runSpv([
        'estimate',
        '--coronal',
        join(SAMPLES_DIR, 'sample-03_coronal.png'),
        '--provider',
        absent as string,
        '--json',
      ]);
      expect(run.code).toBe(0);
      const { provider } = JSON.parse(run.stdout) as { provider: string };
      expect(run.stderr).toBe(
        `spv: note: provider ${absent} is not available here (not supported by this onnxruntime-node build); the models run on ${provider}\n`,
      );
    },
  );
});

describe.skipIf(READY)('cli-options tests', () => {
  it.skip('need models/manifest.json and the samples', () => {});
});
