import { fork } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { InferenceReply, InferenceRequest } from '../../main/inference-protocol';
import { SupervisedInference, type InferenceStatus } from '../../main/supervised-inference';

/**
 * A real child process speaking the inference protocol: it doubles segment inputs, and exits with
 * code 7 when asked to run the head on z[0] = -1 (a stand-in for a native crash in onnxruntime).
 */
const WORKER = `
process.on('message', (req) => {
  if (req.op === 'info') process.send({ id: req.id, ok: true, result: { provider: 'cpu', providersTried: [{ provider: 'cpu', ok: true }] } });
  else if (req.op === 'segment') process.send({ id: req.id, ok: true, result: req.image.map((v) => v * 2) });
  else if (req.op === 'head' && req.z[0] === -1) process.exit(7);
  else if (req.op === 'head') process.send({ id: req.id, ok: true, result: new Float32Array(req.batch).fill(0.5) });
  else process.send({ id: req.id, ok: false, error: { code: 'model', message: 'unsupported op ' + req.op } });
});
process.send({ id: 0, ok: true, ready: true });
`;
const dir = mkdtempSync(join(tmpdir(), 'spv-sup-'));
const workerPath = join(dir, 'worker.cjs');
writeFileSync(workerPath, WORKER);

let inference: SupervisedInference | null = null;
afterEach(async () => {
  await inference?.close();
  inference = null;
});

const BROKEN = `process.send({ id: 0, ok: false, ready: false, error: { code: 'model', message: 'models/segmenter.onnx failed its SHA-256 check' } }); setTimeout(() => process.exit(0), 20);`;
const brokenPath = join(dir, 'broken.cjs');
writeFileSync(brokenPath, BROKEN);

function launch(script = workerPath) {
  let launches = 0;
  const statuses: InferenceStatus[] = [];
  inference = new SupervisedInference({
    backoffBaseMs: 20,
    launch: () => {
      launches++;
      const child = fork(script, [], { serialization: 'advanced', stdio: 'ignore' });
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
  return { inference, statuses, launches: () => launches };
}

describe('SupervisedInference', () => {
  it('passes typed arrays through the child unchanged', async () => {
    const { inference } = launch();
    expect(await inference.info()).toMatchObject({ provider: 'cpu' });
    const out = await inference.segment(Float32Array.from([1, 2, 3, 4]), 2);
    expect(out).toBeInstanceOf(Float32Array);
    expect(Array.from(out)).toEqual([2, 4, 6, 8]);
  });

  it('fails the call in flight when the child crashes, tells the host, and restarts with back-off', async () => {
    const { inference, statuses, launches } = launch();
    await expect(inference.head('single', Float32Array.from([-1, 0]), 1)).rejects.toThrow(
      /inference process stopped unexpectedly \(exit code 7\)/,
    );
    const crashed = statuses.find((s) => s.state === 'crashed');
    expect(crashed).toMatchObject({ state: 'crashed', retryInMs: 20 });
    // The next call waits for the restarted child and succeeds.
    expect(Array.from(await inference.head('single', Float32Array.from([0, 0, 0, 0]), 2))).toEqual([
      0.5, 0.5,
    ]);
    expect(launches()).toBe(2);
    await expect(inference.head('single', Float32Array.from([-1, 0]), 1)).rejects.toThrow(
      /exit code 7/,
    );
    expect(
      statuses
        .filter((s) => s.state === 'crashed')
        .map((s) => (s as { retryInMs: number }).retryInMs),
    ).toEqual([20, 40]);
    expect(Array.from(await inference.segment(Float32Array.from([1]), 1))).toEqual([2]);
    expect(launches()).toBe(3);
  });

  it('does not restart a child whose models cannot load, and says why on every call', async () => {
    const { inference, statuses, launches } = launch(brokenPath);
    await expect(inference.info()).rejects.toThrow(/SHA-256/);
    await new Promise((r) => setTimeout(r, 300));
    expect(launches()).toBe(1);
    expect(statuses.map((s) => s.state)).toEqual(['starting', 'failed']);
    await expect(inference.segment(new Float32Array(1), 1)).rejects.toThrow(/SHA-256/);
  });

  it('reports errors from the child as SpvError messages', async () => {
    const { inference } = launch();
    await expect(inference.decode('single', new Float32Array(2), 1)).rejects.toThrow(
      /unsupported op decode/,
    );
  });
});
