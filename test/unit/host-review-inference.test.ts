import { fork } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { InferenceReply, InferenceRequest } from '../../main/inference-protocol';
import { SupervisedInference, type InferenceStatus } from '../../main/supervised-inference';
import { providerWarnings } from '../../src/inference/providers';

/**
 * A real child process speaking the inference protocol, standing in for the utility process on a
 * GPU machine. argv[2]: the providers it is told to try (empty: the default, CUDA first); argv[3]:
 * how it misbehaves. It says which provider it opens, as the real process does, then:
 * - 'crash-on-gpu-run': a head run with z[0] = -1 aborts the process on CUDA (a driver crash);
 * - 'crash-on-gpu-open': opening the sessions on CUDA aborts the process;
 * - 'fallback': its first segment falls back to the CPU in process (the reply carries the info),
 *   and a head run with z[0] = -1 aborts the process whatever the provider.
 */
const WORKER = `
const providers = process.argv[2] ? process.argv[2].split(',') : ['cuda', 'cpu'];
const mode = process.argv[3];
const provider = providers[0];
let info = { provider, providersTried: [{ provider, ok: true }] };
if (mode === 'crash-on-gpu-open' && provider !== 'cpu') {
  process.send({ id: 0, opening: provider }, () => process.exit(139));
} else {
  process.send({ id: 0, opening: provider });
  process.on('message', (req) => {
    if (req.op === 'info') process.send({ id: req.id, ok: true, result: info });
    else if (req.op === 'segment' && mode === 'fallback' && info.provider !== 'cpu') {
      info = { provider: 'cpu', providersTried: [{ provider, ok: false, error: 'failed while running the models (CUDA failure 2: out of memory)' }, { provider: 'cpu', ok: true }] };
      process.send({ id: req.id, ok: true, result: req.image, info });
    } else if (req.op === 'segment') process.send({ id: req.id, ok: true, result: req.image });
    else if (req.op === 'head' && req.z[0] === -1 && (mode === 'fallback' || info.provider !== 'cpu')) process.exit(139);
    else if (req.op === 'head') process.send({ id: req.id, ok: true, result: new Float32Array(req.batch).fill(0.5) });
  });
  process.send({ id: 0, ok: true, ready: true, info });
}
`;
const dir = mkdtempSync(join(tmpdir(), 'spv-host-review-'));
const workerPath = join(dir, 'gpu-worker.cjs');
writeFileSync(workerPath, WORKER);

let inference: SupervisedInference | null = null;
afterEach(async () => {
  await inference?.close();
  inference = null;
});

function launch(mode: string) {
  const launchedWith: (readonly string[] | null)[] = [];
  const statuses: InferenceStatus[] = [];
  inference = new SupervisedInference({
    backoffBaseMs: 20,
    launch: ({ providers }) => {
      launchedWith.push(providers);
      const child = fork(workerPath, [providers?.join(',') ?? '', mode], {
        serialization: 'advanced',
        stdio: 'ignore',
      });
      return {
        postMessage: (m: InferenceRequest) => child.send(m),
        onMessage: (l: (m: InferenceReply) => void) =>
          child.on('message', (m) => l(m as InferenceReply)),
        onExit: (l: (code: number | null) => void) => child.on('exit', (code) => l(code)),
        kill: () => void child.kill(),
      };
    },
    onStatus: (s) => statuses.push(s),
  });
  return { inference, statuses, launchedWith };
}

describe('host review: the inference process on a GPU provider', () => {
  it('restarts on the CPU after a GPU provider crashed the process while running, and says why', async () => {
    const { inference, statuses, launchedWith } = launch('crash-on-gpu-run');
    // The engine keeps this object for its estimates' warnings.
    const info = await inference.info();
    expect(info.provider).toBe('cuda');
    await expect(inference.head('single', Float32Array.from([-1]), 1)).rejects.toThrow(
      /stopped unexpectedly \(exit code 139\)\. It was running on cuda: it restarts on the CPU\./,
    );
    expect(statuses.find((s) => s.state === 'crashed')).toMatchObject({
      message: expect.stringMatching(/running on cuda: it restarts on the CPU/) as unknown,
    });
    // The same request now runs on the CPU instead of crashing the process again.
    expect(Array.from(await inference.head('single', Float32Array.from([-1]), 1))).toEqual([0.5]);
    expect(launchedWith).toEqual([null, ['cpu']]);
    expect(info.provider).toBe('cpu');
    expect(info.providersTried[0]).toEqual({
      provider: 'cuda',
      ok: false,
      error: 'failed while running the models (the inference process stopped on it, exit code 139)',
    });
    expect(providerWarnings(info).join(' ')).toMatch(
      /The cuda execution provider failed while running the models .*reopened on cpu/,
    );
    expect(await inference.info()).toBe(info);
    expect(info.providersTried[0].provider).toBe('cuda');
  });

  it('restarts on the CPU when opening the sessions on a GPU provider crashes the process', async () => {
    const { inference, launchedWith } = launch('crash-on-gpu-open');
    // The call waiting for the first child fails with the crash; the next one is served on the CPU.
    await expect(inference.info()).rejects.toThrow(/exit code 139\)\. It was running on cuda/);
    const info = await inference.info();
    expect(info.provider).toBe('cpu');
    expect(info.providersTried[0]).toMatchObject({
      provider: 'cuda',
      ok: false,
      error: expect.stringMatching(/^crashed while opening the models/) as unknown,
    });
    expect(providerWarnings(info)).toEqual([
      'The cuda execution provider failed to start; running on cpu.',
    ]);
    expect(launchedWith).toEqual([null, ['cpu']]);
  });

  it('takes the provider of a restarted process from its ready message, not from the one it replaced', async () => {
    const { inference, launchedWith } = launch('fallback');
    const info = await inference.info();
    expect(info.provider).toBe('cuda');
    await inference.segment(new Float32Array([1]), 1);
    expect(info.provider).toBe('cpu');
    // The process, now on the CPU, crashes: not the GPU's doing, so the next one starts on CUDA.
    await expect(inference.head('single', Float32Array.from([-1]), 1)).rejects.toThrow(
      /exit code 139\)\. The request/,
    );
    await inference.head('single', Float32Array.from([0]), 1);
    expect(launchedWith).toEqual([null, null]);
    expect(info.provider).toBe('cuda');
    expect(info.providersTried).toEqual([{ provider: 'cuda', ok: true }]);
  });
});
