/**
 * `npm run serve` as a user runs it: the built web host prints its loopback URL with the token,
 * serves the page, refuses API calls without the token and files outside the case folders.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtHostsSkipReason, ensureBuilt, REPO_ROOT } from './web-session';

const skipReason = !existsSync(join(REPO_ROOT, 'models', 'manifest.json'))
  ? 'models/manifest.json is missing'
  : builtHostsSkipReason();
if (skipReason) console.warn(`web host CLI test skipped: ${skipReason}`);

describe.skipIf(skipReason !== null)('web host command', () => {
  let child: ChildProcess;
  let url = '';

  beforeAll(async () => {
    ensureBuilt();
    const dataDir = mkdtempSync(join(tmpdir(), 'spv-serve-'));
    child = spawn(
      process.execPath,
      [join(REPO_ROOT, 'dist', 'main', 'web-host.cjs'), '--data-dir', dataDir],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout?.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match =
          /SPV Workstation web host: (http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]+)/.exec(out);
        if (match) resolve(match[1]);
      });
      child.once('exit', (code) => reject(new Error(`web host exited with ${code}: ${out}`)));
    });
  });

  afterAll(() => {
    child?.kill('SIGTERM');
  });

  it('prints the loopback URL with its token and serves the page with a CSP', async () => {
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(await page.text()).toContain('<div id="root">');
  });

  it('answers 401 without the token and 403 for files outside the case folders', async () => {
    const base = new URL(url);
    const token = base.searchParams.get('token') ?? '';
    expect(
      (await fetch(new URL('/api/getStatus', base), { method: 'POST', body: '{}' })).status,
    ).toBe(401);
    const status = await fetch(new URL('/api/getStatus', base), {
      method: 'POST',
      body: '{}',
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(status.status).toBe(200);
    expect((await status.json()).result.host).toBe('web');
    const outside = await fetch(new URL('/api/openCase', base), {
      method: 'POST',
      body: JSON.stringify({ coronalPath: '/etc/hostname' }),
      headers: { 'x-spv-token': token },
    });
    expect(outside.status).toBe(403);
    const sample = join(REPO_ROOT, 'models', 'samples', 'sample-03_coronal.png');
    const inside = await fetch(new URL('/api/openCase', base), {
      method: 'POST',
      body: JSON.stringify({ coronalPath: sample }),
      headers: { 'x-spv-token': token },
    });
    expect(inside.status).toBe(200);
  });
});
