import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebHost, type WebHost } from '../../main/http-server';
import {
  ApiCallError,
  createHttpApi,
  takeLaunchToken,
  wrapBridge,
} from '../../renderer/api-client';
import { apiRequestSchemas, SpvError, type SpvApi } from '../../src/api';

/** A service answering from a table: what matters here is the client's handling of the wire. */
function tableService(): SpvApi {
  const service: Record<string, (req: unknown) => Promise<unknown>> = {};
  for (const method of Object.keys(apiRequestSchemas))
    service[method] = async (req) => ({ method, req });
  service.calibrate = async () => {
    throw new SpvError('not-calibrated', 'Draw a longer line.');
  };
  return service as unknown as SpvApi;
}

describe('HTTP API client against the real web host', () => {
  let host: WebHost;
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spv-client-'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html>');
    host = await startWebHost({ service: tableService(), rendererDir: dir, allowedRoots: [dir] });
  });
  afterAll(() => host.close());

  it('lets a small request outlive the page (the time on a case, as the window closes), not a large one', async () => {
    const keepalive: (boolean | undefined)[] = [];
    const api = createHttpApi(host.token, `http://127.0.0.1:${host.port}`, (input, init) => {
      keepalive.push(init?.keepalive);
      return fetch(input, init);
    });
    await api.recordTimeSpent({ sessionId: '1', caseId: '2', ms: 3000 });
    // A mask of 400 × 300 with a run per pixel: far over the browsers' 64 KiB keepalive budget.
    const runs = Array.from({ length: 120_000 }, () => 1);
    await api.segment({ caseId: 'x', view: 'coronal' });
    await api.explain({ caseId: 'x', masks: { coronal: { width: 400, height: 300, runs } } });
    expect(keepalive).toEqual([true, true, false]);
  });

  it('has every API method and returns the result', async () => {
    const api = createHttpApi(host.token, `http://127.0.0.1:${host.port}`);
    for (const method of Object.keys(apiRequestSchemas))
      expect(typeof (api as unknown as Record<string, unknown>)[method]).toBe('function');
    await expect(api.openSample({ sampleId: 'sample-03' })).resolves.toEqual({
      method: 'openSample',
      req: { sampleId: 'sample-03' },
    });
  });

  it('turns API errors into ApiCallError with the code and the message for the reader', async () => {
    const api = createHttpApi(host.token, `http://127.0.0.1:${host.port}`);
    const err = await api
      .calibrate({ caseId: 'c', view: 'coronal', pointA: [0, 0], pointB: [0, 1], distanceMm: 1 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiCallError);
    expect(err).toMatchObject({
      code: 'not-calibrated',
      message: 'Draw a longer line.',
      method: 'calibrate',
    });
    const wrongToken = createHttpApi('nope', `http://127.0.0.1:${host.port}`);
    await expect(wrongToken.getStatus()).rejects.toMatchObject({ code: 'forbidden' });
  });

  it('reports a host that does not answer', async () => {
    const api = createHttpApi(host.token, 'http://127.0.0.1:1');
    await expect(api.getStatus()).rejects.toThrow(/did not answer getStatus/);
  });
});

describe('launch token and Electron bridge', () => {
  it('takes the token from the query, keeps it for reloads and removes it from the address bar', () => {
    const store = new Map<string, string>();
    const storage = {
      getItem: (k: string) => store.get(k) ?? null,
      setItem: (k: string, v: string) => void store.set(k, v),
    } as Storage;
    let replaced = '';
    const history = {
      replaceState: (_s: unknown, _t: string, url: string) => (replaced = url),
    } as unknown as History;
    const location = { search: '?token=abc&sample=default', hash: '', pathname: '/' } as Location;
    expect(takeLaunchToken(location, storage, history)).toBe('abc');
    expect(replaced).toBe('/?sample=default');
    expect(
      takeLaunchToken({ search: '', hash: '', pathname: '/' } as Location, storage, history),
    ).toBe('abc');
    expect(
      takeLaunchToken(
        { search: '', hash: '#token=xyz', pathname: '/' } as Location,
        storage,
        history,
      ),
    ).toBe('xyz');
  });

  it('unwraps the preload outcomes into results and ApiCallError', async () => {
    const api = wrapBridge({
      getStatus: async () => ({ ok: true, result: { host: 'electron' } }),
      segment: async () => ({ ok: false, error: { code: 'not-found', message: 'No open case.' } }),
    });
    await expect(api.getStatus()).resolves.toEqual({ host: 'electron' });
    await expect(api.segment({ caseId: 'x', view: 'coronal' })).rejects.toMatchObject({
      code: 'not-found',
      message: 'No open case.',
    });
    await expect(
      api.explain({ caseId: 'x', masks: { coronal: { width: 1, height: 1, runs: [1] } } }),
    ).rejects.toThrow(/bridge has no explain/);
  });
});
