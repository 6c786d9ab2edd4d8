/**
 * The workstation flow shared by the Chromium (web host) and Electron end-to-end tests: each step
 * drives the UI as a reader would and saves a screenshot that must not be blank.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { expect } from 'vitest';
import { REPO_ROOT } from './web-session';

export const ARTIFACTS = join(REPO_ROOT, 'artifacts', 'e2e');

/** Saves a screenshot under artifacts/e2e/ and checks that it shows something (pixel variance). */
export async function shot(page: Page, name: string): Promise<Buffer> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const png = await page.screenshot({ fullPage: false });
  writeFileSync(join(ARTIFACTS, `${name}.png`), png);
  const stats = await sharp(png).stats();
  const spread = Math.max(...stats.channels.slice(0, 3).map((c) => c.stdev));
  expect(
    spread,
    `screenshot ${name} looks blank (max channel stdev ${spread.toFixed(2)})`,
  ).toBeGreaterThan(8);
  return png;
}

/** Page coordinates of an image pixel in a view, from the transform the viewer publishes. */
export async function imageToPage(
  page: Page,
  view: 'coronal' | 'transverse',
  x: number,
  y: number,
): Promise<{ x: number; y: number }> {
  const pane = page.getByTestId(`viewer-${view}`);
  const box = await pane.boundingBox();
  const transform = await pane.getAttribute('data-view-transform');
  if (!box || !transform) throw new Error(`The ${view} viewer has no layout yet`);
  const [scale, tx, ty] = transform.split(',').map(Number);
  return { x: box.x + tx + x * scale, y: box.y + ty + y * scale };
}

export async function imageSize(
  page: Page,
  view: 'coronal' | 'transverse',
): Promise<[number, number]> {
  const size = (await page.getByTestId(`viewer-${view}`).getAttribute('data-image-size')) ?? '0,0';
  const [w, h] = size.split(',').map(Number);
  return [w, h];
}

export async function maskCentre(
  page: Page,
  view: 'coronal' | 'transverse',
): Promise<[number, number]> {
  const centre = await page.getByTestId(`viewer-${view}`).getAttribute('data-mask-centre');
  if (!centre) throw new Error(`The ${view} mask is empty`);
  const [x, y] = centre.split(',').map(Number);
  return [x, y];
}

export async function volume(page: Page): Promise<string> {
  return (await page.getByTestId('volume-ml').getAttribute('data-value')) ?? '';
}

/** Waits until the estimate settles on a value other than `previous` (or equal to `expected`). */
export async function settledVolume(
  page: Page,
  opts: { notEqual?: string; equal?: string },
): Promise<string> {
  await page.waitForFunction(
    ({ notEqual, equal }) => {
      const el = document.querySelector<HTMLElement>('[data-testid=volume-ml]');
      const value = el?.dataset.value ?? '';
      if (!el || value === '' || document.querySelector('[data-testid=updating]')) return false;
      if (equal !== undefined) return value === equal;
      return notEqual === undefined || value !== notEqual;
    },
    opts,
    { timeout: 60_000 },
  );
  return volume(page);
}

export async function drag(
  page: Page,
  view: 'coronal' | 'transverse',
  from: [number, number],
  to: [number, number],
  steps = 12,
): Promise<void> {
  const a = await imageToPage(page, view, ...from);
  const b = await imageToPage(page, view, ...to);
  await page.mouse.move(a.x, a.y);
  await page.mouse.down();
  await page.mouse.move(b.x, b.y, { steps });
  await page.mouse.up();
}

/** One stroke through several image points (the button stays down). */
export async function dragPath(
  page: Page,
  view: 'coronal' | 'transverse',
  points: [number, number][],
  stepsPerSegment = 4,
): Promise<void> {
  const first = await imageToPage(page, view, ...points[0]);
  await page.mouse.move(first.x, first.y);
  await page.mouse.down();
  for (const p of points.slice(1)) {
    const q = await imageToPage(page, view, ...p);
    await page.mouse.move(q.x, q.y, { steps: stepsPerSegment });
  }
  await page.mouse.up();
}

export async function maskBox(
  page: Page,
  view: 'coronal' | 'transverse',
): Promise<[number, number, number, number]> {
  const box = await page.getByTestId(`viewer-${view}`).getAttribute('data-mask-box');
  if (!box) throw new Error(`The ${view} mask is empty`);
  const [x0, y0, x1, y1] = box.split(',').map(Number);
  return [x0, y0, x1, y1];
}

/** Moves keyboard focus off any input, so that single-key shortcuts reach the workstation. */
export async function blur(page: Page): Promise<void> {
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
}

export async function errorsShown(page: Page): Promise<string[]> {
  return page.getByTestId('error-item').allInnerTexts();
}

export interface FlowResult {
  opened: string;
  erased: string;
  /** Pixels of the AI's coronal mask. */
  aiPixels: number;
}

async function pixels(page: Page, view: 'coronal' | 'transverse' = 'coronal'): Promise<number> {
  return Number(await page.getByTestId(`viewer-${view}`).getAttribute('data-mask-pixels'));
}

async function transform(page: Page): Promise<string> {
  return (await page.getByTestId('viewer-coronal').getAttribute('data-view-transform')) ?? '';
}

/** Lasso cut and add, reset to AI with undo, whole-mask tools, pan/zoom/fit and overlay modes. */
export async function runEditingTools(page: Page, prefix: string, aiPixels: number): Promise<void> {
  await blur(page);
  const [x0, y0, x1] = await maskBox(page, 'coronal');
  const [cx, cy] = await maskCentre(page, 'coronal');

  // Lasso cut (drag a loop around the upper-left part of the mask): the mask shrinks.
  await page.keyboard.press('k');
  let count = await pixels(page);
  await dragPath(page, 'coronal', [
    [x0 - 4, y0 - 4],
    [cx, y0 - 4],
    [cx, cy],
    [x0 - 4, cy],
    [x0 - 4, y0 - 4],
  ]);
  expect(await pixels(page)).toBeLessThan(count);

  // Polygon add by clicks, closed with Enter: the mask grows.
  await page.keyboard.press('l');
  count = await pixels(page);
  for (const [x, y] of [
    [x1 - 10, cy],
    [x1 + 25, cy - 20],
    [x1 + 25, cy + 20],
  ] as [number, number][]) {
    const p = await imageToPage(page, 'coronal', x, y);
    await page.mouse.click(p.x, p.y);
  }
  await page.keyboard.press('Enter');
  expect(await pixels(page)).toBeGreaterThan(count);
  await settledVolume(page, {});
  await shot(page, `${prefix}-08-lasso`);

  // Reset to the AI mask, then undo the reset.
  count = await pixels(page);
  await page.getByTestId('reset-ai').click();
  expect(await pixels(page)).toBe(aiPixels);
  await blur(page);
  await page.keyboard.press('Control+z');
  expect(await pixels(page)).toBe(count);

  // Whole-mask tools by shortcut (S smooth, Shift+F fill holes, I keep the largest island) never fail.
  await page.keyboard.press('s');
  await page.keyboard.press('Shift+F');
  await page.keyboard.press('i');
  await settledVolume(page, {});
  expect(await pixels(page)).toBeGreaterThan(0);

  // Zoom on the wheel, pan with Space + drag, F fits again.
  const fitted = await transform(page);
  const centre = await imageToPage(page, 'coronal', cx, cy);
  await page.mouse.move(centre.x, centre.y);
  await page.mouse.wheel(0, -300);
  await page.waitForFunction(
    (t) =>
      document.querySelector<HTMLElement>('[data-testid=viewer-coronal]')?.dataset.viewTransform !==
      t,
    fitted,
  );
  const zoomed = await transform(page);
  expect(Number(zoomed.split(',')[0])).toBeGreaterThan(Number(fitted.split(',')[0]));
  await page.keyboard.down(' ');
  await page.mouse.move(centre.x, centre.y);
  await page.mouse.down();
  await page.mouse.move(centre.x + 80, centre.y + 40, { steps: 5 });
  await page.mouse.up();
  await page.keyboard.up(' ');
  expect(await transform(page)).not.toBe(zoomed);
  await page.keyboard.press('f');
  await page.waitForFunction(
    (t) =>
      document.querySelector<HTMLElement>('[data-testid=viewer-coronal]')?.dataset.viewTransform ===
      t,
    fitted,
  );

  // Overlay modes: O cycles fill → outline → AI vs current; V hides the overlay.
  await page.keyboard.press('o');
  expect(await page.getByTestId('overlay-mode').inputValue()).toBe('outline');
  await shot(page, `${prefix}-09-outline`);
  await page.keyboard.press('o');
  expect(await page.getByTestId('overlay-mode').inputValue()).toBe('compare');
  await shot(page, `${prefix}-10-ai-vs-current`);
  await page.keyboard.press('o');
  await page.keyboard.press('v');
  expect(await page.getByTestId('viewer-coronal').getAttribute('data-overlay-visible')).toBe(
    'false',
  );
  await page.keyboard.press('v');
  expect(await errorsShown(page)).toEqual([]);

  // Cutting the whole mask away: the problem is shown and no stale volume stays on screen.
  const before = await settledVolume(page, {});
  const [w, h] = await imageSize(page, 'coronal');
  await page.keyboard.press('k');
  await dragPath(page, 'coronal', [
    [1, 1],
    [w - 2, 1],
    [w - 2, h - 2],
    [1, h - 2],
    [1, 1],
  ]);
  expect(await pixels(page)).toBe(0);
  await page.getByTestId('estimate-failed').waitFor({ timeout: 60_000 });
  expect(await page.getByTestId('volume-ml').getAttribute('data-value')).toBe('');
  expect((await errorsShown(page)).join(' ')).toMatch(/empty/i);
  await shot(page, `${prefix}-11-empty-mask-error`);
  await page.keyboard.press('Control+z');
  expect(await settledVolume(page, { equal: before })).toBe(before);
  // The empty mask's failure goes once the mask is back and estimated: it was of that mask.
  await expect.poll(() => errorsShown(page)).toEqual([]);
}

/** Open sample → overlay → erase → undo/redo → shortcuts → caliper → formulas and interval. */
export async function runMainFlow(page: Page, prefix: string): Promise<FlowResult> {
  await page.getByTestId('viewer-coronal').waitFor({ timeout: 60_000 });
  const opened = await settledVolume(page, {});
  expect(Number(opened)).toBeGreaterThan(0);
  await page.waitForFunction(
    () =>
      document.querySelector<HTMLElement>('[data-testid=viewer-coronal]')?.dataset.viewTransform,
  );
  expect(await page.getByTestId('viewer-coronal').getAttribute('data-overlay-visible')).toBe(
    'true',
  );
  expect(
    Number(await page.getByTestId('viewer-coronal').getAttribute('data-mask-pixels')),
  ).toBeGreaterThan(100);
  await shot(page, `${prefix}-01-sample-opened`);

  // Erase the caudal half of the spleen in one stroke: a zig-zag with a large eraser.
  await page.keyboard.press('e');
  await page.getByTestId('brush-size').fill('14');
  const before = Number(await page.getByTestId('viewer-coronal').getAttribute('data-mask-pixels'));
  const [cx] = await maskCentre(page, 'coronal');
  const [width, height] = await imageSize(page, 'coronal');
  const [, y0, x1, y1] = await maskBox(page, 'coronal');
  const zigzag: [number, number][] = [];
  for (let y = Math.max(1, y0 - 5), k = 0; y <= Math.min(height - 2, y1 + 5); y += 8, k++) {
    zigzag.push(
      [k % 2 === 0 ? cx : Math.min(width - 2, x1 + 5), y],
      [k % 2 === 0 ? Math.min(width - 2, x1 + 5) : cx, y],
    );
  }
  await dragPath(page, 'coronal', zigzag);
  const after = Number(await page.getByTestId('viewer-coronal').getAttribute('data-mask-pixels'));
  expect(after).toBeLessThan(before);
  const aiPixels = before;
  const erased = await settledVolume(page, { notEqual: opened });
  expect(Number(erased)).toBeLessThan(Number(opened));
  await shot(page, `${prefix}-02-erased`);

  // Undo restores exactly the previous estimate; redo brings the edit back (keyboard shortcuts).
  await blur(page);
  await page.keyboard.press('Control+z');
  expect(await settledVolume(page, { equal: opened })).toBe(opened);
  expect(Number(await page.getByTestId('viewer-coronal').getAttribute('data-mask-pixels'))).toBe(
    before,
  );
  await page.keyboard.press('Control+Shift+z');
  expect(await settledVolume(page, { equal: erased })).toBe(erased);
  await page.keyboard.press('Control+z');
  await settledVolume(page, { equal: opened });
  await page.keyboard.press('Control+y');
  await settledVolume(page, { equal: erased });
  await shot(page, `${prefix}-03-undo-redo`);

  // Brush size shortcuts and the tool shortcut shown in the tooltip.
  await page.keyboard.press(']');
  expect(await page.getByTestId('brush-size').inputValue()).toBe('15');
  await page.keyboard.press('[');
  await page.keyboard.press('[');
  expect(await page.getByTestId('brush-size').inputValue()).toBe('13');
  expect(await page.getByTestId('tool-eraser').getAttribute('title')).toMatch(/\(E\)/);
  expect(await page.getByTestId('undo').getAttribute('title')).toMatch(/Ctrl\+Z/);
  await page.keyboard.press('b');
  expect(await page.getByTestId('tool-brush').getAttribute('aria-pressed')).toBe('true');

  // A caliper along the coronal long axis fills the lengths and the formula table.
  await page.keyboard.press('m');
  const [ccx, ccy] = await maskCentre(page, 'coronal');
  await drag(page, 'coronal', [Math.max(2, ccx - 120), ccy], [Math.min(width - 2, ccx + 120), ccy]);
  await page.waitForFunction(() =>
    /\d+\.\d cm/.test(document.querySelector('[data-testid=caliper-length]')?.textContent ?? ''),
  );
  // On the transverse view the first caliper is the width, the second the thickness.
  if ((await page.getByTestId('viewer-transverse').count()) > 0) {
    const [tx, ty] = await maskCentre(page, 'transverse');
    const [tw, th] = await imageSize(page, 'transverse');
    await drag(page, 'transverse', [Math.max(2, tx - 60), ty], [Math.min(tw - 2, tx + 60), ty]);
    await drag(page, 'transverse', [tx, Math.max(2, ty - 30)], [tx, Math.min(th - 2, ty + 30)]);
    await page.waitForFunction(() =>
      ['width', 'thickness'].every((k) =>
        /\d+\.\d cm/.test(document.querySelector(`[data-testid=caliper-${k}]`)?.textContent ?? ''),
      ),
    );
  }
  await settledVolume(page, {});
  const formulaValues = await page
    .locator('[data-testid^=formula-]')
    .evaluateAll((rows) =>
      rows
        .filter((r) => r.getAttribute('data-testid') !== 'formula-table')
        .map((r) => r.getAttribute('data-value')),
    );
  expect(formulaValues.length).toBeGreaterThanOrEqual(3);
  expect(
    formulaValues.filter((v) => v !== null && v !== '' && Number(v) > 0).length,
  ).toBeGreaterThanOrEqual(1);
  const ci = page.getByTestId('volume-ci');
  const [lo, hi, v] = [
    Number(await ci.getAttribute('data-lo')),
    Number(await ci.getAttribute('data-hi')),
    Number(await volume(page)),
  ];
  expect(lo).toBeLessThanOrEqual(v);
  expect(hi).toBeGreaterThanOrEqual(v);
  expect(await ci.innerText()).toMatch(/95% interval \d+–\d+ mL/);
  await page.getByTestId('estimate-chart').waitFor();
  await shot(page, `${prefix}-04-caliper-formulas`);

  // The patient's age changes the reference: a 4-year-old (Rosenberg 1991's 4–6 years) has 9.5 cm.
  const adult = await page.getByTestId('classification').innerText();
  expect(adult).toMatch(/adult length ≤ 13(\.0)? cm/);
  await page.getByTestId('patient-age').fill('4');
  await page.waitForFunction(
    () =>
      !/adult length/.test(
        document.querySelector('[data-testid=classification]')?.textContent ?? 'adult length',
      ),
  );
  expect(await page.getByTestId('classification').innerText()).toMatch(/length ≤ 9\.5 cm/);
  await page.getByTestId('patient-age').fill('');
  await page.waitForFunction(() =>
    /adult length/.test(document.querySelector('[data-testid=classification]')?.textContent ?? ''),
  );
  await settledVolume(page, {});
  expect(await errorsShown(page)).toEqual([]);
  return { opened, erased, aiPixels };
}
