import { fork } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { InferenceReply, InferenceRequest } from '../../main/inference-protocol';
import {
  SupervisedInference,
  type InferenceStatus,
  type SupervisorOptions,
} from '../../main/supervised-inference';

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

/** Answers info, but never answers segment: a hung onnxruntime run. */
const HUNG = `
process.on('message', (req) => {
  if (req.op === 'info') process.send({ id: req.id, ok: true, result: { provider: 'cpu', providersTried: [] } });
});
process.send({ id: 0, ok: true, ready: true });
`;
const hungPath = join(dir, 'hung.cjs');
writeFileSync(hungPath, HUNG);

/**
 * Starts on "cuda"; its first segment falls back to the CPU (as OnnxInference does when a GPU
 * fails while running) and the reply carries the changed info.
 */
const FALLBACK = `
const cuda = { provider: 'cuda', providersTried: [{ provider: 'cuda', ok: true }] };
const cpu = { provider: 'cpu', providersTried: [{ provider: 'cuda', ok: false, error: 'failed while running the models (CUDA failure 2: out of memory)' }, { provider: 'cpu', ok: true }] };
let info = cuda;
process.on('message', (req) => {
  if (req.op === 'info') process.send({ id: req.id, ok: true, result: info });
  else if (req.op === 'segment') { info = cpu; process.send({ id: req.id, ok: true, result: req.image, info }); }
});
process.send({ id: 0, ok: true, ready: true });
`;
const fallbackPath = join(dir, 'fallback.cjs');
writeFileSync(fallbackPath, FALLBACK);

/** Starts but never reports ready: a model load or provider initialisation that hangs. */
const neverReadyPath = join(dir, 'never-ready.cjs');
writeFileSync(neverReadyPath, 'setInterval(() => {}, 1000);');

function launch(
  script = workerPath,
  { failLaunches = 0, ...options }: Partial<SupervisorOptions> & { failLaunches?: number } = {},
) {
  let launches = 0;
  const statuses: InferenceStatus[] = [];
  inference = new SupervisedInference({
    backoffBaseMs: 20,
    ...options,
    launch: () => {
      launches++;
      if (launches <= failLaunches) throw new Error(`spawn EAGAIN (attempt ${launches})`);
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

  it('updates the info it handed out when a reply says the provider changed', async () => {
    const { inference } = launch(fallbackPath);
    // The engine keeps this object for its estimates: it must follow the process's provider.
    const info = await inference.info();
    expect(info.provider).toBe('cuda');
    await inference.segment(new Float32Array([1]), 1);
    expect(info.provider).toBe('cpu');
    expect(info.providersTried[0]).toMatchObject({ provider: 'cuda', ok: false });
    expect(await inference.info()).toBe(info);
  });

  it('reports errors from the child as SpvError messages', async () => {
    const { inference } = launch();
    await expect(inference.decode('single', new Float32Array(2), 1)).rejects.toThrow(
      /unsupported op decode/,
    );
  });

  it('stops a child that does not answer within the request deadline, fails the call, and restarts it', async () => {
    const { inference, statuses, launches } = launch(hungPath, { requestTimeoutMs: 300 });
    await expect(inference.segment(new Float32Array(4), 2)).rejects.toThrow(
      /did not answer a segment request within 0\.3 s and was stopped\..*try again/,
    );
    expect(statuses.find((s) => s.state === 'crashed')).toMatchObject({
      message: expect.stringMatching(/did not answer a segment request/) as unknown,
    });
    // The replacement child serves the next call.
    expect(await inference.info()).toMatchObject({ provider: 'cpu' });
    expect(launches()).toBe(2);
  });

  it('restarts a child that never reports ready, failing the calls waiting for it', async () => {
    const { inference, statuses, launches } = launch(neverReadyPath, { startupTimeoutMs: 200 });
    await expect(inference.info()).rejects.toThrow(/did not load its models within 0\.2 s/);
    expect(statuses.map((s) => s.state).slice(0, 2)).toEqual(['starting', 'crashed']);
    // The next call waits for a fresh child, which hangs the same way and is given up on again.
    await expect(inference.info()).rejects.toThrow(/did not load its models/);
    expect(launches()).toBeGreaterThanOrEqual(2);
  });

  it('fails the calls in flight or waiting for a child when closed', async () => {
    const { inference } = launch(hungPath);
    await inference.info();
    const inFlight = inference.segment(new Float32Array(4), 2);
    // Let the call reach the child before closing.
    await new Promise((r) => setImmediate(r));
    await inference.close();
    await expect(inFlight).rejects.toThrow(/inference process was closed/);

    const { inference: starting } = launch(neverReadyPath);
    const waiting = starting.info();
    await starting.close();
    await expect(waiting).rejects.toThrow(/inference process was closed/);
  });

  it('retries a launch that throws, and serves calls once a child starts', async () => {
    const { inference, statuses, launches } = launch(workerPath, { failLaunches: 1 });
    expect(await inference.info()).toMatchObject({ provider: 'cpu' });
    expect(launches()).toBe(2);
    expect(statuses[1]).toMatchObject({
      state: 'crashed',
      message: expect.stringMatching(/could not be started: spawn EAGAIN/) as unknown,
    });
  });

  it('gives up with a clear error after repeated launch failures', async () => {
    const { inference, statuses, launches } = launch(workerPath, {
      failLaunches: 99,
      maxLaunchAttempts: 3,
    });
    // Each call fails with the launch it was waiting for, the last with the give-up.
    const messages: string[] = [];
    for (let i = 0; i < 3; i++)
      messages.push(await inference.info().then(String, (e: Error) => e.message));
    expect(messages[0]).toMatch(/could not be started: spawn EAGAIN \(attempt 2\)$/);
    expect(messages[1]).toMatch(/spawn EAGAIN \(attempt 3\) \(gave up after 3 attempts;/);
    expect(messages[2]).toBe(messages[1]);
    expect(launches()).toBe(3);
    expect(statuses.map((s) => s.state)).toEqual([
      'starting',
      'crashed',
      'starting',
      'crashed',
      'starting',
      'failed',
    ]);
  });
});
