/**
 * The Review tab's second audit, end to end in Chromium through the web host at 1366×768 with real
 * files: a view imported into the case the viewer shows is shown there at once (its image and the
 * estimate of both views), so that the case signs off instead of being refused for a volume that
 * would never update; a file found again after it moved is said so in the import's result, not as a
 * bare "duplicate skipped"; a case the AI could not run on is not counted among the files not
 * imported; a case without a volume says why Sign off and Export are off and what to do; the
 * summary on screen follows the session's cases; an unlock from the keyboard leaves the focus on
 * Sign off; an import's earlier failure goes when it is tried again; and the session and case lists
 * keep to the side panel.
 */
import { copyFileSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebHost } from '../../main/http-server';
import type { StoreService } from '../../src/store-service/service';
import {
  SAMPLES_DIR,
  startStoreWebSession,
  webSessionSkipReason,
  type StoreWebSession,
} from './web-session';
import { caseIdByTitle, idle, showReviewPanel, waitStatus } from './review-harness';

const skipReason = webSessionSkipReason('review-audit2');

const READER = 'Dr. Review Audit Two';

/** Copies a sample image and its calibration sidecar (when it has one) into `dir`. */
function copySample(dir: string, name: string): void {
  copyFileSync(join(SAMPLES_DIR, `${name}.png`), join(dir, `${name}.png`));
  if (name !== 'uncalibrated')
    copyFileSync(join(SAMPLES_DIR, `${name}.json`), join(dir, `${name}.json`));
}

/** The viewer's volume once no estimate is on its way. */
async function settledVolume(page: Page): Promise<number> {
  await page.waitForFunction(
    () => {
      const el = document.querySelector<HTMLElement>('[data-testid=volume-ml]');
      return !!el && el.dataset.value !== '' && !document.querySelector('[data-testid=updating]');
    },
    undefined,
    { timeout: 90_000 },
  );
  return Number(await page.getByTestId('volume-ml').getAttribute('data-value'));
}

/** Imports `path` from the Review tab and waits for its result. */
async function importPath(page: Page, path: string): Promise<string> {
  await page.getByTestId('import-paths').fill(path);
  const answered = page.waitForResponse((r) => r.url().endsWith('/api/importPaths'), {
    timeout: 180_000,
  });
  await page.getByTestId('import-button').click();
  await answered;
  await idle(page);
  return page.getByTestId('import-report').innerText();
}

describe.skipIf(skipReason !== null)('review tab audit 2: imports into a reviewed case', () => {
  let dir: string;
  let cases: string;
  let session: StoreWebSession | undefined;
  let service: StoreService;
  let host: WebHost;
  let page: Page;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'spv-e2e-review-audit2-'));
    cases = join(dir, 'cases');
    mkdirSync(cases);
    for (const name of [
      'sample-01_coronal',
      'sample-01_transverse',
      'sample-02_coronal',
      'sample-02_transverse',
      // Its transverse view comes later, while the case is in the viewer.
      'sample-05_coronal',
      // No sidecar: no calibration, no volume.
      'uncalibrated',
    ])
      copySample(cases, name);
    session = await startStoreWebSession(
      { width: 1366, height: 768 },
      { dataDir: join(dir, 'data'), allowedRoots: [dir] },
    );
    ({ service, host, page } = session);
    await page.goto(host.url);
    await showReviewPanel(page);
    await page.getByTestId('reader-name').fill(READER);
    expect(await importPath(page, cases)).toMatch(/Imported 6 image\(s\) into 4 case\(s\)/);
    await page.getByRole('button', { name: 'Select shown' }).click();
    await page.getByTestId('session-title').fill('Audit two: a long session title for the list');
    await page.getByTestId('create-session').click();
    await page.getByTestId('worklist').waitFor({ timeout: 60_000 });
    await idle(page);
  });

  afterAll(async () => {
    await session?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('shows a view imported into the case in the viewer there, and signs it off', async () => {
    const caseId = await caseIdByTitle(page, 'sample-05');
    await page.getByTestId(`worklist-row-${caseId}`).click();
    await page.getByTestId('action-open').click();
    await idle(page);
    const coronalOnly = await settledVolume(page);
    await showReviewPanel(page);
    expect(await page.getByTestId('viewer-transverse').count()).toBe(0);

    copySample(cases, 'sample-05_transverse');
    expect(await importPath(page, join(cases, 'sample-05_transverse.png'))).toMatch(
      /Imported 1 image\(s\) into 1 case\(s\)/,
    );
    // The viewer shows the case as now stored: both views, and the volume on record.
    await page.getByTestId('viewer-transverse').waitFor({ timeout: 90_000 });
    await idle(page);
    const onRecord = (await service.listCases({})).find((c) => c.caseId === caseId)!.volumeMl!;
    expect(onRecord).not.toBeCloseTo(coronalOnly, 1);
    await expect.poll(() => settledVolume(page), { timeout: 90_000 }).toBeCloseTo(onRecord, 0);
    await expect
      .poll(() => page.getByTestId('status-bar').innerText(), { timeout: 30_000 })
      .toContain('Transverse view added: sample-05');
    await showReviewPanel(page);
    // The selection stayed where the reader had it, and the case is still the one in the viewer.
    await expect(
      page.getByTestId(`worklist-row-${caseId}`).getAttribute('aria-current'),
    ).resolves.toBe('true');

    // Before the fix the viewer still showed the coronal alone, and sign-off was refused for good.
    await page.getByTestId('action-sign-off').click();
    if ((await page.getByTestId('sign-off-checks').count()) > 0) {
      for (const box of await page.locator('[data-testid^=sign-off-check-]').all())
        await box.check();
      await page.getByTestId('sign-off-confirm').click();
    }
    await waitStatus(page, caseId, 'signed-off');
    expect(await page.getByTestId('review-errors').count()).toBe(0);
  });

  it('gives the focus to Sign off once the case is unlocked from the keyboard', async () => {
    const caseId = await caseIdByTitle(page, 'sample-05');
    await page.getByTestId('unlock-reason').focus();
    await page.keyboard.type('transverse view to measure again');
    await page.keyboard.press('Enter');
    await waitStatus(page, caseId, 'in-review');
    await idle(page);
    // Before the fix the Unlock form went with the lock, and the focus to the page.
    await expect
      .poll(() => page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? null))
      .toBe('action-sign-off');
  });

  it('drops an import’s earlier failure when the import is tried again', async () => {
    // Outside the folders the host may read: refused as a whole, said in the errors.
    await importPath(page, join(SAMPLES_DIR, 'sample-01_coronal.png'));
    await expect(page.getByTestId('review-errors').innerText()).resolves.toMatch(
      /Importing: .*outside the allowed case folders/,
    );
    await importPath(page, join(cases, 'sample-01_coronal.png'));
    // Before the fix the refusal stayed above this import's result, as if it were about it.
    expect(await page.getByTestId('review-errors').count()).toBe(0);
    await expect(page.getByTestId('import-report').innerText()).resolves.toMatch(
      /Imported 0 image\(s\) into 0 case\(s\)/,
    );
  });

  it('says that a moved file was found again, naming its case', async () => {
    const moved = join(dir, 'moved');
    mkdirSync(moved);
    for (const ext of ['png', 'json'])
      renameSync(join(cases, `sample-02_coronal.${ext}`), join(moved, `sample-02_coronal.${ext}`));
    const caseId = await caseIdByTitle(page, 'sample-02');
    await importPath(page, moved);
    const found = page.getByTestId('import-moved');
    await expect(found.innerText()).resolves.toContain('Found again after it moved');
    // From the report's own field (relocated): the case and view, and where the file was.
    await expect(found.innerText()).resolves.toContain(
      `${join(moved, 'sample-02_coronal.png')} (case ${caseId}, coronal), was ${join(cases, 'sample-02_coronal.png')}`,
    );
    // Not a copy left out: no duplicate is listed as skipped.
    expect(await page.getByTestId('import-report').innerText()).not.toMatch(/duplicate/);
  });

  it('opens the case whose file was found again, and says that its AI mask was accepted', async () => {
    const caseId = await caseIdByTitle(page, 'sample-02');
    await page.getByTestId(`worklist-row-${caseId}`).click();
    await page.getByTestId('action-open').click();
    await idle(page);
    await settledVolume(page);
    await showReviewPanel(page);
    await page.getByTestId('action-accept').click();
    await idle(page);
    // Before the fix the line said "sample-02 opened" only: the accept showed no trace.
    await expect
      .poll(() => page.getByTestId('status-bar').innerText(), { timeout: 30_000 })
      .toContain('AI mask accepted: sample-02');
    expect(await page.getByTestId('review-errors').count()).toBe(0);
  });

  it('does not count a case the AI could not run on among the files not imported', async () => {
    // A transverse view alone (another folder: another patient), which the AI cannot outline.
    const alone = join(dir, 'alone');
    mkdirSync(alone);
    copySample(alone, 'sample-07_transverse');
    const report = await importPath(page, alone);
    expect(report).toMatch(/Imported 1 image\(s\) into 1 case\(s\)/);
    expect(report).not.toMatch(/not imported/);
    expect(await page.getByTestId('import-failed').count()).toBe(0);
    // Not said twice either: its AI result lists the case (aiFailed stays out of sight).
    expect(await page.getByTestId('import-ai-failed').count()).toBe(0);
    // The AI's results say why that case has no volume.
    await page.getByTestId('import-ai-results').locator('summary').click();
    await expect(page.getByTestId('import-ai-result').innerText()).resolves.toMatch(
      /no volume: the AI did not run: .*has no coronal image/,
    );
  });

  it('says why a case without a volume cannot be signed off or exported', async () => {
    const caseId = await caseIdByTitle(page, 'uncalibrated');
    // The first session is chosen again: the import above changed nothing of it.
    await page.getByTestId(`worklist-row-${caseId}`).click();
    await expect(page.getByTestId('action-sign-off').isDisabled()).resolves.toBe(true);
    await expect(page.getByTestId('action-export').isDisabled()).resolves.toBe(true);
    const why = await page.getByTestId('case-actions-no-volume').innerText();
    expect(why).toContain('no calibration');
    expect(why).toContain('depth ruler');
    expect(why).toContain('Sign off and Export need a volume');
  });

  it('reads the summary on screen again when a case of the session changes', async () => {
    const caseId = await caseIdByTitle(page, 'sample-01');
    await page.getByTestId('show-summary').click();
    const row = page.getByTestId(`summary-row-${caseId}`);
    await expect.poll(() => row.innerText(), { timeout: 60_000 }).toContain('AI ready');
    await page.getByTestId(`worklist-row-${caseId}`).click();
    await page.getByTestId('flag-comment').fill('poor acoustic window');
    await page.getByTestId('action-flag').click();
    await waitStatus(page, caseId, 'flagged');
    // Before the fix the summary kept the status of when it was opened.
    await expect.poll(() => row.innerText(), { timeout: 60_000 }).toContain('Flagged');
    await expect(page.getByTestId('summary-not-reviewed').innerText()).resolves.toContain(
      'sample-01 (flagged',
    );
  });

  it('names the session list and the case list’s selection column', async () => {
    // Before the fix axe found the session <select> without a name, the column's header empty.
    await expect(
      page.getByRole('combobox', { name: 'Review session' }).getAttribute('data-testid'),
    ).resolves.toBe('session-select');
    await expect(page.locator('.review-case-table th').first().textContent()).resolves.toBe(
      'Select',
    );
  });

  it('keeps the session list and the case list inside the side panel at 1366×768', async () => {
    const fits = await page.evaluate(() => {
      const panel = document.querySelector<HTMLElement>('.review-panel')!;
      const select = document.querySelector<HTMLElement>('[data-testid=session-select]')!;
      const cases = document.querySelector<HTMLElement>('.review-case-table')!.parentElement!;
      return {
        sideways: panel.scrollWidth - panel.clientWidth,
        selectRight: select.getBoundingClientRect().right,
        panelRight: panel.getBoundingClientRect().right,
        // The case list's own sideways scroll: the volume column (and its ⚠) cut off at the edge.
        casesSideways: cases.scrollWidth - cases.clientWidth,
        // The Frame field's placeholder ("multi-frame"), cut to "mult" when the field is too narrow.
        frameCut: (() => {
          const frame = document.querySelector<HTMLInputElement>('[data-testid=import-frame]')!;
          const probe = document.createElement('span');
          probe.style.font = getComputedStyle(frame).font;
          probe.textContent = frame.placeholder;
          document.body.append(probe);
          const cut = probe.getBoundingClientRect().width > frame.clientWidth - 20;
          probe.remove();
          return cut;
        })(),
      };
    });
    expect(fits.selectRight).toBeLessThanOrEqual(fits.panelRight);
    expect(fits.sideways).toBeLessThanOrEqual(0);
    expect(fits.casesSideways).toBeLessThanOrEqual(0);
    expect(fits.frameCut).toBe(false);
  });
});
