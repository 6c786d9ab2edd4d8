/**
 * The viewer audit's findings, driven in Chromium through the web host at 1366×768 as a reader
 * would: the coronal outline erased to a sliver is said at the volume with what to do and goes
 * once the outline is corrected; the Open dialog works from the keyboard; a caliper's label keeps
 * its unit at the image's edge.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebHost } from '../../main/http-server';
import { dragPath, imageToPage, settledVolume, shot } from './workstation-flow';
import { CHROMIUM_PATH, REPO_ROOT, startWebSession, type WebSession } from './web-session';

const MODELS = join(REPO_ROOT, 'models');
const skipReason = !CHROMIUM_PATH
  ? 'Chromium is not installed (/usr/lib/chromium/chromium)'
  : !existsSync(join(MODELS, 'manifest.json'))
    ? 'models/manifest.json is missing'
    : null;
if (skipReason) console.warn(`e2e viewer audit tests skipped: ${skipReason}`);

async function maskBox(page: Page): Promise<[number, number, number, number]> {
  const box = await page.getByTestId('viewer-coronal').getAttribute('data-mask-box');
  if (!box) throw new Error('The coronal mask is empty');
  const [x0, y0, x1, y1] = box.split(',').map(Number);
  return [x0, y0, x1, y1];
}

describe.skipIf(skipReason !== null)('viewer audit in Chromium at 1366×768', () => {
  let session: WebSession | undefined;
  let host: WebHost;
  let page: Page;

  beforeAll(async () => {
    session = await startWebSession({ width: 1366, height: 768 });
    ({ host, page } = session);
    await page.goto(host.url);
    await page.getByTestId('viewer-coronal').waitFor({ timeout: 60_000 });
  });

  afterAll(async () => session?.close());

  it('says at the volume that a sliver is no spleen, what to do, and clears it once corrected', async () => {
    const aiVolume = await settledVolume(page, {});
    // Lasso − above and below a 5-pixel band across the middle of the AI's outline: a sliver.
    const [x0, y0, x1, y1] = await maskBox(page);
    const mid = Math.round((y0 + y1) / 2);
    await page.getByTestId('tool-lasso-cut').click();
    const cut = async (top: number, bottom: number) =>
      dragPath(page, 'coronal', [
        [x0 - 5, top],
        [x1 + 5, top],
        [x1 + 5, bottom],
        [x0 - 5, bottom],
        [x0 - 5, top],
      ]);
    await cut(y0 - 5, mid - 2);
    const halfCut = await settledVolume(page, { notEqual: aiVolume });
    await cut(mid + 3, y1 + 5);
    await settledVolume(page, { notEqual: halfCut });
    const caveat = page.getByTestId('summary-outline-caveat');
    await caveat.waitFor({ timeout: 60_000 });
    await shot(page, 'viewer-audit-01-sliver');
    // What is wrong and what to do, in the viewer's own words, in sight without scrolling.
    await expect(caveat.innerText()).resolves.toMatch(
      /coronal outline is not a spleen's shape: correct it on the image \(brush, Lasso \+, Undo or Reset to AI\)/,
    );
    expect(await caveat.isVisible()).toBe(true);
    const box = await caveat.boundingBox();
    expect(box && box.y + box.height).toBeLessThanOrEqual(768);
    expect(await page.getByTestId('volume-ml').getAttribute('data-unverified')).toBe('true');
    await expect(page.getByTestId('comparison-outline-caveat').innerText()).resolves.toMatch(
      /mean nothing until the outline is corrected/,
    );

    // Corrected (here: back to the AI's outline): the caveat and the "?" go, the number is the AI's.
    await page.getByTestId('reset-ai').click();
    await settledVolume(page, { equal: aiVolume });
    expect(await page.getByTestId('summary-outline-caveat').count()).toBe(0);
    expect(await page.getByTestId('comparison-outline-caveat').count()).toBe(0);
    expect(await page.getByTestId('volume-ml').getAttribute('data-unverified')).toBeNull();
  });

  it('opens the Open dialog with the focus in it, and Escape closes it', async () => {
    await page.keyboard.press('Control+o');
    await page.getByTestId('open-dialog').waitFor();
    const focused = await page.evaluate(() => document.activeElement?.getAttribute('data-testid'));
    expect(focused).toBe('sample-select');
    expect(await page.getByRole('combobox', { name: 'Bundled sample' }).count()).toBe(1);
    await page.keyboard.press('Escape');
    await page.getByTestId('open-dialog').waitFor({ state: 'detached' });
  });

  it('keeps a caliper label whole at the right of the image', async () => {
    // A length caliper ending 24 pixels from the right edge of sample-03's 384-pixel image.
    await page.keyboard.press('m');
    await dragPath(page, 'coronal', [
      [150, 150],
      [360, 150],
    ]);
    await expect(page.getByTestId('caliper-length').innerText()).resolves.toMatch(/cm/);
    // The label's text, as Konva drew it, lies left of the end point, inside the pane.
    const end = await imageToPage(page, 'coronal', 360, 150);
    const pane = await page.getByTestId('viewer-coronal').boundingBox();
    const label = await page.evaluate(() => {
      type KonvaNode = { text?: () => string; getClientRect(): { x: number; width: number } };
      type KonvaStage = { container(): HTMLElement; find(selector: string): KonvaNode[] };
      // Konva's own global (react-konva draws through it): the label's box as drawn.
      const konva = (window as unknown as { Konva?: { stages: KonvaStage[] } }).Konva;
      const stage = konva?.stages.find((s) =>
        s.container().closest('[data-testid=viewer-coronal]'),
      );
      const text = stage?.find('Text').find((n) => n.text?.().startsWith('length'));
      return text ? text.getClientRect() : null;
    });
    await shot(page, 'viewer-audit-02-caliper-label');
    expect(pane).not.toBeNull();
    expect(label).not.toBeNull();
    // Whole inside the pane (it ran past the pane's right edge, clipped, before).
    expect(pane!.x + label!.x + label!.width).toBeLessThanOrEqual(pane!.x + pane!.width);
    expect(pane!.x + label!.x + label!.width).toBeLessThanOrEqual(end.x);
  });
});
