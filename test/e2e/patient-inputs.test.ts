/**
 * The patient fields (age, sex, height: they choose the reference limits) belong to one case, end
 * to end in Chromium through the web host with a store: those typed on a stored case that is not
 * calibrated yet (so no estimate keeps them) are there when the case is opened again, and a case
 * opened from files starts with none instead of the previous patient's, which would otherwise
 * decide its verdicts unseen; a DICOM case starts with its header's age and sex, and says so.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebHost } from '../../main/http-server';
import { writeSampleAsDicom } from '../fixtures/dicom/sample-dicom';
import { caseIdByTitle, idle, showReviewPanel } from './review-harness';
import {
  SAMPLES_DIR,
  startStoreWebSession,
  webSessionSkipReason,
  type StoreWebSession,
} from './web-session';
import { settledVolume } from './workstation-flow';

const skipReason = webSessionSkipReason('patient-inputs');
const READER = 'Dr. Patient Fields';

describe.skipIf(skipReason !== null)('patient fields follow the case', () => {
  let dir: string;
  let cases: string;
  let session: StoreWebSession | undefined;
  let host: WebHost;
  let page: Page;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'spv-e2e-patient-'));
    cases = join(dir, 'cases');
    mkdirSync(cases);
    for (const name of ['sample-02_coronal', 'sample-02_transverse', 'sample-04_coronal'])
      for (const ext of ['png', 'json'])
        copyFileSync(join(SAMPLES_DIR, `${name}.${ext}`), join(cases, `${name}.${ext}`));
    // No sidecar: no calibration, so no volume and no estimate until the reader calibrates it.
    copyFileSync(join(SAMPLES_DIR, 'uncalibrated.png'), join(cases, 'uncalibrated.png'));
    // A girl of 5 years at the study: her header chooses Rosenberg's 4–6 years limit.
    await writeSampleAsDicom(
      join(SAMPLES_DIR, 'sample-04_coronal.png'),
      join(cases, 'girl_coronal.dcm'),
      { birthDate: '20180615', sex: 'F' },
    );
    session = await startStoreWebSession(
      { width: 1366, height: 768 },
      { dataDir: join(dir, 'data'), allowedRoots: [dir] },
    );
    ({ host, page } = session);
    await page.goto(host.url);
    await showReviewPanel(page);
    await page.getByTestId('reader-name').fill(READER);
    await page.getByTestId('import-paths').fill(cases);
    await page.getByTestId('import-button').click();
    await idle(page);
    await expect(page.getByTestId('import-report').innerText()).resolves.toMatch(
      /Imported 5 image\(s\) into 4 case\(s\)/,
    );
    await page.getByRole('button', { name: 'Select shown' }).click();
    await page.getByTestId('create-session').click();
    await page.getByTestId('worklist').waitFor({ timeout: 60_000 });
    await idle(page);
  }, 240_000);

  afterAll(async () => {
    await session?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Opens stored case `title` in the viewer from the worklist, then shows the Compare tab. */
  async function openStored(title: string): Promise<void> {
    await showReviewPanel(page);
    const caseId = await caseIdByTitle(page, title);
    await page.getByTestId(`worklist-row-${caseId}`).click();
    await page.getByTestId('action-open').click();
    await idle(page);
    await expect
      .poll(() => page.getByTestId('status-bar').innerText(), { timeout: 60_000 })
      .toContain(`${title} opened`);
    await page.getByTestId('tab-compare').click();
  }

  const age = () => page.getByTestId('patient-age').inputValue();
  const sex = () => page.getByTestId('patient-sex').inputValue();

  it("keeps a case's inputs typed before it is calibrated", async () => {
    await openStored('uncalibrated');
    // The calibration is put off (Escape): the reader fills in the patient first.
    await page.getByTestId('calibration-dialog').waitFor({ timeout: 60_000 });
    await page.keyboard.press('Escape');
    const saved = page.waitForResponse((r) => r.url().endsWith('/api/saveCorrection'), {
      timeout: 30_000,
    });
    await page.getByTestId('patient-age').fill('4');
    await saved;
    const savedSex = page.waitForResponse((r) => r.url().endsWith('/api/saveCorrection'), {
      timeout: 30_000,
    });
    await page.getByTestId('patient-sex').selectOption('female');
    await savedSex;

    // Another stored case shows its own inputs (none), not these.
    await openStored('sample-02');
    await settledVolume(page, {});
    expect([await age(), await sex()]).toEqual(['', '']);

    // Before the fix the case came back with empty fields: no estimate had kept them.
    await openStored('uncalibrated');
    expect([await age(), await sex()]).toEqual(['4', 'female']);
  });

  const openFiles = async (coronal: string) => {
    await page.getByTestId('open-case').click();
    await page.getByTestId('open-coronal').fill(join(cases, coronal));
    await page.getByTestId('open-transverse').fill('');
    await page.getByTestId('open-files').click();
    await expect
      .poll(() => page.getByTestId('status-bar').innerText(), { timeout: 60_000 })
      .toContain(`${coronal} opened`);
  };

  it('starts a case opened from files with no patient inputs', async () => {
    await openFiles('sample-02_coronal.png');
    await page.getByTestId('tab-compare').click();
    const first = await settledVolume(page, {});
    await page.getByTestId('patient-age').fill('4');
    await expect
      .poll(() => page.getByTestId('classification').innerText(), { timeout: 60_000 })
      .toMatch(/length ≤ 9\.5 cm/);

    await openFiles('sample-04_coronal.png');
    await settledVolume(page, { notEqual: first });
    // Before the fix the 4-year-old's age stayed, and chose this patient's limits.
    expect(await age()).toBe('');
    await expect
      .poll(() => page.getByTestId('classification').innerText(), { timeout: 60_000 })
      .toMatch(/adult length ≤ 13(\.0)? cm/);
  });

  it("starts a DICOM case with its header's age and sex, and says they are the header's", async () => {
    const note = () => page.getByTestId('patient-from-header').innerText();
    const childLimit = /child 4–6 years length ≤ 9\.5 cm/;
    await openFiles('girl_coronal.dcm');
    await page.getByTestId('tab-compare').click();
    await settledVolume(page, {});
    expect([await age(), await sex()]).toEqual(['5', 'female']);
    await expect(note()).resolves.toBe(
      "From the image's DICOM header: 5 years at the study, female. Correct them here if they are wrong.",
    );
    await expect
      .poll(() => page.getByTestId('classification').innerText(), { timeout: 60_000 })
      .toMatch(childLimit);
    // Changed by the reader: the note keeps what the header said beside the reader's value.
    await page.getByTestId('patient-age').fill('7');
    await expect
      .poll(note, { timeout: 30_000 })
      .toBe(
        "From the image's DICOM header: female. Correct them here if they are wrong. It also says 5 years at the study.",
      );

    // The same study stored: its worklist verdicts and the viewer start with the header's too.
    await openStored('SYNTH-0001 20240102');
    await settledVolume(page, {});
    expect([await age(), await sex()]).toEqual(['5', 'female']);
    await expect
      .poll(() => page.getByTestId('classification').innerText(), { timeout: 60_000 })
      .toMatch(childLimit);
    // A PNG has no header: no note.
    await openFiles('sample-04_coronal.png');
    await settledVolume(page, {});
    expect(await page.getByTestId('patient-from-header').count()).toBe(0);
  });
});
