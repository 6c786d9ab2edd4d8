/**
 * The web-host end-to-end tests' set-up, in one place: the renderer bundle they serve, Debian's
 * Chromium and how it is launched, the real engine on the shipped models and samples (with the
 * store for the Review tab's tests), the web host, and a page.
 *
 * SPV_E2E_RENDERER_DIR names a renderer bundle built elsewhere (index.html and app.js). With it,
 * the shared dist/ is neither built nor read, so that a run can go on beside another engineer's
 * build or run; the tests of the built hosts themselves (dist/main) are then skipped.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { HostedService } from '../../main/api-dispatch';
import { startWebHost, type WebHost } from '../../main/http-server';
import { createEngine, type Engine } from '../../src/engine';
import { createStoreService, type StoreService } from '../../src/store-service/service';

export const REPO_ROOT = join(dirname(new URL(import.meta.url).pathname), '..', '..');
export const MODELS_DIR = join(REPO_ROOT, 'models');
export const SAMPLES_DIR = join(MODELS_DIR, 'samples');

/** Debian's Chromium (playwright-core never downloads a browser); undefined when it is not installed. */
export const CHROMIUM_PATH = ['/usr/lib/chromium/chromium', '/usr/bin/chromium'].find((p) =>
  existsSync(p),
);
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** The environment variable that names a renderer bundle built elsewhere. */
export const RENDERER_DIR_ENV = 'SPV_E2E_RENDERER_DIR';
/** What a renderer bundle holds (scripts/build.mjs writes both into dist/renderer). */
const RENDERER_FILES = ['index.html', 'app.js'];

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * Builds dist/ when it is missing or older than the sources. `npm test` builds before vitest
 * starts, so parallel test files never race on dist/; a targeted run still tests fresh code.
 */
export function ensureBuilt(): void {
  const outputs = [
    'dist/renderer/app.js',
    'dist/renderer/index.html',
    'dist/main/web-host.cjs',
  ].map((p) => join(REPO_ROOT, p));
  const built = outputs.every((p) => existsSync(p))
    ? Math.min(...outputs.map((p) => statSync(p).mtimeMs))
    : 0;
  const sources = Math.max(
    ...['src', 'main', 'renderer'].map((d) => newestMtime(join(REPO_ROOT, d))),
  );
  if (built < sources)
    execFileSync(process.execPath, [join(REPO_ROOT, 'scripts', 'build.mjs')], { stdio: 'inherit' });
}

/**
 * The renderer bundle the tests serve: SPV_E2E_RENDERER_DIR's when it is set (checked to hold a
 * bundle, dist/ left alone), else dist/renderer, built first when older than the sources.
 */
export function e2eRendererDir(): string {
  const privateBuild = process.env[RENDERER_DIR_ENV];
  if (privateBuild === undefined || privateBuild === '') {
    ensureBuilt();
    return join(REPO_ROOT, 'dist', 'renderer');
  }
  const dir = resolve(privateBuild);
  const missing = RENDERER_FILES.filter((f) => !existsSync(join(dir, f)));
  if (missing.length > 0)
    throw new Error(
      `${RENDERER_DIR_ENV}=${privateBuild} is not a renderer bundle: ${missing.join(' and ')} ` +
        `missing in ${dir}. Point it at a folder built like dist/renderer (index.html and app.js), ` +
        `or unset it to test dist/renderer.`,
    );
  return dir;
}

/**
 * Why the tests that run the built hosts themselves (dist/main: `npm run serve`, Electron) cannot
 * run in this run, or null. They serve dist/renderer, which SPV_E2E_RENDERER_DIR says not to use.
 */
export function builtHostsSkipReason(): string | null {
  return process.env[RENDERER_DIR_ENV]
    ? `${RENDERER_DIR_ENV} is set: dist/ is neither built nor used, and the built hosts serve dist/renderer`
    : null;
}

/**
 * Why a web-session test cannot run on this machine (no Chromium, the models or a file it `needs`
 * missing), said in the run's output under `name`; null when it can.
 */
export function webSessionSkipReason(name: string, needs: readonly string[] = []): string | null {
  const missing = [join(MODELS_DIR, 'manifest.json'), ...needs].find((p) => !existsSync(p));
  const reason = !CHROMIUM_PATH
    ? 'Chromium is not installed (/usr/lib/chromium/chromium)'
    : missing
      ? `${missing} is missing`
      : null;
  if (reason) console.warn(`e2e ${name} tests skipped: ${reason}`);
  return reason;
}

/** Debian's Chromium, headless, with the options every test uses. */
export async function launchChromium(): Promise<Browser> {
  if (!CHROMIUM_PATH)
    throw new Error('Chromium is not installed: install Debian\'s "chromium" package');
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
}

export interface Viewport {
  width: number;
  height: number;
}

export interface WebSessionOptions {
  /** Folders the UI may open files from; the bundled samples when not given. */
  allowedRoots?: readonly string[];
}

export interface WebSession {
  engine: Engine;
  host: WebHost;
  browser: Browser;
  page: Page;
  close(): Promise<void>;
}

export interface StoreWebSession extends WebSession {
  /** The store the host serves (the Review tab), over the session's engine. */
  service: StoreService;
}

interface SessionParts {
  engine: Engine;
  /** What the host serves: the engine itself, or a store service over it. */
  service: HostedService;
  /** Closes the store service, when there is one. */
  closeService(): void;
}

/**
 * Host and browser serving `parts`, with a page of `viewport`. On a failure part-way, what was
 * started is closed again (the engine and service included) before the error goes on.
 */
async function startSession(
  { engine, service, closeService }: SessionParts,
  rendererDir: string,
  viewport: Viewport,
  allowedRoots: readonly string[],
): Promise<WebSession> {
  let host: WebHost | undefined;
  let browser: Browser | undefined;
  const close = async () => {
    await browser?.close();
    await host?.close();
    closeService();
    await engine.close();
  };
  try {
    host = await startWebHost({ service, rendererDir, allowedRoots });
    browser = await launchChromium();
    const page = await browser.newPage({ viewport });
    page.on('pageerror', (err) => console.error('page error:', err));
    return { engine, host, browser, page, close };
  } catch (err) {
    await close();
    throw err;
  }
}

function startEngine(): Promise<Engine> {
  return createEngine({ modelsDir: MODELS_DIR, samplesDir: SAMPLES_DIR, host: 'web' });
}

/** Starts engine, host and browser (files opened from the samples folder unless told), with a page. */
export async function startWebSession(
  viewport: Viewport,
  { allowedRoots = [SAMPLES_DIR] }: WebSessionOptions = {},
): Promise<WebSession> {
  // The renderer first: a bad SPV_E2E_RENDERER_DIR fails before anything is started.
  const rendererDir = e2eRendererDir();
  const engine = await startEngine();
  const parts = { engine, service: engine, closeService: () => undefined };
  return startSession(parts, rendererDir, viewport, allowedRoots);
}

/**
 * As startWebSession, the host serving a store service (the Review tab) that keeps its data in
 * `dataDir`; close() closes the service too. The caller owns `dataDir`'s folder.
 */
export async function startStoreWebSession(
  viewport: Viewport,
  { dataDir, allowedRoots = [SAMPLES_DIR] }: WebSessionOptions & { dataDir: string },
): Promise<StoreWebSession> {
  const rendererDir = e2eRendererDir();
  const engine = await startEngine();
  let service: StoreService;
  try {
    service = createStoreService({ dataDir, engine });
  } catch (err) {
    await engine.close();
    throw err;
  }
  const parts = { engine, service, closeService: () => service.close() };
  const session = await startSession(parts, rendererDir, viewport, allowedRoots);
  return { ...session, service };
}
