/**
 * Calibrating without a mouse (WCAG 2.1.1), in Chromium through the web host: the uncalibrated
 * sample is opened from the Open dialog and calibrated with the keyboard alone (the line placed,
 * its ends moved with the arrow keys, the distance typed), and a volume comes out. The Open and
 * calibration dialogs hold the focus while open.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebHost } from '../../main/http-server';
import { settledVolume } from './workstation-flow';
import { SAMPLES_DIR, startWebSession, webSessionSkipReason, type WebSession } from './web-session';

const UNCALIBRATED = join(SAMPLES_DIR, 'uncalibrated.png');
const skipReason = webSessionSkipReason('keyboard-calibration', [UNCALIBRATED]);

/** The data-testid of the element with the focus ('' when it has none). */
const focused = (page: Page) =>
  page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? '');

/** The line's ends as the live region says them: [[x0, y0], [x1, y1]] and the length. */
async function lineSaid(page: Page): Promise<{ ends: number[][]; px: number; text: string }> {
  const text = await page.getByTestId('calibration-line').innerText();
  const m = /Line ([\d.]+) px from \((\d+), (\d+)\) to \((\d+), (\d+)\)/.exec(text);
  if (!m) throw new Error(`The line is not described: ${text}`);
  const [px, x0, y0, x1, y1] = m.slice(1).map(Number);
  return {
    ends: [
      [x0, y0],
      [x1, y1],
    ],
    px,
    text,
  };
}

describe.skipIf(skipReason !== null)('calibrating with the keyboard only, in Chromium', () => {
  let session: WebSession | undefined;
  let host: WebHost;
  let page: Page;

  beforeAll(async () => {
    session = await startWebSession({ width: 1366, height: 768 });
    ({ host, page } = session);
  });

  afterAll(async () => session?.close());

  it('opens the uncalibrated sample and calibrates it with keys alone, giving a volume', async () => {
    await page.goto(host.url);
    await page.getByTestId('viewer-coronal').waitFor({ timeout: 60_000 });
    await settledVolume(page, {});

    // The Open dialog is modal: the focus is in it, Tab and Shift+Tab go round inside it.
    await page.keyboard.press('Control+o');
    await page.getByTestId('open-dialog').waitFor();
    expect(await page.getByTestId('open-dialog').getAttribute('aria-modal')).toBe('true');
    expect(await focused(page)).toBe('sample-select');
    await page.keyboard.press('Shift+Tab');
    expect(
      await page.evaluate(() => document.activeElement?.closest('[role=dialog]') !== null),
    ).toBe(true);
    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('sample-select');
    await page.keyboard.press('Tab'); // Open sample
    await page.keyboard.press('Tab'); // the coronal path
    expect(await focused(page)).toBe('open-coronal');
    await page.keyboard.type(UNCALIBRATED);
    await page.keyboard.press('Enter');

    // The calibration dialog takes the focus, on its keyboard way of drawing.
    const dialog = page.getByTestId('calibration-dialog');
    await dialog.waitFor({ timeout: 60_000 });
    expect(await dialog.getAttribute('aria-modal')).toBe('true');
    await page.waitForFunction(
      () => document.activeElement?.getAttribute('data-testid') === 'calibration-keyboard',
    );
    const [width, height] = (
      (await page.getByTestId('viewer-coronal').getAttribute('data-image-size')) ?? ''
    )
      .split(',')
      .map(Number);
    await page.keyboard.press('Enter');
    await page.getByTestId('calibration-line-editor').waitFor();
    expect(await focused(page)).toBe('calibration-line-editor');
    const placed = await lineSaid(page);
    // A vertical line in the image's left third, inside the image.
    expect(placed.ends[0][0]).toBe(placed.ends[1][0]);
    expect(placed.ends[0][0]).toBeLessThan(width / 3);
    expect(placed.ends[1][1]).toBeLessThan(height);
    expect(placed.text).toMatch(/arrow keys move end 2/);

    // End 2 goes down 20 px with Shift, up 3 px; then Space selects end 1, which goes down 1 px.
    await page.keyboard.press('Shift+ArrowDown');
    await page.keyboard.press('Shift+ArrowDown');
    for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowUp');
    await page.keyboard.press(' ');
    await page.keyboard.press('ArrowDown');
    const moved = await lineSaid(page);
    expect(moved.ends).toEqual([
      [placed.ends[0][0], placed.ends[0][1] + 1],
      [placed.ends[1][0], placed.ends[1][1] + 17],
    ]);
    expect(moved.text).toMatch(/arrow keys move end 1/);
    // Space switched ends only: it did not pan the view or press a button.
    expect(await focused(page)).toBe('calibration-line-editor');

    // Enter goes to the distance; 0.3 mm per pixel (a plausible scale), and Enter applies it.
    await page.keyboard.press('Enter');
    expect(await focused(page)).toBe('calibration-distance');
    await page.keyboard.type(((moved.px * 0.3) / 1).toFixed(1));
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'detached', timeout: 30_000 });
    expect(await page.getByTestId('calibration-warning').count()).toBe(0);
    const coronalLabel = await page.getByTestId('viewer-coronal').innerText();
    expect(coronalLabel).toMatch(/0\.30\d mm\/px/);
    expect(Number(await settledVolume(page, {}))).toBeGreaterThan(0);
  });

  it('lets a keyboard reader put a calibration off and resume it, and gives focus back', async () => {
    // Opened with a click, the Open dialog does not give the focus back to Open…: the reader's
    // next Space (held to pan) would press it and open the dialog again.
    await page.getByTestId('open-case').click();
    await page.getByTestId('open-dialog').waitFor();
    await page.keyboard.press('Escape');
    await page.getByTestId('open-dialog').waitFor({ state: 'detached' });
    expect(await focused(page)).not.toBe('open-case');
    await page.keyboard.press(' ');
    expect(await page.getByTestId('open-dialog').count()).toBe(0);

    // The Open dialog opened with Open… pressed from the keyboard gives the focus back to it.
    await page.getByTestId('open-case').focus();
    await page.keyboard.press('Enter');
    await page.getByTestId('open-dialog').waitFor();
    await page.keyboard.press('Escape');
    await page.getByTestId('open-dialog').waitFor({ state: 'detached' });
    expect(await focused(page)).toBe('open-case');

    await page.keyboard.press('Enter');
    await page.getByTestId('open-dialog').waitFor();
    await page.getByTestId('open-coronal').fill(UNCALIBRATED);
    await page.keyboard.press('Enter');
    const dialog = page.getByTestId('calibration-dialog');
    await dialog.waitFor({ timeout: 60_000 });
    await page.waitForFunction(
      () => document.activeElement?.getAttribute('data-testid') === 'calibration-keyboard',
    );
    // Escape puts it off: the dialog gives way to a button that brings it back, the focus goes
    // back to Open…, and the reader can reach the rest of the window.
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(await focused(page)).toBe('open-case');
    expect(await page.getByTestId('status-message').innerText()).toMatch(/put off/);
    await page.getByTestId('calibration-resume').focus();
    await page.keyboard.press('Enter');
    await dialog.waitFor();
    expect(await focused(page)).toBe('calibration-keyboard');
  });
});
