/**
 * Calipers and calibration wired in the workstation, in Chromium through the web host: a redrawn
 * transverse caliper replaces the kind the reader chose and never the other one, each caliper can be
 * removed (its × and Delete), a calibration starts with no distance, an implausible one is
 * questioned, the reader's own calibration can be redone, and the file's cannot.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebHost } from '../../main/http-server';
import { blur, drag, imageSize, maskCentre, settledVolume } from './workstation-flow';
import { SAMPLES_DIR, startWebSession, webSessionSkipReason, type WebSession } from './web-session';

const UNCALIBRATED = join(SAMPLES_DIR, 'uncalibrated.png');
const skipReason = webSessionSkipReason('calipers-calibration', [
  join(SAMPLES_DIR, 'index.csv'),
  UNCALIBRATED,
]);

describe.skipIf(skipReason !== null)('calipers and calibration in Chromium', () => {
  let session: WebSession | undefined;
  let host: WebHost;
  let page: Page;

  beforeAll(async () => {
    session = await startWebSession({ width: 1600, height: 1000 });
    ({ host, page } = session);
  });

  afterAll(async () => session?.close());

  const cell = (kind: string) => page.getByTestId(`caliper-${kind}`).innerText();
  const ellipsoid = async () =>
    (await page.getByTestId('formula-ellipsoid').getAttribute('data-value')) ?? '';
  /** Waits until the comparison cell of `kind` reads `expected` (a pattern) after an action. */
  const cellReads = (kind: string, expected: RegExp) =>
    page.waitForFunction(
      ({ kind, source }) =>
        new RegExp(source).test(
          document.querySelector(`[data-testid=caliper-${kind}]`)?.textContent ?? '',
        ),
      { kind, source: expected.source },
    );
  const waitTransform = (view: string) =>
    page.waitForFunction(
      (v) =>
        document.querySelector<HTMLElement>(`[data-testid=viewer-${v}]`)?.dataset.viewTransform,
      view,
    );

  it('redraws the chosen transverse kind only, and removes calipers by × and Delete', async () => {
    await page.goto(host.url);
    await page.getByTestId('viewer-transverse').waitFor({ timeout: 60_000 });
    await settledVolume(page, {});
    await waitTransform('transverse');
    await page.keyboard.press('m');
    expect(await page.getByTestId('caliper-kind-width').getAttribute('aria-checked')).toBe('true');

    const [cx, cy] = await maskCentre(page, 'coronal');
    await drag(page, 'coronal', [Math.max(2, cx - 100), cy], [cx + 100, cy]);
    await cellReads('length', /\d+\.\d cm/);
    const [tx, ty] = await maskCentre(page, 'transverse');
    const [tw, th] = await imageSize(page, 'transverse');
    const down = (d: number) => Math.min(th - 2, ty + d);
    await drag(page, 'transverse', [Math.max(2, tx - 60), ty], [Math.min(tw - 2, tx + 60), ty]);
    await cellReads('width', /\d+\.\d cm/);
    const width = await cell('width');
    // A bad thickness, then redrawn: the redraw replaces the thickness, not the older width.
    await drag(page, 'transverse', [tx, ty], [tx, down(4)]);
    await cellReads('thickness', /\d+\.\d cm/);
    const bad = await cell('thickness');
    /** Draws on the transverse view and waits until the cell of `kind` changes. */
    const redraw = async (kind: string, from: [number, number], to: [number, number]) => {
      const before = await page.getByTestId(`caliper-${kind}`).textContent();
      await drag(page, 'transverse', from, to);
      await page.waitForFunction(
        ({ kind, before }) =>
          document.querySelector(`[data-testid=caliper-${kind}]`)?.textContent !== before,
        { kind, before },
      );
    };
    await redraw('thickness', [tx, Math.max(2, ty - 30)], [tx, down(30)]);
    expect(await cell('thickness')).not.toBe(bad);
    expect(await cell('width')).toBe(width);

    // The reader picks the width: the next transverse caliper redraws it, the thickness stays.
    const thickness = await cell('thickness');
    await page.getByTestId('caliper-kind-width').click();
    await redraw('width', [Math.max(2, tx - 30), ty], [Math.min(tw - 2, tx + 30), ty]);
    expect(await cell('thickness')).toBe(thickness);

    // × removes the width and re-estimates at once: the ellipsoid falls back to the mask's width.
    await settledVolume(page, {});
    await page.getByTestId('formula-ellipsoid').waitFor();
    const withWidth = await ellipsoid();
    await page.getByTestId('remove-caliper-width').click();
    await cellReads('width', /^—$/);
    await page.waitForFunction(
      (before) =>
        document.querySelector('[data-testid=formula-ellipsoid]')?.getAttribute('data-value') !==
        before,
      withWidth,
    );

    // Delete removes the last caliper drawn (the thickness), only while the Caliper tool is active.
    await blur(page);
    await page.keyboard.press('Delete');
    await cellReads('thickness', /^—$/);
    await page.keyboard.press('b');
    await page.keyboard.press('Delete');
    expect(await cell('length')).toMatch(/\d+\.\d cm/);
    await page.keyboard.press('m');
    await page.keyboard.press('Backspace');
    await cellReads('length', /^—$/);
  });

  const openFiles = async (coronal: string, transverse = '') => {
    await page.keyboard.press('Control+o');
    await page.getByTestId('open-coronal').fill(coronal);
    await page.getByTestId('open-transverse').fill(transverse);
    await page.getByTestId('open-spacing').fill('');
    await page.getByTestId('open-files').click();
  };

  it('asks for the distance, questions an implausible calibration, and lets the reader redo it', async () => {
    await openFiles(UNCALIBRATED);
    const dialog = page.getByTestId('calibration-dialog');
    await dialog.waitFor({ timeout: 60_000 });
    await expect(page.getByTestId('calibration-why').innerText()).resolves.toMatch(
      /no volume can be computed until this view is calibrated/,
    );
    await waitTransform('coronal');
    await drag(page, 'coronal', [20, 20], [20, 220]);
    await page.getByTestId('calibration-line').filter({ hasText: 'px' }).waitFor();
    expect(await page.getByTestId('calibration-distance').inputValue()).toBe('');
    expect(await page.getByTestId('calibration-apply').isDisabled()).toBe(true);

    // The old default, 10 mm over 200 px: applied, but the dialog stays and asks to check it.
    await page.getByTestId('calibration-distance').fill('10');
    await page.getByTestId('calibration-apply').click();
    await page.getByTestId('calibration-warning').waitFor({ timeout: 30_000 });
    await expect(page.getByTestId('calibration-warning').innerText()).resolves.toMatch(
      /0\.050 mm per pixel.*length comes out at \d\.\d cm/s,
    );
    expect(await dialog.getAttribute('data-purpose')).toBe('recalibrate');

    // Redrawn with the right distance: accepted, the dialog closes.
    await drag(page, 'coronal', [20, 20], [20, 220]);
    await page.getByTestId('calibration-distance').fill('60');
    await page.getByTestId('calibration-apply').click();
    await dialog.waitFor({ state: 'detached', timeout: 30_000 });
    expect(Number(await settledVolume(page, {}))).toBeGreaterThan(0);

    // The reader's own calibration can be reopened, and kept.
    await page.getByTestId('recalibrate').click();
    await dialog.waitFor();
    expect(await dialog.getAttribute('data-purpose')).toBe('recalibrate');
    await page.getByTestId('calibration-keep').click();
    await dialog.waitFor({ state: 'detached' });
  });

  it('words an uncalibrated transverse view as left out, not as no volume', async () => {
    await openFiles(join(SAMPLES_DIR, 'sample-01_coronal.png'), UNCALIBRATED);
    await page.getByTestId('calibration-dialog').waitFor({ timeout: 60_000 });
    const why = await page.getByTestId('calibration-why').innerText();
    expect(why).toMatch(
      /the transverse view is not used until calibrated; the volume shown comes from the coronal view alone/,
    );
    expect(why).not.toMatch(/no volume can be computed/);
    expect(Number(await settledVolume(page, {}))).toBeGreaterThan(0);
  });

  it('does not offer to redraw a DICOM’s own calibration, and says why', async () => {
    await openFiles(join(SAMPLES_DIR, 'sample-03_coronal.dcm'));
    await settledVolume(page, {});
    const button = page.getByTestId('recalibrate');
    await button.waitFor();
    expect(await button.isDisabled()).toBe(true);
    expect(await page.getByTestId('recalibrate-why').getAttribute('title')).toMatch(
      /own calibration \(DICOM/,
    );
  });
});
