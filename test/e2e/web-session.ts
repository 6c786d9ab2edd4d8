/**
 * The web-host end-to-end tests' set-up, in one place: the real engine on the shipped models and
 * samples, the web host serving the built renderer, and a page in Debian's Chromium.
 */
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startWebHost, type WebHost } from '../../main/http-server';
import { createEngine, type Engine } from '../../src/engine';
import { CHROMIUM_ARGS, CHROMIUM_PATH, ensureBuilt, REPO_ROOT } from './workstation-flow';

export const MODELS_DIR = join(REPO_ROOT, 'models');
export const SAMPLES_DIR = join(MODELS_DIR, 'samples');

export interface WebSession {
  engine: Engine;
  host: WebHost;
  browser: Browser;
  page: Page;
  close(): Promise<void>;
}

/** Starts engine, host and browser (files opened only from the samples folder), with a page. */
export async function startWebSession(viewport: {
  width: number;
  height: number;
}): Promise<WebSession> {
  ensureBuilt();
  const engine = await createEngine({
    modelsDir: MODELS_DIR,
    samplesDir: SAMPLES_DIR,
    host: 'web',
  });
  const host = await startWebHost({
    service: engine,
    rendererDir: join(REPO_ROOT, 'dist', 'renderer'),
    allowedRoots: [SAMPLES_DIR],
  });
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: CHROMIUM_ARGS,
    headless: true,
  });
  const page = await browser.newPage({ viewport });
  page.on('pageerror', (err) => console.error('page error:', err));
  return {
    engine,
    host,
    browser,
    page,
    async close() {
      await browser.close();
      await host.close();
      await engine.close();
    },
  };
}
