/**
 * The viewer across case switches, in Chromium through the web host: a gesture still held when
 * another case opens belongs to the case left behind, and nothing of it may reach the next one (a
 * stroke's undo painted the old stroke onto the new case, and saved it). Also what the side panel
 * says with no case open, and a read-only banner that stays in sight however the panel scrolls.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebHost } from '../../main/http-server';
import { imageToPage, maskCentre, settledVolume } from './workstation-flow';
import {
  REPO_ROOT,
  SAMPLES_DIR,
  startWebSession,
  webSessionSkipReason,
  type WebSession,
} from './web-session';

const skip = webSessionSkipReason('switch-safety', [join(SAMPLES_DIR, 'index.csv')]) !== null;

describe.skipIf(skip)('a case switch in the middle of a gesture, in Chromium', () => {
  let session: WebSession | undefined;
  let host: WebHost;
  let page: Page;

  beforeAll(async () => {
    session = await startWebSession({ width: 1366, height: 768 });
    ({ host, page } = session);
    await page.goto(host.url);
    await page.getByTestId('viewer-coronal').waitFor({ timeout: 60_000 });
    await settledVolume(page, {});
  });

  afterAll(async () => session?.close());

  const viewer = () => page.getByTestId('viewer-coronal');
  const pixels = async () => Number(await viewer().getAttribute('data-mask-pixels'));
  const blur = () => page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());

  /** Presses on the coronal mask and drags across it with the current tool; the button stays down. */
  async function pressAndDrag(): Promise<void> {
    await page.waitForFunction(
      () => document.querySelector<HTMLElement>('[data-testid=viewer-coronal]')?.dataset.maskCentre,
    );
    const [cx, cy] = await maskCentre(page, 'coronal');
    const a = await imageToPage(page, 'coronal', cx - 20, cy);
    const b = await imageToPage(page, 'coronal', cx + 20, cy + 10);
    await page.mouse.move(a.x, a.y);
    await page.mouse.down();
    await page.mouse.move(b.x, b.y, { steps: 8 });
  }

  /**
   * Opens bundled sample `id` with the keyboard and the open dialog, never the mouse (its button is
   * held), and waits until its masks and estimate are in.
   */
  async function openSampleWithButtonHeld(id: string): Promise<void> {
    await page.keyboard.press('Control+o');
    await page.getByTestId('sample-select').selectOption(id);
    await page.getByTestId('open-sample').evaluate((b) => (b as HTMLButtonElement).click());
    await page
      .locator('.viewer-label', { hasText: `Coronal · ${id}` })
      .waitFor({ timeout: 60_000 });
    await page.waitForFunction(
      () => document.querySelector<HTMLElement>('[data-testid=viewer-coronal]')?.dataset.maskBox,
      undefined,
      { timeout: 60_000 },
    );
    await settledVolume(page, {});
  }

  it('leaves no stroke of the case left behind for Ctrl+Z to paint onto the next one', async () => {
    await blur();
    await page.keyboard.press('e');
    await page.getByTestId('brush-size').fill('12');
    await blur();
    await pressAndDrag();
    await openSampleWithButtonHeld('sample-02');
    const opened = await pixels();
    const volumeOpened = await settledVolume(page, {});
    expect(await page.getByTestId('undo').isDisabled()).toBe(true);

    await blur();
    await page.keyboard.press('Control+z');
    expect(await pixels()).toBe(opened);
    await page.mouse.up();
    expect(await page.getByTestId('undo').isDisabled()).toBe(true);
    await page.keyboard.press('Control+z');
    expect(await pixels()).toBe(opened);
    expect(await settledVolume(page, {})).toBe(volumeOpened);
  });

  it('places no caliper drawn on the case left behind on the next one', async () => {
    await blur();
    await page.keyboard.press('m');
    await pressAndDrag();
    await openSampleWithButtonHeld('sample-03');
    const c = await imageToPage(page, 'coronal', 40, 40);
    await page.mouse.move(c.x, c.y, { steps: 4 });
    await page.mouse.up();
    expect(await page.getByTestId('remove-caliper-length').count()).toBe(0);
    expect(await page.getByTestId('caliper-length').innerText()).not.toMatch(/\d/);
    expect(await page.getByTestId('undo').isDisabled()).toBe(true);
  });

  it('says that no case is open after a reload, not that the image lacks a calibration', async () => {
    await page.reload();
    await page.keyboard.press('Escape');
    const notice = page.getByTestId('no-case');
    await notice.waitFor({ timeout: 30_000 });
    expect(await notice.innerText()).toMatch(/No case open: open one with Open… \(Ctrl\+O\)/);
    expect(await page.getByTestId('no-volume').count()).toBe(0);
  });

  it('keeps the read-only banner in sight when the side panel is scrolled', async () => {
    // The app's own style sheets on the side panel's markup (App.tsx): a long Review tab scrolled
    // down to the worklist, as when a signed-off case is reopened from there.
    const css = ['renderer/styles.css', 'renderer/review/review.css']
      .map((p) => readFileSync(join(REPO_ROOT, p), 'utf8'))
      .join('\n');
    const probe = await session!.browser.newPage({ viewport: { width: 1366, height: 768 } });
    await probe.setContent(
      `<style>${css}</style>
      <div class="app"><main class="workspace"><div class="viewers"></div>
        <aside class="side" data-testid="side" style="height: 600px">
          <h1 class="case-title">sample-02</h1>
          <div class="read-only-banner" data-testid="read-only-banner">Read-only. Signed off.</div>
          <div class="volume">121 mL</div>
          <div style="height: 2400px">Review tab</div>
        </aside>
      </main></div>`,
    );
    await probe.getByTestId('side').evaluate((side) => side.scrollTo(0, 1500));
    const side = (await probe.getByTestId('side').boundingBox())!;
    const banner = (await probe.getByTestId('read-only-banner').boundingBox())!;
    expect(banner.y).toBeGreaterThanOrEqual(side.y);
    expect(banner.y + banner.height).toBeLessThanOrEqual(side.y + side.height);
    await probe.close();
  });
});
