/**
 * The Review tab's steps the review end-to-end tests share (review, review-flow, review-audit):
 * showing the panel, finding a case, and waiting until the panel or a worklist row has settled.
 */
import type { Page } from 'playwright-core';
import { expect } from 'vitest';

/** The review panel, shown by the app's Review tab when it is not on screen already. */
export async function showReviewPanel(page: Page): Promise<void> {
  const panel = page.getByTestId('review-panel');
  if (!(await panel.isVisible())) {
    const tab = page.getByTestId('tab-review');
    await tab.waitFor({ timeout: 30_000 });
    await tab.click();
  }
  await panel.waitFor({ timeout: 30_000 });
}

/** The case id of the case browser's row titled `title`. */
export async function caseIdByTitle(page: Page, title: string): Promise<string> {
  const row = page.locator('[data-testid^="case-row-"]', {
    has: page.locator('td', { hasText: new RegExp(`^${title}$`) }),
  });
  const testId = await row.first().getAttribute('data-testid');
  if (!testId) throw new Error(`no case titled ${title} in the case browser`);
  return testId.replace('case-row-', '');
}

/** Waits until the worklist row of `caseId` has `status`. */
export async function waitStatus(page: Page, caseId: string, status: string): Promise<void> {
  await expect
    .poll(() => page.getByTestId(`worklist-row-${caseId}`).getAttribute('data-status'), {
      timeout: 60_000,
    })
    .toBe(status);
}

/** Waits until the review panel has no call on its way (its busy mark gone). */
export async function idle(page: Page): Promise<void> {
  await page.waitForFunction(
    () => !document.querySelector('[data-testid=review-busy]'),
    undefined,
    { timeout: 120_000 },
  );
}
