/**
 * Accessibility of the workstation, checked by axe-core in Chromium through the web host at
 * 1366×768, in the states a reader meets: the viewer with a sample case and its estimate, each
 * side tab, the Open dialog, the errors panel with an error shown and the calibration dialog of an
 * uncalibrated image; and the Review tab in use over two imported samples (the case browser and the
 * import result, the worklist, the case actions of a case to check first, the sign-off step, the
 * flag and unlock forms, the session summary and its export), where the text's contrast is also
 * measured, since axe leaves much of it undecided there. axe runs its WCAG 2.0/2.1 A and AA rules
 * and its best practices; a state fails on any violation axe rates serious or critical, and on the
 * rules fixed here whatever their impact. Every violation found (whatever its impact), and what axe
 * could not decide, is printed and written to artifacts/e2e/a11y-violations.json (the Review tab's
 * states to a11y-review-violations.json), so that the minor ones are seen too.
 *
 * Canvas content (Konva) is out of axe's reach: the viewers' canvases are checked to have an
 * accessible name saying what they show (the outline), and the volume to be text beside them.
 */
import axe from 'axe-core';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, settledVolume } from './workstation-flow';
import {
  SAMPLES_DIR,
  startStoreWebSession,
  webSessionSkipReason,
  type StoreWebSession,
} from './web-session';
import { caseIdByTitle, idle, showReviewPanel, waitStatus } from './review-harness';

/** The sample PNG that has no calibration sidecar (models/samples, see its data card). */
const UNCALIBRATED_PNG = join(SAMPLES_DIR, 'uncalibrated.png');

const skipReason = webSessionSkipReason('a11y', [join(SAMPLES_DIR, 'index.csv'), UNCALIBRATED_PNG]);

/** The rule sets checked: WCAG 2.0 and 2.1, levels A and AA (the workstation's target). */
const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
/** axe's best practices (landmarks, visible labels, heading order): checked and reported too. */
const BEST_PRACTICE_TAG = 'best-practice';
/** Impacts that fail a state; the others are reported, not failed on. */
const FAILING_IMPACTS = new Set(['serious', 'critical']);
/**
 * Rules fixed in the viewer that fail a state whatever impact axe gives them, so that they stay
 * fixed: every part of the window in a landmark, one banner, headings in order, no empty table
 * header, no label that is only a tooltip.
 */
const ALWAYS_FAILING_RULES = new Set([
  'region',
  'landmark-no-duplicate-banner',
  'landmark-unique',
  'heading-order',
  'empty-table-header',
  'label-title-only',
]);
/** Parts of the window that other engineers own, by the element that holds each. */
const AREAS: Record<string, string> = { 'renderer/review': '[data-testid="review-tab"]' };

/** One element axe found wanting, with the rule it breaks. */
interface Finding {
  rule: string;
  impact: string | null;
  help: string;
  helpUrl: string;
  target: string;
  summary: string;
  /** The AREAS entry holding the element, or null (the viewer's own files). */
  area: string | null;
}

/** A state's violations, and what axe could not decide there (to be checked by eye). */
interface StateResults {
  violations: Finding[];
  incomplete: Finding[];
}

/** axe-core's script in the page (once per document; the page keeps it until it reloads). */
async function injectAxe(page: Page): Promise<void> {
  if (await page.evaluate(() => 'axe' in window)) return;
  // Evaluated, not added as a <script>: the page's Content-Security-Policy (script-src 'self')
  // refuses inline scripts, and it stays on here so that the page is checked as it ships.
  await page.evaluate(axe.source);
}

/** axe's WCAG 2.1 A/AA and best-practice results in the page as it is now, one per element. */
async function axeResults(page: Page): Promise<StateResults> {
  await injectAxe(page);
  const tags = [...WCAG_TAGS, BEST_PRACTICE_TAG];
  return page.evaluate(
    async ({ tags, areas }) => {
      type Axe = typeof import('axe-core');
      const inPage = (window as unknown as { axe: Axe }).axe;
      const results = await inPage.run(document, { runOnly: tags });
      const areaOf = (selector: string) => {
        const el = document.querySelector(selector);
        return Object.entries(areas).find(([, holder]) => el?.closest(holder))?.[0] ?? null;
      };
      const flatten = (rules: typeof results.violations) =>
        rules.flatMap((v) =>
          v.nodes.map((n) => ({
            rule: v.id,
            impact: n.impact ?? v.impact ?? null,
            help: v.help,
            helpUrl: v.helpUrl,
            target: n.target.map(String).join(' '),
            summary: n.failureSummary ?? '',
            // The page's own selector (a target inside a frame or shadow root has several).
            area: areaOf(String(n.target[0])),
          })),
        );
      return { violations: flatten(results.violations), incomplete: flatten(results.incomplete) };
    },
    { tags, areas: AREAS },
  );
}

/** Every state's results, whatever their impact: written out after the run. */
const found: Record<string, StateResults> = {};

/** One line per finding: rule, impact, where (and whose) and what to do. */
function describeFindings(findings: readonly Finding[]): string {
  return findings
    .map((f) => `${f.rule} (${f.impact}) at ${f.target}${f.area ? ` [${f.area}]` : ''}: ${f.help}`)
    .join('\n');
}

/** Whether a finding fails its state: serious, critical or a rule fixed here. */
function failsTest(f: Finding): boolean {
  return FAILING_IMPACTS.has(f.impact ?? '') || ALWAYS_FAILING_RULES.has(f.rule);
}

/** Checks the page in `state`: fails on each finding `failsTest` says fails, naming it. */
async function expectAccessible(page: Page, state: string): Promise<void> {
  const results = await axeResults(page);
  found[state] = results;
  const { violations } = results;
  if (violations.length > 0)
    console.warn(
      `a11y ${state}: ${violations.length} violation(s)\n${describeFindings(violations)}`,
    );
  const failing = violations.filter(failsTest);
  expect(failing, `a11y violations in ${state}:\n${describeFindings(failing)}`).toEqual([]);
}

describe.skipIf(skipReason !== null)('accessibility (axe-core, WCAG 2.1 AA) at 1366×768', () => {
  let dir: string;
  let session: StoreWebSession | undefined;
  let page: Page;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'spv-e2e-a11y-'));
    session = await startStoreWebSession(
      { width: 1366, height: 768 },
      { dataDir: join(dir, 'data'), allowedRoots: [SAMPLES_DIR] },
    );
    page = session.page;
    await page.goto(session.host.url);
    await page.getByTestId('viewer-coronal').waitFor({ timeout: 60_000 });
  });

  afterAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    writeFileSync(join(ARTIFACTS, 'a11y-violations.json'), JSON.stringify(found, null, 2));
    await session?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('the viewer with the sample case and its estimate (Comparison tab)', async () => {
    await settledVolume(page, {});
    await expectAccessible(page, 'viewer, Comparison tab');
  });

  it('names each canvas with what it shows, and says the volume as text', async () => {
    for (const view of ['coronal', 'transverse']) {
      const pane = page.getByTestId(`viewer-${view}`);
      // The canvases Konva draws are one image to a screen reader, named by the pane.
      const unnamed = await pane.evaluate(
        (el) =>
          [...el.querySelectorAll('canvas')].filter(
            (c) => !c.closest('[role=img][aria-label]:not([aria-label=""])'),
          ).length,
      );
      expect(unnamed, `the ${view} viewer has canvases without an accessible name`).toBe(0);
      await pane
        .getByRole('img', { name: new RegExp(`^${view} image .*spleen outline shown`, 'i') })
        .waitFor();
    }
    // The outline hidden (V): the name says so, as the image does.
    await page.getByTestId('overlay-visible').uncheck();
    await page
      .getByTestId('viewer-coronal')
      .getByRole('img', { name: /spleen outline hidden \(overlay off\)/ })
      .waitFor();
    await page.getByTestId('overlay-visible').check();
    await expect(page.getByTestId('volume-ml').innerText()).resolves.toMatch(/\d\s*mL/);
  });

  it('the Explain tab', async () => {
    await page.getByTestId('tab-explain').click();
    await page.getByTestId('pca-plot').waitFor({ timeout: 60_000 });
    await expectAccessible(page, 'Explain tab');
  });

  it('the Review tab', async () => {
    await page.getByTestId('tab-review').click();
    await page.getByTestId('review-panel').waitFor({ timeout: 30_000 });
    await expectAccessible(page, 'Review tab');
  });

  it('the Open dialog', async () => {
    // Over the Comparison tab, as the reader mostly has it (each tab was checked on its own).
    await page.getByTestId('tab-compare').click();
    await page.keyboard.press('Control+o');
    await page.getByTestId('open-dialog').waitFor();
    await expectAccessible(page, 'Open dialog');
  });

  it('the errors panel with an error shown', async () => {
    // A file that is not there: the opening fails, says why, and the Open dialog comes back.
    await page.getByTestId('open-coronal').fill(join(SAMPLES_DIR, 'no-such-image.png'));
    await page.getByTestId('open-files').click();
    await page.getByTestId('error-item').first().waitFor({ timeout: 60_000 });
    await page.getByTestId('open-dialog').waitFor();
    await page.keyboard.press('Escape');
    await page.getByTestId('open-dialog').waitFor({ state: 'detached' });
    await expectAccessible(page, 'errors panel');
  });

  it('the calibration dialog of an uncalibrated image', async () => {
    await page.keyboard.press('Control+o');
    await page.getByTestId('open-coronal').fill(UNCALIBRATED_PNG);
    await page.getByTestId('open-files').click();
    await page.getByTestId('calibration-dialog').waitFor({ timeout: 60_000 });
    await page.getByTestId('no-volume').waitFor();
    // The status line's news is a live status message (WCAG 4.1.3), heard without moving focus.
    // Polled: the dialog can show before "Opening …" gives way to "… opened" on a loaded machine.
    await expect
      .poll(() => page.getByTestId('status-bar').getByRole('status').innerText(), {
        timeout: 30_000,
      })
      .toMatch(/uncalibrated.* opened/);
    await expectAccessible(page, 'calibration dialog');
  });
});

/** Samples imported into the Review tab's states: a plain case, and one with its outline to check. */
const REVIEW_SAMPLES = ['sample-01', 'sample-07'];

/** The Review tab in use: a copy of `REVIEW_SAMPLES` (images and sidecars) in `dir`. */
function writeReviewCases(dir: string): void {
  mkdirSync(dir, { recursive: true });
  for (const id of REVIEW_SAMPLES)
    for (const view of ['coronal', 'transverse'])
      for (const ext of ['png', 'json'])
        copyFileSync(join(SAMPLES_DIR, `${id}_${view}.${ext}`), join(dir, `${id}_${view}.${ext}`));
}

/** A text in the Review tab whose colour on its background is below WCAG AA (1.4.3). */
interface LowContrast {
  text: string;
  color: string;
  background: string;
  ratio: number;
}

/**
 * Text of the Review tab below WCAG AA's contrast (4.5:1, 3:1 when large), measured on the
 * backgrounds it is drawn on. axe leaves many of these undecided here (the side panel scrolls under
 * its sticky parts, so it sees the text overlapped): a muted note in a selected row went unseen.
 */
async function reviewLowContrast(page: Page): Promise<LowContrast[]> {
  return page.evaluate(() => {
    const rgb = (css: string): number[] | null => {
      const m = css.match(/rgba?\(([^)]+)\)/);
      if (!m) return null;
      const [r = 0, g = 0, b = 0, a = 1] = m[1]!.split(',').map(Number);
      return a < 1 ? null : [r, g, b];
    };
    const luminance = (c: number[]) => {
      const [r = 0, g = 0, b = 0] = c.map((v) => {
        const x = v / 255;
        return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const backgroundOf = (el: Element | null): number[] => {
      for (let at = el; at; at = at.parentElement) {
        const c = rgb(getComputedStyle(at).backgroundColor);
        if (c) return c;
      }
      return [255, 255, 255];
    };
    const tab = document.querySelector('[data-testid="review-tab"]');
    const low: LowContrast[] = [];
    for (const el of tab ? [...tab.querySelectorAll('*')] : []) {
      const own = [...el.childNodes]
        .filter((n) => n.nodeType === Node.TEXT_NODE)
        .map((n) => n.textContent ?? '')
        .join('')
        .trim();
      const style = getComputedStyle(el);
      if (!own || el.getClientRects().length === 0 || style.visibility === 'hidden') continue;
      // Visually hidden text (said, not drawn) and controls switched off are not held to it.
      if (el.closest('.review-visually-hidden, :disabled')) continue;
      const fg = rgb(style.color);
      if (!fg) continue;
      const bg = backgroundOf(el);
      const [hi, lo] = [luminance(fg), luminance(bg)].sort((a, b) => b - a) as [number, number];
      const ratio = (hi + 0.05) / (lo + 0.05);
      const size = parseFloat(style.fontSize);
      const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
      if (ratio < (large ? 3 : 4.5))
        low.push({
          text: own.slice(0, 60),
          color: style.color,
          background: `rgb(${bg.join(', ')})`,
          ratio: Math.round(ratio * 100) / 100,
        });
    }
    return low;
  });
}

/** expectAccessible, and the Review tab's text contrast measured (see reviewLowContrast). */
async function expectReviewAccessible(page: Page, state: string): Promise<void> {
  await expectAccessible(page, state);
  expect(await reviewLowContrast(page), `text below AA contrast in ${state}`).toEqual([]);
}

/**
 * Opens the case in the viewer from its worklist row (Sign off wants it seen there first), then
 * shows the Review tab again with the case selected and its estimate settled.
 */
async function openCaseAndReturn(page: Page, caseId: string): Promise<void> {
  await page.getByTestId(`worklist-row-${caseId}`).click();
  await page.getByTestId('action-open').click();
  await idle(page);
  await settledVolume(page, {});
  await showReviewPanel(page);
  await page.getByTestId(`worklist-row-${caseId}`).click();
  await idle(page);
}

describe.skipIf(skipReason !== null)('accessibility of the Review tab in use (a11y-review)', () => {
  let dir: string;
  let session: StoreWebSession | undefined;
  let page: Page;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'spv-e2e-a11y-review-'));
    writeReviewCases(join(dir, 'cases'));
    session = await startStoreWebSession(
      { width: 1366, height: 768 },
      { dataDir: join(dir, 'data'), allowedRoots: [join(dir, 'cases')] },
    );
    page = session.page;
    await page.goto(session.host.url);
    await showReviewPanel(page);
  });

  afterAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    writeFileSync(join(ARTIFACTS, 'a11y-review-violations.json'), JSON.stringify(found, null, 2));
    await session?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('the case browser with cases and the import result (AI results opened)', async () => {
    await page.getByTestId('reader-name').fill('Dr. A11y Review');
    await page.getByTestId('import-paths').fill(join(dir, 'cases'));
    await page.getByTestId('import-button').click();
    await expect
      .poll(() => page.getByTestId('import-report').innerText(), { timeout: 180_000 })
      .toMatch(/Imported 4 image\(s\) into 2 case\(s\)/);
    await page.getByTestId('import-ai-results').locator('summary').click();
    await page.getByTestId('import-ai-result').first().waitFor();
    for (const id of REVIEW_SAMPLES) ids[id] = await caseIdByTitle(page, id);
    await expectReviewAccessible(page, 'Review: case browser and import result');
  });

  it('the worklist with a case selected', async () => {
    for (const id of Object.values(ids)) await page.getByTestId(`case-select-${id}`).check();
    await page.getByTestId('session-title').fill('a11y session');
    await page.getByTestId('create-session').click();
    for (const id of Object.values(ids)) await waitStatus(page, id, 'ai-ready');
    await page.getByTestId(`worklist-row-${ids['sample-01']!}`).click();
    await page.getByTestId('case-actions').waitFor();
    await idle(page);
    await expectReviewAccessible(page, 'Review: worklist, a case selected (flag form)');
    // The list's name (how to move in it) is said on focus: a name on a plain <div> is not (axe
    // leaves that undecided, so it is checked here).
    const worklist = page.getByRole('group', { name: /^Worklist: arrow keys/ });
    expect(await worklist.getAttribute('data-testid')).toBe('worklist');
    // Still used from the keyboard as before: focused, ↓ and ↑ move the selection.
    const selected = (id: string) =>
      page.getByTestId(`worklist-row-${id}`).getAttribute('aria-selected');
    await worklist.focus();
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => selected(ids['sample-07']!)).toBe('true');
    await page.keyboard.press('ArrowUp');
    await expect.poll(() => selected(ids['sample-01']!)).toBe('true');
    await idle(page);
    const unsupported = found['Review: worklist, a case selected (flag form)']!.incomplete.filter(
      (f) => f.rule === 'aria-prohibited-attr' && f.area === 'renderer/review',
    );
    expect(unsupported, describeFindings(unsupported)).toEqual([]);
  });

  it('the case actions of a case asking to check first, and its sign-off step', async () => {
    await openCaseAndReturn(page, ids['sample-07']!);
    await page.getByTestId('case-check-first').waitFor();
    await expectReviewAccessible(page, 'Review: case actions, check first');
    await page.getByTestId('action-sign-off').click();
    await page.getByTestId('sign-off-checks').waitFor();
    await expectReviewAccessible(page, 'Review: sign-off step');
    await page.keyboard.press('Escape');
    await page.getByTestId('sign-off-checks').waitFor({ state: 'detached' });
  });

  it('the unlock form of a signed-off case', async () => {
    const plain = ids['sample-01']!;
    await openCaseAndReturn(page, plain);
    await page.getByTestId('action-sign-off').click();
    await waitStatus(page, plain, 'signed-off');
    await page.getByTestId('unlock-reason').waitFor();
    await idle(page);
    await expectReviewAccessible(page, 'Review: unlock form');
  });

  it('the worklist and case browser with an unlocked (v2) and a checked, signed-off case', async () => {
    const plain = ids['sample-01']!;
    await page.getByTestId('unlock-reason').fill('measure the transverse view again');
    await page.getByTestId('action-unlock').click();
    await waitStatus(page, plain, 'in-review');
    const uncertain = ids['sample-07']!;
    await openCaseAndReturn(page, uncertain);
    await page.getByTestId('action-sign-off').click();
    await page.getByTestId('sign-off-check-0').check();
    await page.getByTestId('sign-off-confirm').click();
    await waitStatus(page, uncertain, 'signed-off');
    await page.getByTestId(`worklist-checked-${uncertain}`).waitFor();
    await page.getByTestId(`case-select-${uncertain}`).check();
    await idle(page);
    // The muted notes of a selected row ("✓ checked at sign-off", "v2") on its highlight.
    await expectReviewAccessible(page, 'Review: worklist, signed-off case selected');
    await page.getByTestId(`worklist-row-${plain}`).click();
    await idle(page);
    await expect(page.getByTestId(`worklist-row-${plain}`).innerText()).resolves.toContain('v2');
    await expectReviewAccessible(page, 'Review: worklist, unlocked v2 case selected');
  });

  it('the session summary with its plots, and the export result', async () => {
    await page.getByTestId('show-summary').click();
    await page.getByTestId('session-summary').waitFor({ timeout: 120_000 });
    await page.getByTestId('summary-plot').first().waitFor({ timeout: 120_000 });
    await idle(page);
    await expectReviewAccessible(page, 'Review: session summary');
    await page.getByTestId('export-session').click();
    await page.getByTestId('download-summary.csv').waitFor({ timeout: 180_000 });
    await idle(page);
    await expectReviewAccessible(page, 'Review: session export result');
  });
});
