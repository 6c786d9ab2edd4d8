/**
 * The Review tab's UI audit, end to end in Chromium through the web host at 1366×768 with real
 * cases: the focus after Import and New session goes to what the reader acts on next; j/k moves are
 * said in a polite live region, the worklist keeping the focus; the status line says that the case
 * in the viewer was signed off; the time on the last case of a session (signed off without moving
 * on) and on a case left for another tab is stored, not 0; and the selected session and case come
 * back after a reload, a removed session falling back to none.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebHost } from '../../main/http-server';
import type { StoreService } from '../../src/store-service/service';
import { formatDuration } from '../../renderer/review/worklist-nav';
import {
  SAMPLES_DIR,
  startStoreWebSession,
  webSessionSkipReason,
  type StoreWebSession,
} from './web-session';
import { idle, showReviewPanel, waitStatus } from './review-harness';

const skipReason = webSessionSkipReason('review-audit');

const READER = 'Dr. Review Audit';
const SAMPLE_IDS = ['sample-01', 'sample-02', 'sample-04'];
/** Where the Review tab keeps the selected session and case (renderer/review/remembered-selection). */
const SELECTION_KEY = 'spv-review-selection';

/**
 * The focus once it has left the page itself (it is moved once the panel is idle), or 'body' if it
 * stays there: the wait is a bound for the failing case, not the thing asserted.
 */
async function focusAfterAction(page: Page): Promise<string | null> {
  await page
    .waitForFunction(() => document.activeElement !== document.body, undefined, { timeout: 5_000 })
    .catch(() => undefined);
  return focused(page);
}

/** The test id of the focused element ('body': the focus was dropped to the page). */
const focused = (page: Page): Promise<string | null> =>
  page.evaluate(() =>
    document.activeElement === document.body
      ? 'body'
      : (document.activeElement?.getAttribute('data-testid') ?? null),
  );

const announcement = (page: Page): Promise<string> =>
  page.getByTestId('worklist-announcement').innerText();

/** The viewer's volume once no estimate is on its way. */
async function settledVolume(page: Page): Promise<void> {
  await page.waitForFunction(
    () => {
      const el = document.querySelector<HTMLElement>('[data-testid=volume-ml]');
      return !!el && el.dataset.value !== '' && !document.querySelector('[data-testid=updating]');
    },
    undefined,
    { timeout: 60_000 },
  );
}

/** Opens the selected case in the viewer and waits for its volume. */
async function openSelected(page: Page, title: string): Promise<void> {
  await page.getByTestId('action-open').click();
  await idle(page);
  await expect
    .poll(() => page.locator('h1.case-title').innerText(), { timeout: 60_000 })
    .toBe(title);
  await settledVolume(page);
  await showReviewPanel(page);
}

/** Signs off the selected case (the case in the viewer), ticking what its estimate asks first. */
async function signOffSelected(page: Page, caseId: string): Promise<void> {
  await page.getByTestId('action-sign-off').click();
  await expect
    .poll(
      async () =>
        (await page.getByTestId('sign-off-checks').count()) > 0 ||
        (await page.getByTestId(`worklist-row-${caseId}`).getAttribute('data-status')) ===
          'signed-off',
      { timeout: 60_000 },
    )
    .toBe(true);
  if ((await page.getByTestId('sign-off-checks').count()) > 0) {
    for (const box of await page.locator('[data-testid^=sign-off-check-]').all()) await box.check();
    await page.getByTestId('sign-off-confirm').click();
  }
  await waitStatus(page, caseId, 'signed-off');
  await idle(page);
}

describe.skipIf(skipReason !== null)('review tab audit: focus, announcements, status, time', () => {
  let dir: string;
  let session: StoreWebSession | undefined;
  let service: StoreService;
  let host: WebHost;
  let page: Page;
  /** The session's cases in worklist order. */
  let worklist: { caseId: string; title: string }[] = [];
  let sessionId = '';

  /** The time the store holds for `caseId` in the session. */
  const storedTime = async (caseId: string): Promise<number> =>
    (await service.getSession({ sessionId })).worklist.find((e) => e.case.caseId === caseId)!
      .timeSpentMs;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'spv-e2e-review-audit-'));
    const cases = join(dir, 'cases');
    mkdirSync(cases);
    for (const id of SAMPLE_IDS)
      for (const view of ['coronal', 'transverse'])
        for (const ext of ['png', 'json'])
          copyFileSync(
            join(SAMPLES_DIR, `${id}_${view}.${ext}`),
            join(cases, `${id}_${view}.${ext}`),
          );
    session = await startStoreWebSession(
      { width: 1366, height: 768 },
      { dataDir: join(dir, 'data'), allowedRoots: [cases] },
    );
    ({ service, host, page } = session);
  });

  afterAll(async () => {
    await session?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('gives the focus to the import result, then to the new session’s worklist', async () => {
    await page.goto(host.url);
    await showReviewPanel(page);
    await page.getByTestId('reader-name').fill(READER);
    await page.getByTestId('import-paths').fill(join(dir, 'cases'));
    await page.getByTestId('import-button').click();
    await expect
      .poll(() => page.getByTestId('import-report').innerText(), { timeout: 120_000 })
      .toMatch(/Imported 6 image\(s\) into 3 case\(s\)/);
    await idle(page);
    // Not dropped to the page with the Import button (off while importing): on the result. Soft:
    // the later tests work on the session made here, whatever the focus did.
    expect.soft(await focusAfterAction(page)).toBe('import-report');

    await page.getByRole('button', { name: 'Select shown' }).click();
    await page.getByTestId('create-session').click();
    await page.getByTestId('worklist').waitFor({ timeout: 60_000 });
    await idle(page);
    expect.soft(await focusAfterAction(page)).toBe('worklist');

    sessionId = (await service.listSessions())[0]!.sessionId;
    worklist = (await service.getSession({ sessionId })).worklist.map((e) => ({
      caseId: e.case.caseId,
      title: e.case.title,
    }));
    expect(worklist.map((c) => c.title).sort()).toEqual(SAMPLE_IDS);
    // The first case is selected, and the worklist (focused) is described by what says so.
    await expect(
      page.getByTestId(`worklist-row-${worklist[0]!.caseId}`).getAttribute('aria-selected'),
    ).resolves.toBe('true');
    expect
      .soft(await announcement(page).catch(() => 'none'))
      .toBe(`Case 1 of 3: ${worklist[0]!.title}, AI ready`);
  });

  it('says each j/k move in a polite live region, the worklist keeping the focus', async () => {
    await page.getByTestId('worklist').focus();
    const region = page.getByTestId('worklist-announcement');
    await expect(region.getAttribute('aria-live')).resolves.toBe('polite');
    const describedBy = await page.getByTestId('worklist').getAttribute('aria-describedby');
    expect(describedBy).toBe(await region.getAttribute('id'));

    await page.keyboard.press('j');
    await expect
      .poll(() => announcement(page))
      .toBe(`Case 2 of 3: ${worklist[1]!.title}, AI ready`);
    expect(await focused(page)).toBe('worklist');
    await page.keyboard.press('j');
    await expect
      .poll(() => announcement(page))
      .toBe(`Case 3 of 3: ${worklist[2]!.title}, AI ready`);
    await page.keyboard.press('k');
    await expect
      .poll(() => announcement(page))
      .toBe(`Case 2 of 3: ${worklist[1]!.title}, AI ready`);
    expect(await focused(page)).toBe('worklist');
    await expect(
      page.getByTestId(`worklist-row-${worklist[1]!.caseId}`).getAttribute('aria-selected'),
    ).resolves.toBe('true');
  });

  it('stores the time on the selected case when the reader leaves the Review tab', async () => {
    const second = worklist[1]!.caseId;
    const before = await storedTime(second);
    // The case stays selected: only leaving the tab can have its time stored.
    await page.getByTestId('tab-compare').click();
    await expect.poll(() => storedTime(second), { timeout: 30_000 }).toBeGreaterThan(before);
    await showReviewPanel(page);
  });

  it('says in the status line that the case in the viewer was signed off', async () => {
    const first = worklist[0]!;
    await showReviewPanel(page);
    await page.getByTestId(`worklist-row-${first.caseId}`).click();
    await openSelected(page, first.title);
    await expect
      .poll(() => page.getByTestId('status-bar').innerText(), { timeout: 30_000 })
      .toContain(`${first.title} opened`);
    await signOffSelected(page, first.caseId);
    // The case is opened again after its sign-off: the line says what changed, not "… opened".
    await expect
      .poll(() => page.getByTestId('status-bar').innerText(), { timeout: 30_000 })
      .toContain(`Signed off: ${first.title}`);
    await expect(page.getByTestId('read-only-banner').innerText()).resolves.toContain(
      `${first.title} is signed off`,
    );
    // The live region says the new status of the selected case too.
    await expect.poll(() => announcement(page)).toBe(`Case 1 of 3: ${first.title}, Signed off`);
  });

  it('stores the time on the last case of the session when it is signed off there', async () => {
    const last = worklist[2]!;
    await showReviewPanel(page);
    await page.getByTestId(`worklist-row-${last.caseId}`).click();
    // Never selected for long before: whatever the store holds of it now, the time on it follows.
    const before = await storedTime(last.caseId);
    await openSelected(page, last.title);
    await signOffSelected(page, last.caseId);
    // No case follows it, so nothing moves the selection on: the sign-off stores the time itself.
    expect(await storedTime(last.caseId)).toBeGreaterThan(before);
    // And the worklist read after the sign-off shows what the store holds.
    expect(
      await page.getByTestId(`worklist-row-${last.caseId}`).locator('td').last().innerText(),
    ).toBe(formatDuration(await storedTime(last.caseId)));
    const summary = await service.sessionSummary({ sessionId });
    const row = summary.rows.find((r) => r.caseId === last.caseId)!;
    expect(row.timeSpentMs).toBeGreaterThan(0);
  });

  it('selects the same session and case again after a reload, and shows it in the viewer again', async () => {
    const last = worklist[2]!;
    await page.reload();
    // The case the viewer showed (the last one, signed off there) is opened in it again, read-only
    // as a signed-off case is, and the Open dialog that a start without it would show is closed.
    await expect
      .poll(() => page.locator('h1.case-title').innerText(), { timeout: 60_000 })
      .toBe(last.title);
    await expect(page.getByTestId('read-only-banner').innerText()).resolves.toContain(
      `${last.title} is signed off`,
    );
    expect(await page.getByRole('dialog').count()).toBe(0);
    await showReviewPanel(page);
    await expect
      .poll(() => page.getByTestId('session-select').inputValue(), { timeout: 30_000 })
      .toBe(sessionId);
    await expect
      .poll(() => page.getByTestId(`worklist-row-${last.caseId}`).getAttribute('aria-selected'))
      .toBe('true');
    await expect(page.getByTestId('case-actions').locator('h3').innerText()).resolves.toContain(
      last.title,
    );
    expect(await page.getByTestId('review-errors').count()).toBe(0);
  });

  it('does not open a remembered case the viewer was not showing', async () => {
    const first = worklist[0]!;
    const { createdAt } = await service.getSession({ sessionId });
    await page.evaluate(([key, selection]) => localStorage.setItem(key, selection), [
      SELECTION_KEY,
      JSON.stringify({ sessionId, createdAt, caseId: first.caseId, inViewer: false }),
    ] as const);
    await page.reload();
    // Selected again in the worklist, but the viewer stays empty with the Open dialog up.
    await expect.poll(() => page.getByRole('dialog').count(), { timeout: 30_000 }).toBe(1);
    await page.keyboard.press('Escape');
    await showReviewPanel(page);
    await expect
      .poll(() => page.getByTestId(`worklist-row-${first.caseId}`).getAttribute('aria-selected'), {
        timeout: 30_000,
      })
      .toBe('true');
    await idle(page);
    expect(await page.locator('h1.case-title').count()).toBe(0);
  });

  it('falls back to no session when the remembered one is gone', async () => {
    // A session this store does not hold (removed, or another data folder's session of that id).
    await page.evaluate(
      ([key, id]) =>
        localStorage.setItem(
          key,
          JSON.stringify({ sessionId: id, createdAt: '2000-01-01T00:00:00.000Z', caseId: '1' }),
        ),
      [SELECTION_KEY, sessionId] as const,
    );
    await page.reload();
    await page.keyboard.press('Escape');
    await showReviewPanel(page);
    await idle(page);
    // The sessions are listed, none chosen, nothing said to be wrong, and nothing left to restore.
    await expect
      .poll(() => page.getByTestId('session-select').locator('option').count(), {
        timeout: 30_000,
      })
      .toBe(2);
    expect(await page.getByTestId('session-select').inputValue()).toBe('');
    expect(await page.getByTestId('worklist').count()).toBe(0);
    expect(await page.getByTestId('review-errors').count()).toBe(0);
    await expect
      .poll(() => page.evaluate((key) => localStorage.getItem(key), SELECTION_KEY))
      .toBeNull();

    // Not JSON at all: the same.
    await page.evaluate((key) => localStorage.setItem(key, '{not json'), SELECTION_KEY);
    await page.reload();
    await page.keyboard.press('Escape');
    await showReviewPanel(page);
    await idle(page);
    await expect
      .poll(() => page.getByTestId('session-select').locator('option').count(), {
        timeout: 30_000,
      })
      .toBe(2);
    expect(await page.getByTestId('session-select').inputValue()).toBe('');
    expect(await page.getByTestId('review-errors').count()).toBe(0);
  });
});
