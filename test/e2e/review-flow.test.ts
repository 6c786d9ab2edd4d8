/**
 * End to end in Chromium through the web host at 1366×768, the Review tab as a reader uses it (the
 * second audit of the review workflow): the case browser fits the side panel and marks cases with
 * things to check first; a case imported with its views named the wrong way round is obvious in
 * the worklist, Swap coronal ⇄ transverse (from the keyboard: its confirmation takes the focus, in
 * sight) puts it right without a reload (viewer images and outlines, volume, verdicts, worklist row
 * and check-first note, the status line), and it then signs off as any other case. A case whose AI
 * outline is uncertain: a brush stroke on that outline clears the item in the worklist too, Reset
 * to AI brings it back, and it signs off only through the step that names what to conclude, with
 * the confirm button off until it is ticked; the step takes the focus, in sight, and Escape closes
 * it.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebHost } from '../../main/http-server';
import { blur, dragPath, maskBox } from './workstation-flow';
import {
  SAMPLES_DIR,
  startStoreWebSession,
  webSessionSkipReason,
  type StoreWebSession,
} from './web-session';
import { caseIdByTitle, idle, showReviewPanel, waitStatus } from './review-harness';

const skipReason = webSessionSkipReason('review-flow', [join(SAMPLES_DIR, 'expected.json')]);

const READER = 'Dr. Review Flow';

/** What the shipped model gives each sample (models/samples/expected.json). */
interface ExpectedSample {
  volume_ml: number;
  true_volume_ml: number;
}

function expectedSample(id: string): ExpectedSample {
  const all = JSON.parse(readFileSync(join(SAMPLES_DIR, 'expected.json'), 'utf8')) as {
    image: Record<string, ExpectedSample>;
  };
  const found = all.image[id];
  if (!found) throw new Error(`models/samples/expected.json has no ${id}`);
  return found;
}

/**
 * A folder of cases to import: sample-05 with its coronal and transverse files (images and
 * sidecars) named the wrong way round, a normal sample-01, and sample-07 as shipped.
 */
function writeCasesFolder(dir: string): void {
  mkdirSync(dir, { recursive: true });
  const swapped = [
    ['coronal', 'transverse'],
    ['transverse', 'coronal'],
  ] as const;
  for (const [named, holds] of swapped) {
    copyFileSync(join(SAMPLES_DIR, `sample-05_${holds}.png`), join(dir, `sample-05_${named}.png`));
    const sidecar = JSON.parse(
      readFileSync(join(SAMPLES_DIR, `sample-05_${holds}.json`), 'utf8'),
    ) as Record<string, unknown>;
    writeFileSync(
      join(dir, `sample-05_${named}.json`),
      JSON.stringify({ ...sidecar, view: named }),
    );
  }
  for (const id of ['sample-01', 'sample-07'])
    for (const view of ['coronal', 'transverse'])
      for (const ext of ['png', 'json'])
        copyFileSync(join(SAMPLES_DIR, `${id}_${view}.${ext}`), join(dir, `${id}_${view}.${ext}`));
}

/** Opens the case in the viewer from its worklist row and waits for its outlines and volume. */
async function openCase(page: Page, caseId: string): Promise<void> {
  await showReviewPanel(page);
  await page.getByTestId(`worklist-row-${caseId}`).click();
  await page.getByTestId('action-open').click();
  await idle(page);
  await expect
    .poll(() => page.locator('h1.case-title').innerText(), { timeout: 60_000 })
    .not.toBe('');
  await settledVolume(page);
}

/** The test id of the focused element (null: none, or the page itself). */
const focused = (page: Page): Promise<string | null> =>
  page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? null);

/** Whether the element is wholly inside the window (1366×768), not below the fold. */
async function inSight(page: Page, testId: string): Promise<boolean> {
  const box = await page.getByTestId(testId).boundingBox();
  return (
    !!box && box.y >= 0 && box.y + box.height <= 768 && box.x >= 0 && box.x + box.width <= 1366
  );
}

/** The viewer's volume once no estimate is on its way. */
async function settledVolume(page: Page): Promise<number> {
  await page.waitForFunction(
    () => {
      const el = document.querySelector<HTMLElement>('[data-testid=volume-ml]');
      return !!el && el.dataset.value !== '' && !document.querySelector('[data-testid=updating]');
    },
    undefined,
    { timeout: 60_000 },
  );
  return Number(await page.getByTestId('volume-ml').getAttribute('data-value'));
}

const maskPixels = async (page: Page, view: 'coronal' | 'transverse'): Promise<string | null> =>
  page.getByTestId(`viewer-${view}`).getAttribute('data-mask-pixels');

describe.skipIf(skipReason !== null)('review flow: swapped views and check-first sign-off', () => {
  let dir: string;
  let session: StoreWebSession | undefined;
  let host: WebHost;
  let page: Page;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'spv-e2e-review-flow-'));
    writeCasesFolder(join(dir, 'cases'));
    session = await startStoreWebSession(
      { width: 1366, height: 768 },
      { dataDir: join(dir, 'data'), allowedRoots: [join(dir, 'cases')] },
    );
    ({ host, page } = session);
  });

  afterAll(async () => {
    await session?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('imports the folder (views of one case named the wrong way round) into a session', async () => {
    await page.goto(host.url);
    await showReviewPanel(page);
    await page.getByTestId('reader-name').fill(READER);
    await page.getByTestId('import-paths').fill(join(dir, 'cases'));
    await page.getByTestId('import-button').click();
    await expect
      .poll(() => page.getByTestId('import-report').innerText(), { timeout: 120_000 })
      .toMatch(/Imported 6 image\(s\) into 3 case\(s\)/);
    for (const title of ['sample-01', 'sample-05', 'sample-07'])
      ids[title] = await caseIdByTitle(page, title);
    // The case browser fits the side panel: no column cut off, the volume and its ⚠ in sight.
    const wrap = page.getByTestId('case-browser').locator('.review-table-wrap');
    const [scrollWidth, clientWidth] = await wrap.evaluate((e) => [e.scrollWidth, e.clientWidth]);
    expect(scrollWidth).toBeLessThanOrEqual(clientWidth);
    for (const title of ['sample-05', 'sample-07']) {
      const mark = page.getByTestId(`browser-check-first-${ids[title]!}`);
      expect(await mark.innerText()).toBe('⚠');
      expect(await mark.getAttribute('title')).toMatch(/^Check first: /);
      expect(await inSight(page, `browser-check-first-${ids[title]!}`)).toBe(true);
    }
    expect(await page.getByTestId(`browser-check-first-${ids['sample-01']!}`).count()).toBe(0);
    for (const id of Object.values(ids)) await page.getByTestId(`case-select-${id}`).check();
    await page.getByTestId('session-title').fill('audit2 session');
    await page.getByTestId('create-session').click();
    for (const id of Object.values(ids)) await waitStatus(page, id, 'ai-ready');
  });

  it('shows swapped views in the worklist, and Swap views puts everything right without a reload', async () => {
    const swapped = ids['sample-05']!;
    const expected = expectedSample('sample-05');
    // The worklist says it under the (too small) volume; the normal case says nothing.
    await expect(page.getByTestId(`worklist-check-first-${swapped}`).innerText()).resolves.toBe(
      '⚠ views look swapped',
    );
    expect(await page.getByTestId(`worklist-check-first-${ids['sample-01']!}`).count()).toBe(0);

    await openCase(page, swapped);
    const before = {
      volume: await settledVolume(page),
      coronal: await maskPixels(page, 'coronal'),
      transverse: await maskPixels(page, 'transverse'),
    };
    expect(before.volume).toBeLessThan(expected.true_volume_ml / 1.5);
    await expect(page.getByTestId('summary-classification').innerText()).resolves.toContain(
      'normal?',
    );

    await showReviewPanel(page);
    await page.getByTestId(`worklist-row-${swapped}`).click();
    await expect(page.getByTestId('action-swap-views').innerText()).resolves.toBe(
      '⚠ Swap coronal ⇄ transverse',
    );
    // From the keyboard: the confirmation opens in sight, named, with "Swap the views" focused.
    await page.getByTestId('action-swap-views').focus();
    await page.keyboard.press('Enter');
    const confirm = page.getByRole('dialog', { name: 'Swap the views of this case?' });
    await expect(confirm.innerText()).resolves.toContain(
      'The undo history of this case is cleared; swap again to swap back.',
    );
    expect(await focused(page)).toBe('swap-views-confirm-button');
    expect(await inSight(page, 'swap-views-confirm')).toBe(true);
    await page.keyboard.press('Enter');
    await idle(page);

    // The viewer: each image with its outline under its new label, and the volume of the shipped
    // model on the right views (the true volume inside its interval), verdicts settled.
    await expect
      .poll(() => maskPixels(page, 'coronal'), { timeout: 60_000 })
      .toBe(before.transverse);
    expect(await maskPixels(page, 'transverse')).toBe(before.coronal);
    const after = await settledVolume(page);
    expect(after).toBeCloseTo(expected.volume_ml, 0);
    const summary = await page.getByTestId('summary-classification').innerText();
    expect(summary).toContain('enlarged (adult volume ≤ 314 mL)');
    expect(summary).not.toContain('?');
    const [low, high] = (await page.getByTestId('volume-ci').innerText())
      .match(/(\d+)–(\d+) mL/)!
      .slice(1)
      .map(Number);
    expect(low).toBeLessThan(expected.true_volume_ml);
    expect(high).toBeGreaterThan(expected.true_volume_ml);

    // The status line says what happened, not that the case was opened.
    await expect
      .poll(() => page.getByTestId('status-bar').innerText(), { timeout: 30_000 })
      .toContain('Views swapped: sample-05');

    // The Review tab, without a reload: the row's volume and its note, the case's note, the button.
    await showReviewPanel(page);
    // The swap button has the focus back.
    await expect.poll(() => focused(page), { timeout: 30_000 }).toBe('action-swap-views');
    expect(await page.getByTestId(`worklist-check-first-${swapped}`).count()).toBe(0);
    await expect(page.getByTestId(`worklist-row-${swapped}`).innerText()).resolves.toContain(
      `${after.toFixed(0)} mL`,
    );
    expect(await page.getByTestId('case-check-first').count()).toBe(0);
    await expect(page.getByTestId('action-swap-views').innerText()).resolves.toBe(
      'Swap coronal ⇄ transverse',
    );

    // Nothing left to check: Sign off signs off at once, and the swap is then off with the reason.
    await page.getByTestId('action-sign-off').click();
    await waitStatus(page, swapped, 'signed-off');
    expect(await page.getByTestId('sign-off-checks').count()).toBe(0);
    expect(await page.getByTestId('action-swap-views').isDisabled()).toBe(true);
    expect(await page.getByTestId('action-swap-views').getAttribute('title')).toBe(
      'Signed off: unlock it with a reason to swap its views.',
    );
  });

  it('follows the viewer: a stroke on the uncertain outline clears it in the worklist, Reset to AI brings it back', async () => {
    const uncertain = ids['sample-07']!;
    await expect(page.getByTestId(`worklist-check-first-${uncertain}`).innerText()).resolves.toBe(
      '⚠ uncertain AI transverse outline',
    );
    await openCase(page, uncertain);
    await expect(page.getByTestId('summary-classification').innerText()).resolves.toContain(
      'enlarged? (adult volume ≤ 314 mL)',
    );

    // One brush stroke across the left edge of the transverse outline.
    const [x0, y0, , y1] = await maskBox(page, 'transverse');
    const middle = Math.round((y0 + y1) / 2);
    await blur(page);
    await page.keyboard.press('b');
    await dragPath(page, 'transverse', [
      [x0 - 12, middle],
      [x0 + 20, middle],
    ]);
    const edited = await settledVolume(page);
    await expect(page.getByTestId('summary-classification').innerText()).resolves.not.toContain(
      '?',
    );
    await showReviewPanel(page);
    await expect
      .poll(() => page.getByTestId(`worklist-check-first-${uncertain}`).count(), {
        timeout: 30_000,
      })
      .toBe(0);
    await expect(page.getByTestId(`worklist-row-${uncertain}`).innerText()).resolves.toContain(
      `${edited.toFixed(0)} mL`,
    );
    expect(await page.getByTestId('case-check-first').count()).toBe(0);

    // Reset to AI: the AI's outline, and with it the item to check.
    await page.getByRole('button', { name: 'Reset to AI' }).click();
    await expect
      .poll(() => page.getByTestId('summary-classification').innerText(), { timeout: 60_000 })
      .toContain('enlarged?');
    await settledVolume(page);
    await expect
      .poll(() => page.getByTestId(`worklist-check-first-${uncertain}`).count(), {
        timeout: 30_000,
      })
      .toBe(1);
    await expect(page.getByTestId('case-check-first').innerText()).resolves.toContain(
      'uncertain AI transverse outline',
    );
  });

  it('signs off an uncertain AI outline only once the reader ticks the named item', async () => {
    const uncertain = ids['sample-07']!;
    await showReviewPanel(page);
    await page.getByTestId(`worklist-row-${uncertain}`).click();
    // From the keyboard: the step opens in sight, named, its first box focused; Escape closes it
    // and Sign off has the focus again.
    await page.getByTestId('action-sign-off').focus();
    await page.keyboard.press('Enter');
    await page.getByRole('group', { name: 'Before signing off' }).waitFor();
    expect(await focused(page)).toBe('sign-off-check-0');
    expect(await inSight(page, 'sign-off-checks')).toBe(true);
    await page.keyboard.press('Escape');
    expect(await page.getByTestId('sign-off-checks').count()).toBe(0);
    await expect.poll(() => focused(page)).toBe('action-sign-off');

    await page.keyboard.press('Enter');
    const check = page.getByTestId('sign-off-check-0');
    const confirm = page.getByTestId('sign-off-confirm');
    await expect(check.evaluate((e: HTMLInputElement) => e.labels?.[0]?.textContent)).resolves.toBe(
      " I have checked the AI's transverse outline against the image.",
    );
    await expect(page.getByTestId('sign-off-remedy-0').innerText()).resolves.toBe(
      'Correct it in the viewer if it is wrong (an edited outline clears this).',
    );
    expect(await confirm.isDisabled()).toBe(true);
    expect(await confirm.getAttribute('title')).toBe(
      'Tick what you have checked first: uncertain AI transverse outline',
    );
    await check.check();
    expect(await confirm.isEnabled()).toBe(true);
    await confirm.click();
    await waitStatus(page, uncertain, 'signed-off');
    // Signed off, the note says it was asked and where the confirmation is recorded.
    await expect(page.getByTestId('case-check-first').innerText()).resolves.toContain(
      'What the sign-off confirmed is in the audit log.',
    );
  });
});
