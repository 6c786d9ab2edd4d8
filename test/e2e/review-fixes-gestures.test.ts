/**
 * A brush stroke that never gets its release, in Chromium through the web host: a pen or touch the
 * system cancels, or a pointer capture lost mid-stroke. The viewer must still record the stroke,
 * or its mask stays "being stroked" and undo refuses for good ("finish the stroke first").
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebHost } from '../../main/http-server';
import { imageToPage, maskCentre, settledVolume } from './workstation-flow';
import { SAMPLES_DIR, startWebSession, webSessionSkipReason, type WebSession } from './web-session';

const skipReason = webSessionSkipReason('review-fixes-gestures', [join(SAMPLES_DIR, 'index.csv')]);

describe.skipIf(skipReason !== null)('a stroke that ends without a release, in Chromium', () => {
  let session: WebSession | undefined;
  let host: WebHost;
  let page: Page;

  beforeAll(async () => {
    session = await startWebSession({ width: 1400, height: 900 });
    ({ host, page } = session);
    await page.goto(host.url);
    await page.getByTestId('viewer-coronal').waitFor({ timeout: 60_000 });
    await settledVolume(page, {});
    await page.waitForFunction(
      () =>
        document.querySelector<HTMLElement>('[data-testid=viewer-coronal]')?.dataset.viewTransform,
    );
    // Remember the id of the pointer each press uses, to end that pointer's gesture below.
    await page.evaluate(() =>
      window.addEventListener(
        'pointerdown',
        (e) => document.body.setAttribute('data-last-pointer', String(e.pointerId)),
        true,
      ),
    );
    await page.keyboard.press('e');
    await page.getByTestId('brush-size').fill('14');
  });

  afterAll(async () => session?.close());

  const pixels = async () =>
    Number(await page.getByTestId('viewer-coronal').getAttribute('data-mask-pixels'));

  /** Presses and erases across the spleen, the button still held; the pixels before. */
  async function eraseAndHold(): Promise<number> {
    const before = await pixels();
    const [cx, cy] = await maskCentre(page, 'coronal');
    const a = await imageToPage(page, 'coronal', cx - 15, cy);
    const b = await imageToPage(page, 'coronal', cx + 15, cy);
    await page.mouse.move(a.x, a.y);
    await page.mouse.down();
    await page.mouse.move(b.x, b.y, { steps: 8 });
    // The pane publishes its pixel count when a stroke is recorded, not while it is painted.
    return before;
  }

  /** Ctrl+Z: the stroke is undone (not refused), and the late release changes nothing more. */
  async function undoWorks(before: number): Promise<void> {
    await page.keyboard.press('Control+z');
    await page.waitForFunction(
      (n) =>
        document.querySelector<HTMLElement>('[data-testid=viewer-coronal]')?.dataset.maskPixels ===
          String(n) || /finish the stroke first/.test(document.body.textContent ?? ''),
      before,
      { timeout: 30_000 },
    );
    expect(await page.getByTestId('status-bar').innerText()).not.toMatch(/finish the stroke/);
    expect(await pixels()).toBe(before);
    await page.mouse.up();
    expect(await pixels()).toBe(before);
  }

  it('records a stroke the system cancels, and undo undoes it', async () => {
    const before = await eraseAndHold();
    await page.evaluate(() => {
      const pointerId = Number(document.body.getAttribute('data-last-pointer'));
      document
        .querySelector('[data-testid=viewer-coronal] canvas')
        ?.dispatchEvent(new PointerEvent('pointercancel', { pointerId, bubbles: true }));
    });
    await page.waitForFunction(
      (n) =>
        document.querySelector<HTMLElement>('[data-testid=viewer-coronal]')?.dataset.maskPixels !==
        String(n),
      before,
    );
    await undoWorks(before);
  });

  it('records a stroke whose pointer capture is lost, and undo undoes it', async () => {
    const before = await eraseAndHold();
    await page.evaluate(() => {
      const pointerId = Number(document.body.getAttribute('data-last-pointer'));
      for (const canvas of document.querySelectorAll('[data-testid=viewer-coronal] canvas'))
        if (canvas.hasPointerCapture(pointerId)) canvas.releasePointerCapture(pointerId);
    });
    // Chromium delivers the lost capture with the pointer's next event.
    const [cx, cy] = await maskCentre(page, 'coronal');
    const c = await imageToPage(page, 'coronal', cx + 16, cy);
    await page.mouse.move(c.x, c.y);
    await page.waitForFunction(
      (n) =>
        document.querySelector<HTMLElement>('[data-testid=viewer-coronal]')?.dataset.maskPixels !==
        String(n),
      before,
      { timeout: 30_000 },
    );
    await undoWorks(before);
  });
});
