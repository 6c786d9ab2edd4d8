import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startWebHost, type WebHost } from '../../main/http-server';
import { apiRequestSchemas, type SpvApi } from '../../src/api';

const root = mkdtempSync(join(tmpdir(), 'spv-host-review-'));
const rendererDir = join(root, 'renderer');
mkdirSync(rendererDir);
writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>SPV</title>');

/** A service whose getStatus answers only when the test says so: a call in progress at close. */
function gatedService() {
  let reached!: () => void;
  const started = new Promise<void>((r) => (reached = r));
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  const service: Record<string, (req: unknown) => Promise<unknown>> = {};
  for (const method of Object.keys(apiRequestSchemas))
    service[method] = async () => {
      if (method === 'getStatus') {
        reached();
        await released;
        return { saved: true };
      }
      return { echoed: method };
    };
  return { service: service as unknown as SpvApi, started, release };
}

interface Reply {
  status: number;
  body: string;
}

function post(host: WebHost, path: string, body: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: host.port,
        path,
        method: 'POST',
        headers: { 'x-spv-token': host.token },
        // A fresh connection each time: a pooled one would hide whether the host still listens.
        agent: false,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function get(host: WebHost, path: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: host.port, path, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      res.on('error', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end();
  });
}

let host: WebHost | null = null;
afterEach(async () => {
  await host?.close();
  host = null;
});

describe('host review: web host robustness', () => {
  it('lets an API request in progress answer when the host closes, then refuses new connections', async () => {
    const { service, started, release } = gatedService();
    host = await startWebHost({ service, rendererDir, allowedRoots: [] });
    const inProgress = post(host, '/api/getStatus', '{}');
    await started;
    const closing = host.close();
    release();
    // Before: the connection was cut under the request and the caller never learnt it was saved.
    expect(await inProgress).toEqual({ status: 200, body: '{"result":{"saved":true}}' });
    await closing;
    await expect(post(host, '/api/listCases', '{}')).rejects.toThrow(/ECONNREFUSED/);
  });

  it('answers 413 at once to a request that announces a body over the limit, without reading it', async () => {
    host = await startWebHost({ service: gatedService().service, rendererDir, allowedRoots: [] });
    const port = host.port;
    const token = host.token;
    // Headers that promise 64 MB, and nothing after them: the host must not wait for the body.
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1');
      let text = '';
      socket.on('data', (d) => {
        text += d.toString();
        if (text.includes('\r\n\r\n') && text.includes('}}')) {
          socket.destroy();
          resolve(text);
        }
      });
      socket.on('error', reject);
      socket.on('close', () => resolve(text));
      socket.write(
        `POST /api/getStatus HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nx-spv-token: ${token}\r\n` +
          `Content-Type: application/json\r\nContent-Length: ${64 * 1024 * 1024}\r\n\r\n{`,
      );
    });
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(answer).toContain('is larger than 33554432 bytes');
  });

  it.runIf(process.platform === 'linux')(
    'survives a renderer file that fails while it is read, and keeps serving',
    async () => {
      // /proc/self/mem opens and stats as a regular file but fails on read (EIO): a read error
      // such as a disk fault or a file truncated under the host would give.
      const dir = mkdtempSync(join(tmpdir(), 'spv-host-review-renderer-'));
      writeFileSync(join(dir, 'index.html'), '<!doctype html><title>SPV</title>');
      symlinkSync('/proc/self/mem', join(dir, 'broken.js'));
      const logged: string[] = [];
      host = await startWebHost({
        service: gatedService().service,
        rendererDir: dir,
        allowedRoots: [],
        log: (line) => logged.push(line),
      });
      // Before: the stream's error event had no listener and took the whole process down.
      await get(host, '/broken.js').catch(() => null);
      const page = await get(host, '/');
      expect(page.status).toBe(200);
      expect(page.body).toContain('<title>SPV</title>');
      expect(logged.join('\n')).toMatch(/could not send broken\.js/);
    },
  );
});
