/**
 * End to end in Chromium through the web host (issue 4): the real engine, the real renderer bundle,
 * driven as a reader would. Screenshots of every step go to artifacts/e2e/ and are checked non-blank.
 */
import { copyFileSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebHost } from '../../main/http-server';
import { drag, runEditingTools, runMainFlow, settledVolume, shot } from './workstation-flow';
import {
  REPO_ROOT,
  SAMPLES_DIR,
  startWebSession,
  webSessionSkipReason,
  type WebSession,
} from './web-session';

const skipReason = webSessionSkipReason('workstation', [join(SAMPLES_DIR, 'index.csv')]);

/** The sample PNG that has no calibration sidecar (models/samples, see the data card). */
function uncalibratedPng(): string | null {
  const name = readdirSync(SAMPLES_DIR).find(
    (f) =>
      f.endsWith('.png') &&
      !f.includes('_mask') &&
      !existsSync(join(SAMPLES_DIR, f.replace(/\.png$/, '.json'))),
  );
  return name ? join(SAMPLES_DIR, name) : null;
}

describe.skipIf(skipReason !== null)('workstation in Chromium via the web host', () => {
  let session: WebSession | undefined;
  let host: WebHost;
  let page: Page;
  let aiPixels = 0;

  beforeAll(async () => {
    session = await startWebSession({ width: 1600, height: 1000 });
    ({ host, page } = session);
  });

  afterAll(async () => session?.close());

  it('opens the sample, edits, re-estimates live, undoes exactly, measures and compares', async () => {
    await page.goto(host.url);
    aiPixels = (await runMainFlow(page, 'web')).aiPixels;
    if (process.env.SPV_UPDATE_SCREENSHOT === '1')
      copyFileSync(
        join(REPO_ROOT, 'artifacts', 'e2e', 'web-04-caliper-formulas.png'),
        join(REPO_ROOT, 'docs', 'screenshot-main.png'),
      );
  });

  it('cuts and adds with the lasso, resets to AI, pans, zooms and switches overlay modes', async () => {
    await runEditingTools(page, 'web', aiPixels);
  });

  it('shows the explanation: PCA plot and distance from the training data', async () => {
    await page.getByTestId('tab-explain').click();
    await page.getByTestId('pca-plot').waitFor({ timeout: 60_000 });
    await expect(
      page.getByTestId('ood-warning').or(page.getByTestId('ood-ok')).innerText(),
    ).resolves.toMatch(/Mahalanobis/);
    await page.getByTestId('show-reconstruction').check();
    await shot(page, 'web-05-explain');
    await page.getByTestId('tab-compare').click();
  });

  it('opens an uncalibrated PNG with the calibration dialog and no mL before calibration', async () => {
    const png = uncalibratedPng();
    expect(png, 'models/samples should hold one PNG without a sidecar').not.toBeNull();
    await page.keyboard.press('Control+o');
    await page.getByTestId('open-coronal').fill(png as string);
    await page.getByTestId('open-files').click();
    await page.getByTestId('calibration-dialog').waitFor({ timeout: 60_000 });
    await page.getByTestId('no-volume').waitFor();
    const text = await page.locator('body').innerText();
    expect(text).not.toMatch(/\d\s*mL/);
    expect(await page.getByTestId('volume-ml').count()).toBe(0);
    await shot(page, 'web-06-uncalibrated');

    // Draw a known distance and calibrate: the volume appears only now.
    await page.waitForFunction(
      () =>
        document.querySelector<HTMLElement>('[data-testid=viewer-coronal]')?.dataset.viewTransform,
    );
    await drag(page, 'coronal', [20, 20], [20, 220]);
    await expect(page.getByTestId('calibration-line').innerText()).resolves.toMatch(
      /200\.0 px|19\d\.\d px|20\d\.\d px/,
    );
    await page.getByTestId('calibration-distance').fill('60');
    await page.getByTestId('calibration-apply').click();
    await page.getByTestId('calibration-dialog').waitFor({ state: 'detached', timeout: 30_000 });
    const v = await settledVolume(page, {});
    expect(Number(v)).toBeGreaterThan(0);
    await shot(page, 'web-07-calibrated');
  });

  it('keeps a DICOM’s own calibration over a typed spacing, and says so on the image', async () => {
    await page.keyboard.press('Control+o');
    await page.getByTestId('open-coronal').fill(join(SAMPLES_DIR, 'sample-03_coronal.dcm'));
    await page.getByTestId('open-spacing').fill('0.3');
    await page.getByTestId('open-files').click();
    const notice = page.getByTestId('viewer-notice-coronal');
    await notice.waitFor({ timeout: 60_000 });
    await expect(notice.innerText()).resolves.toMatch(/0\.3 × 0\.3 mm\/px was not used/);
    // The label shows the file's spacing, not the typed 0.300.
    await expect(page.getByTestId('viewer-coronal').innerText()).resolves.not.toMatch(
      /0\.300 mm\/px/,
    );
    await shot(page, 'web-12-dicom-spacing-notice');
  });
});
