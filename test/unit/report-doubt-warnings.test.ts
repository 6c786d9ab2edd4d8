/**
 * The case report knows which warning belongs to which check-first item by the estimate's own link
 * (Estimate.checkFirstWarnings), so a reworded warning is still said to be checked; an estimate
 * saved before the link (none) is still marked by the engine's old wording, as it was printed.
 * Read back with pdftotext.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Estimate } from '../../src/api/contract';
import { classify } from '../../src/clinical/reference-limits';
import { renderCaseReportPdf, type CaseReportData } from '../../src/reports/case-report';
import {
  checkItemByWording,
  checkItemsOfWarnings,
  warningsAsPrinted,
} from '../../src/reports/checked-warnings';
import { pdfText } from '../pdf-text-harness';
import { reportView } from './report-view-fixture';
import { ellipseMask, sampleEstimate } from './store-fixtures';

// As src/engine/input-doubts.ts and src/engine/estimator.ts write them today.
const SWAP_WARNING =
  'The transverse outline is longer (10.0 cm) than the coronal one (8.0 cm), but the coronal view is the one through the long axis: the two images look swapped. Check which image is which and give the long-axis view as coronal; swapped views give a wrong volume.';
const UNCERTAIN_WARNING =
  "The AI's transverse outline is uncertain (confidence 0.612, below 0.700; images unlike the training data do this): check the outline against the image and correct it before relying on the volume.";
const BORDER_WARNING =
  'The coronal mask touches the image border: the spleen may be cut off and its volume underestimated.';
// The same two items' warnings as a later engine might word them: no fallback pattern knows them.
const REWORDED_SWAP =
  'Coronal and transverse seem to be the wrong way round (transverse 10.0 cm, coronal 8.0 cm): give the long-axis image as coronal.';
const REWORDED_UNCERTAIN =
  'The U-Net was unsure of the transverse outline (0.612 < 0.700): look at it against the image.';

const CONFIRMED = {
  reader: 'Reader 3f9a2c',
  checked: ['views look swapped', 'uncertain AI transverse outline'],
};
const marked = (phrase: string, warning: string) =>
  `Checked by Reader 3f9a2c at sign-off (${phrase}): ${warning}`;

describe('which warning a confirmed check-first item marks', () => {
  it('follows the estimate’s link, whatever the warning’s wording', () => {
    const estimate: Pick<Estimate, 'warnings' | 'checkFirstWarnings'> = {
      warnings: [REWORDED_SWAP, BORDER_WARNING, REWORDED_UNCERTAIN],
      checkFirstWarnings: [
        { phrase: 'views look swapped', warning: REWORDED_SWAP },
        { phrase: 'uncertain AI transverse outline', warning: REWORDED_UNCERTAIN },
      ],
    };
    // The old wording-based recognition would have missed both.
    expect(checkItemByWording(REWORDED_SWAP)).toBeNull();
    expect(checkItemByWording(REWORDED_UNCERTAIN)).toBeNull();
    expect(checkItemsOfWarnings(estimate)).toEqual([
      'views look swapped',
      null,
      'uncertain AI transverse outline',
    ]);
    expect(warningsAsPrinted(estimate, CONFIRMED)).toEqual([
      marked('views look swapped', REWORDED_SWAP),
      BORDER_WARNING,
      marked('uncertain AI transverse outline', REWORDED_UNCERTAIN),
    ]);
  });

  it('with a link, marks no warning the link does not name, even one worded like an item’s', () => {
    // The engine linked only the uncertain outline: the swap-like sentence is not an item here.
    const estimate = {
      warnings: [SWAP_WARNING, UNCERTAIN_WARNING],
      checkFirstWarnings: [
        { phrase: 'uncertain AI transverse outline', warning: UNCERTAIN_WARNING },
      ],
    };
    expect(warningsAsPrinted(estimate, CONFIRMED)).toEqual([
      SWAP_WARNING,
      marked('uncertain AI transverse outline', UNCERTAIN_WARNING),
    ]);
  });

  it('falls back to the wording for an estimate saved before the link', () => {
    const estimate = { warnings: [SWAP_WARNING, BORDER_WARNING, UNCERTAIN_WARNING] };
    expect(warningsAsPrinted(estimate, CONFIRMED)).toEqual([
      marked('views look swapped', SWAP_WARNING),
      BORDER_WARNING,
      marked('uncertain AI transverse outline', UNCERTAIN_WARNING),
    ]);
    // Reworded and unlinked: nothing to go by, so printed as it is.
    expect(warningsAsPrinted({ warnings: [REWORDED_SWAP] }, CONFIRMED)).toEqual([REWORDED_SWAP]);
  });

  it('marks nothing when nothing was confirmed', () => {
    const estimate = {
      warnings: [REWORDED_SWAP],
      checkFirstWarnings: [{ phrase: 'views look swapped', warning: REWORDED_SWAP }],
    };
    expect(warningsAsPrinted(estimate, null)).toEqual([REWORDED_SWAP]);
  });
});

describe('the PDF Warnings of a signed-off report with reworded, linked warnings', () => {
  let dir: string;
  let data: CaseReportData;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'spv-report-doubt-warnings-'));
    const [w, h] = [160, 120];
    data = {
      patient: { id: 'SYNTH-0006', name: null },
      study: { caseId: '6', title: 'sample-06', studyInstanceUid: null, studyDate: null },
      views: [
        await reportView(
          'Coronal',
          new Uint8Array(w * h).fill(90),
          w,
          h,
          ellipseMask(w, h, 50, 25),
        ),
      ],
      estimate: sampleEstimate(167, {
        classification: classify(167, { length: 9.1 }, { ageYears: 55, sex: null }),
        uncertainOutline: ['transverse'],
        inputDoubts: ['views look swapped'],
        warnings: [REWORDED_SWAP, BORDER_WARNING, REWORDED_UNCERTAIN],
        checkFirstWarnings: [
          { phrase: 'views look swapped', warning: REWORDED_SWAP },
          { phrase: 'uncertain AI transverse outline', warning: REWORDED_UNCERTAIN },
        ],
      }),
      modelHash: null,
      maskSource: 'ai-accepted',
      reader: 'Reader 3f9a2c',
      signedOffAt: '2026-12-02T03:28:19.225Z',
      checkedAtSignOff: CONFIRMED,
      status: 'signed-off (version 1)',
      referenceVolumeMl: null,
      explanationPng: null,
      explanationText: null,
      generatedAt: new Date('2026-12-02T04:00:00Z'),
    };
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('says who checked each, by the link', async () => {
    const path = join(dir, 'reworded.pdf');
    writeFileSync(path, await renderCaseReportPdf(data));
    const text = pdfText(path);
    const warnings = text.slice(text.indexOf(' Warnings '), text.indexOf(' Model '));
    expect(warnings).toContain(`• ${marked('views look swapped', REWORDED_SWAP)}`);
    expect(warnings).toContain(
      `• ${marked('uncertain AI transverse outline', REWORDED_UNCERTAIN)}`,
    );
    expect(warnings).toContain(`• ${BORDER_WARNING}`);
    expect(warnings.match(/Checked by/g)).toHaveLength(2);
  });
});
