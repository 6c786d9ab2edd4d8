import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDispatcher } from '../../main/api-dispatch';
import { startWebHost, type WebHost } from '../../main/http-server';
import { PathPolicy, pathFields } from '../../main/path-policy';
import { apiRequestSchemas, SpvError, type SpvApi } from '../../src/api';

/** A service that records what reached it: the host under test must validate before calling it. */
function recordingService(calls: { method: string; request: unknown }[]): SpvApi {
  const service: Record<string, (req: unknown) => Promise<unknown>> = {};
  for (const method of Object.keys(apiRequestSchemas)) {
    service[method] = async (req: unknown) => {
      calls.push({ method, request: req });
      if (method === 'segment') throw new SpvError('not-found', 'No open case "x": open it first.');
      if (method === 'explain') throw new Error('boom');
      return { echoed: method };
    };
  }
  return service as unknown as SpvApi;
}

const root = mkdtempSync(join(tmpdir(), 'spv-host-'));
const rendererDir = join(root, 'renderer');
const casesDir = join(root, 'cases');
const outsideDir = join(root, 'outside');
for (const d of [rendererDir, casesDir, outsideDir]) mkdirSync(d);
writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>SPV</title>');
writeFileSync(join(root, 'secret.txt'), 'secret');
writeFileSync(join(casesDir, 'a.png'), 'x');

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function send(
  host: WebHost,
  path: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: host.port,
        path,
        method: opts.method ?? 'GET',
        headers: opts.headers,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    if (opts.body) req.write(opts.body);
    req.end();
  });
}

describe('web host', () => {
  const calls: { method: string; request: unknown }[] = [];
  let host: WebHost;
  beforeAll(async () => {
    host = await startWebHost({
      service: recordingService(calls),
      rendererDir,
      allowedRoots: [casesDir],
    });
  });
  afterAll(() => host.close());

  it('prints a loopback URL with the token, and the token is long and random', async () => {
    expect(host.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{43}$/);
    const other = await startWebHost({
      service: recordingService([]),
      rendererDir,
      allowedRoots: [],
    });
    expect(other.token).not.toBe(host.token);
    await other.close();
  });

  it('answers 401 without the token on every /api/ path, known or not, and never calls the core', async () => {
    const paths = [
      ...Object.keys(apiRequestSchemas).map((m) => `/api/${m}`),
      '/api/',
      '/api',
      '/api/../api/getStatus',
      '/api/nope',
    ];
    for (const path of paths) {
      for (const method of ['GET', 'POST']) {
        const reply = await send(host, path, {
          method,
          body: method === 'POST' ? '{}' : undefined,
        });
        expect(reply.status, `${method} ${path}`).toBe(401);
      }
      const wrong = await send(host, path, {
        method: 'POST',
        headers: { Authorization: 'Bearer wrong' },
        body: '{}',
      });
      expect(wrong.status).toBe(401);
    }
    expect(calls).toHaveLength(0);
  });

  it('calls the API with the token (Bearer or x-spv-token) and validates the payload first', async () => {
    const ok = await send(host, '/api/getStatus', {
      method: 'POST',
      headers: { Authorization: `Bearer ${host.token}` },
      body: '{}',
    });
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body)).toEqual({ result: { echoed: 'getStatus' } });
    const alt = await send(host, '/api/openSample', {
      method: 'POST',
      headers: { 'x-spv-token': host.token },
      body: '{"sampleId":"sample-03"}',
    });
    expect(alt.status).toBe(200);
    const before = calls.length;
    const bad = await send(host, '/api/calibrate', {
      method: 'POST',
      headers: { 'x-spv-token': host.token },
      body: '{"caseId":"c","view":"sideways"}',
    });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body).error.code).toBe('bad-input');
    expect(JSON.parse(bad.body).error.message).toMatch(/calibrate.*view/);
    const notJson = await send(host, '/api/estimate', {
      method: 'POST',
      headers: { 'x-spv-token': host.token },
      body: '{oops',
    });
    expect(notJson.status).toBe(400);
    expect(calls.length).toBe(before);
  });

  it('maps SpvError to its code and hides nothing else', async () => {
    const seg = await send(host, '/api/segment', {
      method: 'POST',
      headers: { 'x-spv-token': host.token },
      body: '{"caseId":"x","view":"coronal"}',
    });
    expect(seg.status).toBe(404);
    expect(JSON.parse(seg.body).error).toEqual({
      code: 'not-found',
      message: 'No open case "x": open it first.',
    });
    const masks = { coronal: { width: 1, height: 1, runs: [1] } };
    const crash = await send(host, '/api/explain', {
      method: 'POST',
      headers: { 'x-spv-token': host.token },
      body: JSON.stringify({ caseId: 'x', masks }),
    });
    expect(crash.status).toBe(500);
    expect(JSON.parse(crash.body).error.message).toMatch(/explain failed unexpectedly: boom/);
  });

  it('refuses file paths outside the allowed case folders with 403', async () => {
    const headers = { 'x-spv-token': host.token };
    const inside = await send(host, '/api/openCase', {
      method: 'POST',
      headers,
      body: JSON.stringify({ coronalPath: join(casesDir, 'a.png') }),
    });
    expect(inside.status).toBe(200);
    for (const p of [
      join(root, 'secret.txt'),
      join(casesDir, '..', 'secret.txt'),
      '/etc/passwd',
      join(outsideDir, 'b.png'),
      `${casesDir}-evil/a.png`,
    ]) {
      const reply = await send(host, '/api/openCase', {
        method: 'POST',
        headers,
        body: JSON.stringify({ coronalPath: join(casesDir, 'a.png'), transversePath: p }),
      });
      expect(reply.status, p).toBe(403);
      expect(JSON.parse(reply.body).error.code).toBe('forbidden');
    }
  });

  it('serves the renderer with a strict CSP and refuses traversal out of it', async () => {
    const page = await send(host, '/');
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>SPV</title>');
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-eval');
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect((await send(host, '/..%2Fsecret.txt')).status).toBe(403);
    expect((await send(host, '/missing.js')).status).toBe(404);
    // A percent escape that decodes to nothing: refused, not a crash of the request.
    expect((await send(host, '/index%E0%A4%A.html')).status).toBe(400);
  });

  it('refuses requests whose Host header is not its own loopback address (DNS rebinding)', async () => {
    const reply = await send(host, '/', { headers: { Host: 'evil.example:80' } });
    expect(reply.status).toBe(421);
  });

  it('listens on loopback only', async () => {
    const external = Object.values(networkInterfaces())
      .flat()
      .filter((i) => i && i.family === 'IPv4' && !i.internal)
      .map((i) => i!.address);
    for (const address of external) {
      await expect(
        new Promise((resolve, reject) => {
          const req = request(
            { host: address, port: host.port, path: '/', timeout: 2000 },
            resolve,
          );
          req.on('error', reject);
          req.on('timeout', () => req.destroy(new Error('timeout')));
          req.end();
        }),
      ).rejects.toThrow();
    }
  });
});

describe('dispatcher and path policy', () => {
  it('rejects unknown methods and validates with the contract schemas', async () => {
    const d = createDispatcher(recordingService([]));
    expect(await d.dispatch('deleteEverything', {})).toEqual({
      ok: false,
      error: { code: 'not-found', message: 'Unknown API method "deleteEverything".' },
    });
    const r = await d.dispatch('estimate', { caseId: 'c' });
    expect(r.ok).toBe(false);
  });

  it('finds path fields at any depth and checks them', () => {
    expect(
      pathFields({ coronalPath: '/a', nested: { paths: ['/b', '/c'] }, caseId: '/not-a-path' }),
    ).toEqual([
      ['coronalPath', '/a'],
      ['paths', '/b'],
      ['paths', '/c'],
    ]);
    const policy = new PathPolicy([casesDir]);
    expect(policy.isAllowed(join(casesDir, 'a.png'))).toBe(true);
    expect(policy.isAllowed(casesDir)).toBe(true);
    expect(policy.isAllowed(join(casesDir, '..'))).toBe(false);
    expect(policy.isAllowed(`${join(casesDir, 'a.png')}\0`)).toBe(false);
    expect(() => policy.checkRequest('openCase', { coronalPath: '/etc/passwd' })).toThrow(
      /outside the allowed case folders/,
    );
  });
});
