/**
 * The e2e set-up's renderer: SPV_E2E_RENDERER_DIR names a renderer bundle built elsewhere, which
 * every web session serves instead of dist/renderer (so that a run beside someone else's build
 * neither rebuilds nor reads the shared dist/); a folder that is no bundle is refused with what to
 * do, and the tests of the built hosts say why they cannot run.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  builtHostsSkipReason,
  e2eRendererDir,
  RENDERER_DIR_ENV,
  startWebSession,
  webSessionSkipReason,
  type WebSession,
} from './web-session';

const MARKER = 'SPV private renderer build (e2e set-up test)';
const before = process.env[RENDERER_DIR_ENV];
let dir: string;

/** A renderer bundle as small as can be: a page titled MARKER and its script. */
function writeBundle(folder: string, files = ['index.html', 'app.js']): string {
  for (const file of files)
    writeFileSync(
      join(folder, file),
      file === 'index.html'
        ? `<!doctype html><html><head><title>${MARKER}</title></head><body><div id="root"></div><script src="app.js"></script></body></html>`
        : 'document.body.dataset.privateBuild = "yes";',
    );
  return folder;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'spv-e2e-setup-'));
});

afterEach(() => {
  if (before === undefined) delete process.env[RENDERER_DIR_ENV];
  else process.env[RENDERER_DIR_ENV] = before;
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('SPV_E2E_RENDERER_DIR', () => {
  it('names the bundle the tests serve, and the built hosts say why they are skipped', () => {
    const bundle = writeBundle(mkdtempSync(join(dir, 'bundle-')));
    process.env[RENDERER_DIR_ENV] = bundle;
    expect(e2eRendererDir()).toBe(resolve(bundle));
    expect(builtHostsSkipReason()).toMatch(/SPV_E2E_RENDERER_DIR is set: dist\/ is neither built/);
  });

  it('refuses a folder that holds no bundle, naming what is missing and what to do', () => {
    const half = writeBundle(mkdtempSync(join(dir, 'half-')), ['index.html']);
    process.env[RENDERER_DIR_ENV] = half;
    expect(() => e2eRendererDir()).toThrow(
      `SPV_E2E_RENDERER_DIR=${half} is not a renderer bundle: app.js missing in ${half}. ` +
        'Point it at a folder built like dist/renderer (index.html and app.js), or unset it',
    );
  });

  it('leaves the built hosts to run when it is not set', () => {
    delete process.env[RENDERER_DIR_ENV];
    expect(builtHostsSkipReason()).toBeNull();
  });
});

describe.skipIf(webSessionSkipReason('web-session-setup') !== null)(
  'a web session with SPV_E2E_RENDERER_DIR',
  () => {
    let session: WebSession | undefined;
    afterAll(async () => session?.close());

    it('serves that bundle in Chromium, not dist/renderer', async () => {
      process.env[RENDERER_DIR_ENV] = writeBundle(mkdtempSync(join(dir, 'served-')));
      session = await startWebSession({ width: 800, height: 600 });
      const { page, host } = session;
      await page.goto(host.url);
      expect(await page.title()).toBe(MARKER);
      await page.waitForFunction(() => document.body.dataset.privateBuild === 'yes');
    });
  },
);
