/**
 * Accessibility of the workstation, checked by axe-core in Chromium through the web host at
 * 1366×768, in the states a reader meets: the viewer with a sample case and its estimate, each
 * side tab, the Open dialog, the errors panel with an error shown and the calibration dialog of an
 * uncalibrated image. axe runs its WCAG 2.0/2.1 A and AA rules and its best practices; a state
 * fails on any violation axe rates serious or critical, and on the rules fixed here whatever their
 * impact. Every violation found (whatever its impact), and what axe could not decide, is printed
 * and written to artifacts/e2e/a11y-violations.json, so that the minor ones are seen too.
 *
 * Canvas content (Konva) is out of axe's reach: the viewers' canvases are checked to have an
 * accessible name saying what they show (the outline), and the volume to be text beside them.
 */
import axe from 'axe-core';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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
    await expect(page.getByTestId('status-bar').getByRole('status').innerText()).resolves.toMatch(
      /uncalibrated.* opened/,
    );
    await expectAccessible(page, 'calibration dialog');
  });
});
