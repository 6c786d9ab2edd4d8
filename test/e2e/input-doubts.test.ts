/**
 * The estimate's doubts about its inputs as a reader at a 1366×768 screen meets them, in Chromium
 * through the web host: views given the wrong way round (the transverse image opened as coronal)
 * and a depth-ruler calibration kept although 10× too small are questioned beside the verdicts,
 * without scrolling, and the caveat goes once the inputs are right.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebHost } from '../../main/http-server';
import { drag, settledVolume } from './workstation-flow';
import { SAMPLES_DIR, startWebSession, webSessionSkipReason, type WebSession } from './web-session';

const SCREEN = { width: 1366, height: 768 };
const UNCALIBRATED = join(SAMPLES_DIR, 'uncalibrated.png');
const skipReason = webSessionSkipReason('input-doubts', [
  join(SAMPLES_DIR, 'sample-05_coronal.png'),
  UNCALIBRATED,
]);

describe.skipIf(skipReason !== null)('input doubts at 1366×768 in Chromium', () => {
  let session: WebSession | undefined;
  let host: WebHost;
  let page: Page;

  beforeAll(async () => {
    session = await startWebSession(SCREEN);
    ({ host, page } = session);
  });

  afterAll(async () => session?.close());

  /** Opens files by path through the Open dialog, as a reader of the web host does. */
  async function openFiles(coronal: string, transverse = ''): Promise<void> {
    await page.getByTestId('open-case').click();
    await page.getByTestId('open-coronal').fill(coronal);
    await page.getByTestId('open-transverse').fill(transverse);
    await page.getByTestId('open-files').click();
  }

  /** Waits until the coronal viewer shows `name` (the case opened). */
  const showing = (name: string) =>
    page.locator('.viewer-label', { hasText: `Coronal · ${name}` }).waitFor({ timeout: 60_000 });

  /** The caveat's box lies inside the screen and inside the verdict block (no scrolling needed). */
  async function caveatOnScreen(): Promise<string> {
    const caveat = page.getByTestId('summary-input-caveat');
    const box = await caveat.boundingBox();
    const summary = await page.getByTestId('volume-summary').boundingBox();
    expect(box).not.toBeNull();
    expect(summary).not.toBeNull();
    expect(box!.y).toBeGreaterThanOrEqual(0);
    expect(box!.y + box!.height).toBeLessThanOrEqual(SCREEN.height);
    expect(box!.y).toBeGreaterThanOrEqual(summary!.y);
    expect(box!.y + box!.height).toBeLessThanOrEqual(summary!.y + summary!.height);
    return caveat.innerText();
  }

  it('says the views look swapped beside the verdict, and not once they are right', async () => {
    await page.goto(host.url);
    await page.getByTestId('open-case').waitFor({ timeout: 60_000 });
    // The transverse image given as coronal and the coronal one as transverse.
    await openFiles(
      join(SAMPLES_DIR, 'sample-05_transverse.png'),
      join(SAMPLES_DIR, 'sample-05_coronal.png'),
    );
    await showing('sample-05_transverse.png');
    await page.getByTestId('summary-input-caveat').waitFor({ timeout: 60_000 });
    const swapped = await settledVolume(page, {});
    expect(await caveatOnScreen()).toMatch(/views look swapped: check the inputs first/);
    expect((await page.getByTestId('estimate-warning').allInnerTexts()).join(' ')).toMatch(
      /the two images look swapped.*give the long-axis view as coronal/s,
    );

    await openFiles(
      join(SAMPLES_DIR, 'sample-05_coronal.png'),
      join(SAMPLES_DIR, 'sample-05_transverse.png'),
    );
    await showing('sample-05_coronal.png');
    const right = await settledVolume(page, { notEqual: swapped });
    // The swapped views' estimate is far below the right one (167 against 347 mL).
    expect(Number(right)).toBeGreaterThan(1.5 * Number(swapped));
    expect(await page.getByTestId('summary-input-caveat').count()).toBe(0);
    expect(await page.getByTestId('estimate-warning').count()).toBe(0);
  });

  it('questions a calibration kept although 10× too small, until it is redrawn right', async () => {
    await page.goto(host.url);
    await page.getByTestId('open-case').waitFor({ timeout: 60_000 });
    await openFiles(UNCALIBRATED);
    await page.getByTestId('calibration-dialog').waitFor({ timeout: 60_000 });
    await page.waitForFunction(
      () =>
        document.querySelector<HTMLElement>('[data-testid=viewer-coronal]')?.dataset.viewTransform,
    );
    // 200 px of the depth ruler given as 10.3 mm: a distance in cm typed as mm (0.05 mm/px).
    await drag(page, 'coronal', [300, 50], [300, 250]);
    await page.getByTestId('calibration-distance').fill('10.3');
    await page.getByTestId('calibration-apply').click();
    await page.getByTestId('calibration-warning').waitFor({ timeout: 60_000 });
    await page.getByTestId('calibration-keep').click();
    await page.getByTestId('summary-input-caveat').waitFor({ timeout: 60_000 });
    const kept = await settledVolume(page, {});
    expect(await caveatOnScreen()).toMatch(/coronal scale implausible; length implausible/);

    // Redrawn with the right distance (103 mm): the caveat goes.
    await page.getByTestId('recalibrate').click();
    await drag(page, 'coronal', [300, 50], [300, 250]);
    await page.getByTestId('calibration-distance').fill('103');
    await page.getByTestId('calibration-apply').click();
    await settledVolume(page, { notEqual: kept });
    await page.waitForFunction(
      () => !document.querySelector('[data-testid=summary-input-caveat]'),
      undefined,
      { timeout: 60_000 },
    );
    expect(await page.getByTestId('calibration-dialog').count()).toBe(0);
  });
});
