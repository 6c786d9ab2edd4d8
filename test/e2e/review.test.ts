/**
 * End to end in Chromium through the web host (issue 5): import the samples, run a 3-case review
 * session (accept one, correct one in the viewer, flag one), sign off, export the session summary
 * and one report, and read the exports back. Sign-off is offered only for the case in the viewer,
 * and a signed-off case in the viewer refuses edits. Screenshots go to artifacts/e2e/review-*.png.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebHost } from '../../main/http-server';
import type { StoreService } from '../../src/store-service/service';
import { dragPath, imageSize, maskBox, shot } from './workstation-flow';
import {
  SAMPLES_DIR,
  startStoreWebSession,
  webSessionSkipReason,
  type StoreWebSession,
} from './web-session';
import { caseIdByTitle, idle, showReviewPanel, waitStatus } from './review-harness';

const skipReason = webSessionSkipReason('review', [join(SAMPLES_DIR, 'index.csv')]);

const READER = 'Dr. E2E';

function saveDataUrl(dataUrl: string, path: string): Buffer {
  const bytes = Buffer.from(dataUrl.replace(/^data:[^;]+;base64,/, ''), 'base64');
  writeFileSync(path, bytes);
  return bytes;
}

describe.skipIf(skipReason !== null)('review session in Chromium via the web host', () => {
  let dir: string;
  let session: StoreWebSession | undefined;
  let service: StoreService;
  let host: WebHost;
  let page: Page;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'spv-e2e-review-'));
    session = await startStoreWebSession(
      { width: 1600, height: 1000 },
      { dataDir: join(dir, 'data'), allowedRoots: [SAMPLES_DIR] },
    );
    ({ service, host, page } = session);
  });

  afterAll(async () => {
    await session?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('imports, reviews three cases (accept, correct, flag), signs off and exports', async () => {
    await page.goto(host.url);
    await showReviewPanel(page);
    await page.getByTestId('reader-name').fill(READER);

    await page.getByTestId('import-paths').fill(SAMPLES_DIR);
    await page.getByTestId('import-button').click();
    await expect
      .poll(() => page.getByTestId('import-report').innerText(), { timeout: 120_000 })
      .toMatch(/Imported \d+ image\(s\) into \d+ case\(s\)/);
    await shot(page, 'review-01-imported');

    const [accept, correct, flag] = [
      await caseIdByTitle(page, 'sample-01'),
      await caseIdByTitle(page, 'sample-03'),
      await caseIdByTitle(page, 'sample-05'),
    ];
    for (const id of [accept, correct, flag]) await page.getByTestId(`case-select-${id}`).check();
    await page.getByTestId('session-title').fill('e2e session');
    await page.getByTestId('create-session').click();
    await page.getByTestId(`worklist-row-${flag}`).waitFor({ timeout: 30_000 });
    // The import ran the AI (the default): every case starts "AI ready" with a volume.
    for (const id of [accept, correct, flag]) await waitStatus(page, id, 'ai-ready');

    // Keyboard: the worklist moves with ↓/↑.
    await page.getByTestId(`worklist-row-${accept}`).click();
    await page.getByTestId('worklist').focus();
    await page.keyboard.press('ArrowDown');
    expect(await page.getByTestId(`worklist-row-${correct}`).getAttribute('aria-selected')).toBe(
      'true',
    );
    await page.keyboard.press('ArrowUp');
    expect(await page.getByTestId(`worklist-row-${accept}`).getAttribute('aria-selected')).toBe(
      'true',
    );

    // 1. Accept the AI's mask and sign off.
    await page.getByTestId('action-open').click();
    await waitStatus(page, accept, 'in-review');
    await idle(page);
    // The viewer names the case as the worklist does, and the worklist marks it.
    await expect.poll(() => page.locator('h1.case-title').innerText()).toBe('sample-01');
    expect(await page.getByTestId(`worklist-row-${accept}`).getAttribute('aria-current')).toBe(
      'true',
    );
    // Another row, never opened: its case cannot be accepted or signed off from here.
    await page.getByTestId(`worklist-row-${correct}`).click();
    expect(await page.getByTestId('action-sign-off').isDisabled()).toBe(true);
    expect(await page.getByTestId('action-sign-off').getAttribute('title')).toBe(
      'Open this case in the viewer to review it first',
    );
    expect(await page.getByTestId('action-accept').isDisabled()).toBe(true);
    await page.getByTestId(`worklist-row-${accept}`).click();
    await page.getByTestId('action-accept').click();
    await idle(page);
    await page.getByTestId('action-sign-off').click();
    await waitStatus(page, accept, 'signed-off');
    await shot(page, 'review-02-accepted-signed-off');

    // Signed off, the case in the viewer is read-only: no stroke changes its mask.
    await page.getByTestId('read-only-banner').waitFor({ timeout: 60_000 });
    await page.waitForFunction(
      () =>
        document.querySelector<HTMLElement>('[data-testid=viewer-coronal]')?.dataset.readOnly ===
          'true' &&
        document.querySelector<HTMLElement>('[data-testid=viewer-coronal]')?.dataset.maskBox,
      undefined,
      { timeout: 60_000 },
    );
    const signedPixels = await page.getByTestId('viewer-coronal').getAttribute('data-mask-pixels');
    // Pan is armed in place of the brush (shown disabled, not selected), and stays when the
    // eraser's key is refused: a drag looks around.
    await expect.poll(() => page.getByTestId('tool-pan').getAttribute('aria-pressed')).toBe('true');
    expect(await page.getByTestId('tool-brush').getAttribute('aria-pressed')).toBe('false');
    expect(await page.getByTestId('tool-brush').isDisabled()).toBe(true);
    await page.keyboard.press('e');
    const [sx0, sy0, sx1, sy1] = await maskBox(page, 'coronal');
    await dragPath(page, 'coronal', [
      [sx0, sy0],
      [sx1, sy1],
    ]);
    expect(await page.getByTestId('viewer-coronal').getAttribute('data-mask-pixels')).toBe(
      signedPixels,
    );
    await expect
      .poll(() => page.getByTestId('status-bar').innerText())
      .toContain('sample-01 is signed off: unlock it with a reason in the Review tab');
    expect(await page.getByTestId('tool-pan').getAttribute('aria-pressed')).toBe('true');
    expect(
      await page.getByTestId('viewer-coronal').evaluate((el) => (el as HTMLElement).style.cursor),
    ).toBe('grab');
    // A caliper is refused too: the lengths stay those the volume was signed off with.
    await page.getByTestId('tab-compare').click();
    const lengths = await page.getByTestId('lengths-table').innerText();
    await page.keyboard.press('m');
    await dragPath(page, 'coronal', [
      [sx0, (sy0 + sy1) / 2],
      [sx1, (sy0 + sy1) / 2],
    ]);
    expect(await page.getByTestId('lengths-table').innerText()).toBe(lengths);
    await page.keyboard.press('e');
    await showReviewPanel(page);
    expect((await service.getCase({ caseId: accept })).summary.status).toBe('signed-off');

    // 2. Correct in the viewer: the erase stroke's estimate is saved as a manual mask version.
    await page.getByTestId(`worklist-row-${correct}`).click();
    await page.getByTestId('action-open').click();
    await page
      .getByText(/sample-03_coronal\.png/)
      .first()
      .waitFor({ timeout: 60_000 });
    await page.waitForFunction(
      () =>
        document.querySelector<HTMLElement>('[data-testid=viewer-coronal]')?.dataset.viewTransform,
      undefined,
      { timeout: 60_000 },
    );
    await page.waitForFunction(
      () => document.querySelector<HTMLElement>('[data-testid=viewer-coronal]')?.dataset.maskBox,
      undefined,
      { timeout: 60_000 },
    );
    await page.keyboard.press('e');
    await page.getByTestId('brush-size').fill('14');
    const [width, height] = await imageSize(page, 'coronal');
    const [x0, y0, x1, y1] = await maskBox(page, 'coronal');
    const cx = Math.round((x0 + x1) / 2);
    const zigzag: [number, number][] = [];
    for (let y = Math.max(1, y0 - 5), k = 0; y <= Math.min(height - 2, y1 + 5); y += 8, k++) {
      zigzag.push(
        [k % 2 === 0 ? cx : Math.min(width - 2, x1 + 5), y],
        [k % 2 === 0 ? Math.min(width - 2, x1 + 5) : cx, y],
      );
    }
    await dragPath(page, 'coronal', zigzag);
    await expect
      .poll(async () => (await service.getCase({ caseId: correct })).summary.status, {
        timeout: 60_000,
      })
      .toBe('corrected');
    await showReviewPanel(page);
    // The worklist reloads with its session: re-select it to see the status the viewer's edit set.
    const sessionId = String(service.store.listSessions()[0].id);
    await page.getByTestId('session-select').selectOption('');
    await page.getByTestId('session-select').selectOption(sessionId);
    await waitStatus(page, correct, 'corrected');
    await page.getByTestId(`worklist-row-${correct}`).click();
    await page.getByTestId('action-sign-off').click();
    await waitStatus(page, correct, 'signed-off');
    await shot(page, 'review-03-corrected-signed-off');

    // 3. Flag with a comment.
    await page.getByTestId(`worklist-row-${flag}`).click();
    await page.getByTestId('action-open').click();
    await waitStatus(page, flag, 'in-review');
    await showReviewPanel(page);
    await page.getByTestId(`worklist-row-${flag}`).click();
    await page.getByTestId('flag-comment').fill('rib shadow over the lower pole');
    await page.getByTestId('action-flag').click();
    await waitStatus(page, flag, 'flagged');

    // Summary, its export, and one report.
    await page.getByTestId('show-summary').click();
    await page.getByTestId('session-summary').waitFor({ timeout: 120_000 });
    expect(await page.getByTestId('summary-plot').count()).toBeGreaterThanOrEqual(2);
    await page.getByTestId('export-session').click();
    const csvLink = page.getByTestId('download-summary.csv');
    await csvLink.waitFor({ timeout: 180_000 });
    const csv = saveDataUrl(
      (await csvLink.getAttribute('href'))!,
      join(dir, 'summary.csv'),
    ).toString();
    expect(csv.split('\n')).toHaveLength(5); // header + 3 cases + final newline
    expect(csv).toContain('rib shadow over the lower pole');
    expect(csv).toContain(READER);
    await shot(page, 'review-04-summary');

    await page.getByTestId(`worklist-row-${correct}`).click();
    await page.getByTestId('export-format').selectOption('pdf');
    await page.getByTestId('action-export').click();
    const pdfLink = page.locator('[data-testid=case-exports] a').first();
    await pdfLink.waitFor({ timeout: 120_000 });
    const pdfPath = join(dir, 'report.pdf');
    saveDataUrl((await pdfLink.getAttribute('href'))!, pdfPath);
    const text = execFileSync('pdftotext', [pdfPath, '-']).toString();
    expect(text).toContain('LOCAL-sample-03');
    expect(text).toContain(READER);
    expect(text).toMatch(/95% interval/);
    expect(readFileSync(pdfPath).subarray(0, 5).toString()).toBe('%PDF-');
    await shot(page, 'review-05-report-exported');
  });
});
