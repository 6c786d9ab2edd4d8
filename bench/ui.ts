/**
 * `npm run bench:ui`: UI latency and painting smoothness in Chromium through the web host, with
 * the real engine and models (issue 4 targets):
 *   - stroke end → updated estimate shown: median and p95 (target p95 ≤ 150 ms);
 *   - frames per second while painting on a 1024 × 768 image (target ≥ 50).
 * Prints a markdown table. Not a test: numbers depend on the machine and its load.
 */
import { mkdtempSync, readFileSync, existsSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { imageSize, imageToPage, maskCentre, settledVolume } from '../test/e2e/workstation-flow';
import {
  CHROMIUM_PATH,
  MODELS_DIR,
  SAMPLES_DIR,
  startWebSession,
  type WebSession,
} from '../test/e2e/web-session';
import { DEFAULT_SAMPLE_ID, readCaseIndex } from '../src/engine/samples';
import { quantile } from './stats';

const STROKES = Number(process.env.SPV_BENCH_STROKES ?? 40);

/** A 1024 × 768 case made from the default sample's coronal image, with its spacing scaled to match. */
async function largeCase(dir: string): Promise<string> {
  const { rows } = await readCaseIndex(join(SAMPLES_DIR, 'index.csv'));
  const sample = rows.find((r) => r.id === DEFAULT_SAMPLE_ID) ?? rows[0];
  const coronal = sample.coronal;
  const sidecar = JSON.parse(readFileSync(coronal.replace(/\.png$/, '.json'), 'utf8')) as {
    spacing_mm: [number, number];
  };
  const meta = await sharp(coronal).metadata();
  const out = join(dir, 'large_coronal.png');
  await sharp(coronal).resize(1024, 768, { fit: 'fill', kernel: 'nearest' }).png().toFile(out);
  const sx = (sidecar.spacing_mm[0] * (meta.width ?? 1024)) / 1024;
  const sy = (sidecar.spacing_mm[1] * (meta.height ?? 768)) / 768;
  writeFileSync(
    out.replace(/\.png$/, '.json'),
    JSON.stringify({ spacing_mm: [sx, sy], view: 'coronal' }),
  );
  return out;
}

export async function strokeLatencies(
  page: Page,
): Promise<{ inApp: number[]; endToEnd: number[]; engine: number[] }> {
  await page.keyboard.press('b');
  await page.getByTestId('brush-size').fill('4');
  const [cx, cy] = await maskCentre(page, 'coronal');
  const [width] = await imageSize(page, 'coronal');
  const endToEnd: number[] = [];
  await page.evaluate(() => {
    window.spvPerf = { estimateLatenciesMs: [], engineMs: [] };
  });
  for (let k = 0; k < STROKES; k++) {
    // Alternate adding and erasing a small stroke at the mask's edge so the volume keeps changing.
    await page.keyboard.press(k % 2 === 0 ? 'b' : 'e');
    const before = await page.getByTestId('volume-ml').getAttribute('data-value');
    // From inside the mask across its edge: the brush grows it there, the eraser cuts the band back.
    const a = await imageToPage(page, 'coronal', cx, cy + (k % 5));
    const b = await imageToPage(page, 'coronal', Math.min(width - 2, cx + 400), cy + (k % 5));
    await page.mouse.move(a.x, a.y);
    await page.mouse.down();
    await page.mouse.move(b.x, b.y, { steps: 8 });
    const t0 = Date.now();
    await page.mouse.up();
    await settledVolume(page, { notEqual: before ?? '' });
    endToEnd.push(Date.now() - t0);
  }
  const inApp = await page.evaluate(() => window.spvPerf?.estimateLatenciesMs ?? []);
  const engine = await page.evaluate(() => window.spvPerf?.engineMs ?? []);
  return { inApp, endToEnd, engine };
}

export async function paintingFps(page: Page): Promise<number[]> {
  await page.keyboard.press('b');
  await page.getByTestId('brush-size').fill('6');
  const [w, h] = await imageSize(page, 'coronal');
  const runs: number[] = [];
  for (let run = 0; run < 5; run++) {
    // A string, not a function: tsx's name helpers do not exist inside the page.
    await page.evaluate(`(() => {
      const state = { frames: 0, running: true, start: performance.now() };
      window.spvFps = state;
      const tick = () => { if (state.running) { state.frames++; requestAnimationFrame(tick); } };
      requestAnimationFrame(tick);
    })()`);
    const y = h * (0.3 + run * 0.1);
    const a = await imageToPage(page, 'coronal', w * 0.1, y);
    const b = await imageToPage(page, 'coronal', w * 0.9, y + 40);
    await page.mouse.move(a.x, a.y);
    await page.mouse.down();
    await page.mouse.move(b.x, b.y, { steps: 150 });
    await page.mouse.up();
    const fps = await page.evaluate(() => {
      const s = (
        window as unknown as { spvFps: { frames: number; running: boolean; start: number } }
      ).spvFps;
      s.running = false;
      return (s.frames / (performance.now() - s.start)) * 1000;
    });
    runs.push(fps);
    await page.keyboard.press('Control+z');
  }
  return runs;
}

async function main(): Promise<void> {
  if (!existsSync(join(MODELS_DIR, 'manifest.json')) || !CHROMIUM_PATH) {
    console.error(
      `bench:ui needs models/manifest.json and Chromium (${CHROMIUM_PATH ?? 'not found'}); nothing measured.`,
    );
    process.exitCode = 2;
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'spv-bench-ui-'));
  let session: WebSession | undefined;
  try {
    session = await startWebSession(
      { width: 1600, height: 1000 },
      { allowedRoots: [SAMPLES_DIR, dir] },
    );
    const { host, page } = session;
    await page.goto(host.url);
    await settledVolume(page, {});
    await page.waitForFunction(
      () =>
        document.querySelector<HTMLElement>('[data-testid=viewer-coronal]')?.dataset.viewTransform,
    );
    const latency = await strokeLatencies(page);

    const large = await largeCase(dir);
    await page.keyboard.press('Control+o');
    await page.getByTestId('open-coronal').fill(large);
    await page.getByTestId('open-files').click();
    await page.waitForFunction(
      () =>
        document.querySelector('[data-testid=viewer-coronal]')?.getAttribute('data-image-size') ===
        '1024,768',
    );
    await settledVolume(page, {});
    const fps = await paintingFps(page);

    const rows = [
      ['stroke end → estimate (in app)', latency.inApp, 150, 'ms', 'p95 ≤'],
      ['  of which the engine (elapsedMs)', latency.engine, 150, 'ms', 'p95 ≤'],
      ['stroke end → estimate shown (Playwright)', latency.endToEnd, 150, 'ms', 'p95 ≤'],
      ['painting fps, 1024×768', fps, 50, 'fps', 'median ≥'],
    ] as const;
    console.log(
      `\nUI bench (${STROKES} strokes, ${fps.length} painting runs; Chromium headless, real engine and models)\n`,
    );
    console.log('| metric | median | p95 | target | ok |');
    console.log('| --- | ---: | ---: | --- | --- |');
    for (const [name, values, target, unit, rule] of rows) {
      const median = quantile([...values], 0.5);
      const p95 = quantile([...values], 0.95);
      const ok = rule === 'p95 ≤' ? p95 <= target : median >= target;
      console.log(
        `| ${name} | ${median.toFixed(1)} ${unit} | ${p95.toFixed(1)} ${unit} | ${rule} ${target} ${unit} | ${ok ? 'yes' : 'NO'} |`,
      );
    }
  } finally {
    await session?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.env.SPV_BENCH_NO_MAIN !== '1') void main();
