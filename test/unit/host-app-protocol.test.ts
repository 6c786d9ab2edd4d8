/**
 * Electron's app protocol (main/app-protocol.ts): the renderer is served from spv://app, files of
 * the bundle only, with the renderer's CSP, and IPC is trusted from that page alone. The handler
 * is the one Electron runs; here it answers Fetch API requests over a real folder.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appPageUrl, appProtocolHandler, isTrustedSenderUrl } from '../../main/app-protocol';
import { RENDERER_CSP } from '../../main/csp';

let dir: string;
let handle: (request: Request) => Promise<Response>;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'spv-app-protocol-'));
  const renderer = join(dir, 'dist', 'renderer');
  mkdirSync(join(renderer, 'assets'), { recursive: true });
  writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>SPV</title>');
  writeFileSync(join(renderer, 'app.js'), 'console.log(1);');
  writeFileSync(join(renderer, 'assets', 'icon.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
  // Beside the bundle, as the app's database and models are: never to be served.
  writeFileSync(join(dir, 'dist', 'secret.txt'), 'patient data');
  handle = appProtocolHandler(renderer);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const get = (url: string, method = 'GET') => handle(new Request(url, { method }));

describe('the spv://app protocol', () => {
  it('serves the page and its files with their types and the renderer CSP', async () => {
    const page = await get(appPageUrl({ sample: 'default' }));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toBe(RENDERER_CSP);
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await page.text()).toContain('<title>SPV</title>');
    const script = await get('spv://app/app.js');
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await script.text()).toBe('console.log(1);');
    const icon = await get('spv://app/assets/icon.png');
    expect(icon.headers.get('content-type')).toBe('image/png');
    expect(new Uint8Array(await icon.arrayBuffer())).toEqual(
      Uint8Array.from([0x89, 0x50, 0x4e, 0x47]),
    );
    expect((await get('spv://app/')).status).toBe(200); // "/" is the page
    const head = await get('spv://app/app.js', 'HEAD');
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it('never serves a file outside the bundle, however the path is spelt', async () => {
    for (const url of [
      'spv://app/../secret.txt',
      'spv://app/%2e%2e/secret.txt',
      'spv://app/..%2Fsecret.txt',
      'spv://app/assets/..%2F..%2Fsecret.txt',
      'spv://app/%2E%2E%5Csecret.txt',
    ]) {
      const res = await get(url);
      expect([403, 404], url).toContain(res.status);
      expect(await res.text(), url).not.toContain('patient data');
    }
    expect((await get('spv://app/..%2Fsecret.txt')).status).toBe(403);
  });

  it('answers 404 for a missing file, a folder and another host; 400 for a bad escape; 405 for POST', async () => {
    expect((await get('spv://app/missing.js')).status).toBe(404);
    expect((await get('spv://app/assets')).status).toBe(404);
    expect((await get('spv://other/index.html')).status).toBe(404);
    expect((await get('spv://app/index%E0%A4%A.html')).status).toBe(400);
    expect((await get('spv://app/index.html%00.js')).status).toBe(400);
    expect((await get('spv://app/index.html', 'POST')).status).toBe(405);
  });
});

describe('the IPC sender check', () => {
  it('trusts the app page with any query, and nothing else', () => {
    expect(isTrustedSenderUrl(appPageUrl())).toBe(true);
    expect(isTrustedSenderUrl(appPageUrl({ sample: 'default' }))).toBe(true);
    expect(appPageUrl({ sample: 'default' })).toBe('spv://app/index.html?sample=default');
    for (const url of [
      'spv://app/other.html',
      'spv://evil/index.html',
      'file:///app/dist/renderer/index.html',
      'https://app/index.html',
      'http://127.0.0.1:8080/index.html',
      '',
      'not a url',
    ])
      expect(isTrustedSenderUrl(url), url).toBe(false);
  });
});
