/**
 * End to end in Chromium through the web host at 1366×768, the parts of a clinic day that meet in
 * the Review tab (found by playing a whole day through the app): the time on each case the
 * worklist shows is the time the store holds, the one the session summary and its CSV give, not
 * the time of the worklist's last full read; the session summary on screen follows Accept AI mask,
 * which makes a case reviewed (in the statistics) without changing its status or estimate; a
 * stored case calibrated by hand keeps its title in the viewer.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatDuration } from '../../renderer/review/worklist-nav';
import { drag } from './workstation-flow';
import {
  SAMPLES_DIR,
  startStoreWebSession,
  webSessionSkipReason,
  type StoreWebSession,
} from './web-session';
import { caseIdByTitle, idle, showReviewPanel } from './review-harness';

const skipReason = webSessionSkipReason('clinic-day');

const CASES = ['sample-01', 'sample-02', 'uncalibrated'];

function writeCasesFolder(dir: string): void {
  mkdirSync(dir, { recursive: true });
  copyFileSync(join(SAMPLES_DIR, 'uncalibrated.png'), join(dir, 'uncalibrated.png'));
  for (const id of ['sample-01', 'sample-02'])
    for (const view of ['coronal', 'transverse'])
      for (const ext of ['png', 'json'])
        copyFileSync(join(SAMPLES_DIR, `${id}_${view}.${ext}`), join(dir, `${id}_${view}.${ext}`));
}

/** The Time cell of a worklist row (its last cell). */
const worklistTime = (page: Page, caseId: string): Promise<string> =>
  page.getByTestId(`worklist-row-${caseId}`).locator('td').last().innerText();

describe.skipIf(skipReason !== null)(
  'clinic day: the viewer, the worklist and the summary agree',
  () => {
    let dir: string;
    let session: StoreWebSession | undefined;
    let page: Page;
    const ids: Record<string, string> = {};

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'spv-e2e-clinic-day-'));
      writeCasesFolder(join(dir, 'cases'));
      session = await startStoreWebSession(
        { width: 1366, height: 768 },
        { dataDir: join(dir, 'data'), allowedRoots: [join(dir, 'cases')] },
      );
      page = session.page;
    });

    afterAll(async () => {
      await session?.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('shows in the worklist the time stored when the reader moves on to another case', async () => {
      await page.goto(session!.host.url);
      await showReviewPanel(page);
      await page.getByTestId('reader-name').fill('Dr. Clinic Day');
      await page.getByTestId('import-run-ai').setChecked(false);
      await page.getByTestId('import-paths').fill(join(dir, 'cases'));
      await page.getByTestId('import-button').click();
      await expect
        .poll(() => page.getByTestId('import-report').innerText(), { timeout: 120_000 })
        .toMatch(/Imported 5 image\(s\) into 3 case\(s\)/);
      for (const title of CASES) {
        ids[title] = await caseIdByTitle(page, title);
        await page.getByTestId(`case-select-${ids[title]}`).check();
      }
      await page.getByTestId('session-title').fill('clinic day');
      await page.getByTestId('create-session').click();
      await idle(page);
      const first = ids['sample-01']!;
      const second = ids['sample-02']!;

      // The reader stays on the first case for over a second, then goes on to the second: the time
      // on the first is stored then (a second at least, so the row cannot read "0 s" by rounding).
      await page.getByTestId(`worklist-row-${first}`).click();
      await page.waitForTimeout(1_600);
      await page.getByTestId(`worklist-row-${second}`).click();
      const sessionId = (await session!.service.listSessions())[0]!.sessionId;
      const storedMs = async () =>
        (await session!.service.getSession({ sessionId })).worklist.find(
          (e) => e.case.caseId === first,
        )?.timeSpentMs ?? 0;
      await expect.poll(storedMs, { timeout: 30_000 }).toBeGreaterThanOrEqual(1_500);

      // The worklist row shows it, without a reload, as the summary does.
      const stored = formatDuration(await storedMs());
      expect(stored).not.toBe('0 s');
      await expect.poll(() => worklistTime(page, first), { timeout: 30_000 }).toBe(stored);
      await page.getByTestId('show-summary').click();
      await idle(page);
      const summaryRow = page.getByTestId(`summary-row-${first}`);
      await expect(summaryRow.locator('td').last().innerText()).resolves.toBe(stored);
    });

    it('reads the summary on screen again when the reader accepts the AI mask', async () => {
      // The summary is open (the test above); the reader opens the second case in the viewer.
      const second = ids['sample-02']!;
      await page.getByTestId(`worklist-row-${second}`).click();
      await page.getByTestId('action-open').click();
      await idle(page);
      const summary = page.getByTestId('session-summary');
      await expect
        .poll(() => summary.innerText(), { timeout: 60_000 })
        .toContain('sample-02 (opened, but the AI mask was neither accepted nor corrected)');

      await page.getByTestId(`worklist-row-${second}`).click();
      await page.getByTestId('action-accept').click();
      await idle(page);
      // Accepted, the case is reviewed: the summary counts it, as its export would.
      await expect
        .poll(() => summary.innerText(), { timeout: 30_000 })
        .toContain('Statistics cover the 1 reviewed case(s)');
      expect(await summary.innerText()).not.toContain('sample-02 (opened');
      const sessionId = (await session!.service.listSessions())[0]!.sessionId;
      const stored = await session!.service.sessionSummary({ sessionId });
      expect(stored.notReviewed.map((r) => r.caseId)).not.toContain(second);
    });

    it('keeps the case title in the viewer when the reader calibrates a stored case', async () => {
      const uncalibrated = ids['uncalibrated']!;
      await page.getByTestId(`worklist-row-${uncalibrated}`).click();
      await page.getByTestId('action-open').click();
      await idle(page);
      const title = page.locator('h1.case-title');
      await expect.poll(() => title.innerText(), { timeout: 60_000 }).toBe('uncalibrated');
      const dialog = page.getByTestId('calibration-dialog');
      await dialog.waitFor({ timeout: 60_000 });
      // 200 pixels of the depth ruler are 60 mm: 0.3 mm per pixel, a plausible scale.
      await drag(page, 'coronal', [20, 20], [20, 220]);
      await page.getByTestId('calibration-distance').fill('60');
      await page.getByTestId('calibration-apply').click();
      await dialog.waitFor({ state: 'detached', timeout: 30_000 });
      await expect
        .poll(() => page.getByTestId('viewer-coronal').innerText(), { timeout: 30_000 })
        .toMatch(/0\.300 mm\/px/);
      // The title the worklist gives it, not the engine's name for it (the coronal file's name).
      expect(await title.innerText()).toBe('uncalibrated');
      await expect(page.getByTestId(`worklist-row-${uncalibrated}`).innerText()).resolves.toContain(
        'uncalibrated',
      );
    });
  },
);
