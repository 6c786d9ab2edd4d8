/**
 * The case report's Warnings after a sign-off that confirmed every check-first item: each warning
 * that belongs to a confirmed item says who checked it, its text kept; the others, and every
 * warning of a preliminary report, print as they are. The link between a warning and its item is
 * held against the engine's own sentences (src/engine/input-doubts.ts). Read back with pdftotext.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classify } from '../../src/clinical/reference-limits';
import { inputDoubts, trainingDataDoubt } from '../../src/engine/input-doubts';
import type { ViewMask } from '../../src/engine/types';
import { renderCaseReportPdf, type CaseReportData } from '../../src/reports/case-report';
import { checkItemByWording, warningsAsPrinted } from '../../src/reports/checked-warnings';
import { pdfText } from '../pdf-text-harness';
import { reportView } from './report-view-fixture';
import { ellipseMask, sampleEstimate } from './store-fixtures';

const view = (spacingMm: number): ViewMask => ({
  mask: new Uint8Array(4),
  width: 2,
  height: 2,
  spacing: { x: spacingMm, y: spacingMm },
});

describe('which check-first item a warning belongs to', () => {
  it('knows each of the engine’s doubts by its warning', () => {
    const doubts = [
      // Swapped: the transverse outline longer than the coronal one.
      ...inputDoubts(
        { coronal: view(0.3), transverse: view(0.3) },
        { ...lengths(8, 10), coronalAreaCm2: 30, transverseAreaCm2: 50 },
      ),
      // A wrong scale, an implausible length, and two slivers.
      ...inputDoubts(
        { coronal: view(5), transverse: view(0.3) },
        { ...lengths(40, 5), coronalAreaCm2: 1, transverseAreaCm2: 0.5 },
      ),
      ...inputDoubts(
        { coronal: view(0.3), transverse: view(6) },
        { ...lengths(12, 6), coronalAreaCm2: 50, transverseAreaCm2: 0.5 },
      ),
      // A transverse blob far narrower than the coronal length.
      ...inputDoubts(
        { coronal: view(0.3), transverse: view(0.3) },
        { ...lengths(12, 1.5), coronalAreaCm2: 50, transverseAreaCm2: 1.1 },
      ),
      trainingDataDoubt(5, 3)!,
    ];
    expect(new Set(doubts.map((d) => d.phrase))).toEqual(
      new Set([
        'views look swapped',
        'coronal scale implausible',
        'transverse scale implausible',
        'length implausible',
        'coronal outline implausible',
        'transverse outline implausible',
        'unlike the training data',
      ]),
    );
    for (const doubt of doubts) expect(checkItemByWording(doubt.warning)).toBe(doubt.phrase);
  });

  it('knows an uncertain AI outline’s warning, and no item for a warning of nothing to check', () => {
    expect(checkItemByWording(UNCERTAIN_WARNING)).toBe('uncertain AI transverse outline');
    expect(checkItemByWording(BORDER_WARNING)).toBeNull();
  });

  it('marks only the warnings of confirmed items', () => {
    const confirmed = { reader: 'Reader 3f9a2c', checked: ['uncertain AI transverse outline'] };
    expect(warningsAsPrinted({ warnings: [UNCERTAIN_WARNING, BORDER_WARNING] }, confirmed)).toEqual(
      [
        `Checked by Reader 3f9a2c at sign-off (uncertain AI transverse outline): ${UNCERTAIN_WARNING}`,
        BORDER_WARNING,
      ],
    );
    expect(warningsAsPrinted({ warnings: [UNCERTAIN_WARNING] }, null)).toEqual([UNCERTAIN_WARNING]);
  });
});

function lengths(length: number, width: number) {
  return { length, width, thickness: null, craniocaudal: null, coronalWidth: null };
}

// As src/engine/estimator.ts writes them.
const UNCERTAIN_WARNING =
  "The AI's transverse outline is uncertain (confidence 0.612, below 0.700; images unlike the training data do this): check the outline against the image and correct it before relying on the volume.";
const BORDER_WARNING =
  'The coronal mask touches the image border: the spleen may be cut off and its volume underestimated.';
const SWAP_WARNING =
  'The transverse outline is longer (10.0 cm) than the coronal one (8.0 cm), but the coronal view is the one through the long axis: the two images look swapped. Check which image is which and give the long-axis view as coronal; swapped views give a wrong volume.';

describe('the Warnings of a report signed off with every item checked', () => {
  let dir: string;
  let data: CaseReportData;
  const READER = 'Dr. Checked';
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'spv-report-edges-warnings-'));
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
        warnings: [SWAP_WARNING, BORDER_WARNING, UNCERTAIN_WARNING],
      }),
      modelHash: null,
      maskSource: 'ai-accepted',
      reader: READER,
      signedOffAt: '2026-12-02T03:28:19.225Z',
      checkedAtSignOff: {
        reader: READER,
        checked: ['views look swapped', 'uncertain AI transverse outline'],
      },
      status: 'signed-off (version 1)',
      referenceVolumeMl: null,
      explanationPng: null,
      explanationText: null,
      generatedAt: new Date('2026-12-02T04:00:00Z'),
    };
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function warningsText(extra: Partial<CaseReportData>, name: string): Promise<string> {
    const path = join(dir, `${name}.pdf`);
    writeFileSync(path, await renderCaseReportPdf({ ...data, ...extra }));
    const text = pdfText(path);
    return text.slice(text.indexOf(' Warnings '), text.indexOf(' Model '));
  }

  it('says who checked each warning of a confirmed item, keeping its text', async () => {
    const text = await warningsText({}, 'confirmed');
    expect(text).toContain(
      `• Checked by Dr. Checked at sign-off (views look swapped): ${SWAP_WARNING}`,
    );
    expect(text).toContain(
      `• Checked by Dr. Checked at sign-off (uncertain AI transverse outline): ${UNCERTAIN_WARNING}`,
    );
    // A warning of nothing to check is printed as it is.
    expect(text).toContain(`• ${BORDER_WARNING}`);
    expect(text.match(/Checked by/g)).toHaveLength(2);
  });

  it('names the reader as the report does: by pseudonym when anonymised', async () => {
    const pseudonym = 'Reader 3f9a2c';
    const text = await warningsText(
      {
        anonymised: true,
        reader: pseudonym,
        checkedAtSignOff: { ...data.checkedAtSignOff!, reader: pseudonym },
      },
      'anonymised',
    );
    expect(text).toContain(
      `• Checked by Reader 3f9a2c at sign-off (uncertain AI transverse outline): ${UNCERTAIN_WARNING}`,
    );
    expect(text).not.toContain('Dr. Checked');
  });

  it('marks none while something is left to check: preliminary, or only some items confirmed', async () => {
    for (const [extra, name] of [
      [{ signedOffAt: null }, 'preliminary'],
      [{ checkedAtSignOff: { reader: READER, checked: ['views look swapped'] } }, 'partial'],
    ] as const) {
      const text = await warningsText(extra, name);
      expect(text).not.toContain('Checked by');
      expect(text).toContain(`• ${UNCERTAIN_WARNING}`);
    }
  });
});
