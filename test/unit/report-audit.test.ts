/**
 * The case report and the session's plots read as a radiologist would (report audit): a name in a
 * script the report's font cannot print is marked, not silently shortened; the formula table keeps
 * its rows whole across a page break; a difference reads with one sign; the explanation figure's
 * colours have a scale; the Bland–Altman plot's labels carry their unit and never print over each
 * other. PDFs read back with pdftotext.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blandAltmanSvg, spreadApart } from '../../src/reports/bland-altman-plot';
import sharp from 'sharp';
import { latentFigureSvg, viewFigurePng, type ViewFigureInput } from '../../src/reports/figures';
import {
  differenceText,
  renderCaseReportPdf,
  type CaseReportData,
} from '../../src/reports/case-report';
import {
  markUnprintable,
  UNPRINTABLE_MARK,
  UNPRINTABLE_NOTE,
  winAnsiHas,
} from '../../src/reports/pdf-fonts';
import { blandAltman } from '../../src/reports/stats';
import { pdfInfo, pdfText } from '../pdf-text-harness';
import { reportView } from './report-view-fixture';
import { ellipseMask, sampleEstimate } from './store-fixtures';

let dir: string;
let data: CaseReportData;

async function reportText(extra: Partial<CaseReportData>, name: string) {
  const path = join(dir, `${name}.pdf`);
  writeFileSync(path, await renderCaseReportPdf({ ...data, ...extra }));
  return { text: pdfText(path), pages: Number(/Pages:\s+(\d+)/.exec(pdfInfo(path))![1]) };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'spv-report-audit-'));
  const [w, h] = [160, 120];
  data = {
    patient: { id: 'PAT-1', name: 'Müller' },
    study: { caseId: '7', title: 'sample-07', studyInstanceUid: null, studyDate: null },
    views: [
      await reportView('Coronal', new Uint8Array(w * h).fill(90), w, h, ellipseMask(w, h, 50, 25)),
    ],
    estimate: sampleEstimate(212.4),
    modelHash: null,
    maskSource: 'corrected',
    reader: 'Dr. Reader',
    signedOffAt: null,
    status: 'in-review (version 1)',
    referenceVolumeMl: null,
    explanationPng: null,
    explanationText: null,
    generatedAt: new Date('2026-12-02T04:00:00Z'),
  };
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('report audit: characters the report cannot print', () => {
  it('marks a run of Chinese characters in a name [?] and says why, where it was printed blank', async () => {
    const { text } = await reportText(
      {
        patient: { id: 'PAT-王-1', name: 'Wáng Müller 王小明' },
        reader: 'Dr. 李 Schmidt',
      },
      'cjk',
    );
    // Before, the CJK characters were drawn as empty boxes and read as nothing at all.
    expect(text).toContain('Patient ID PAT-[?]-1');
    expect(text).toContain('Patient name Wáng Müller [?]');
    expect(text).toContain('Reader Dr. [?] Schmidt');
    // Said under the header and again under the reader, on whichever page it lies.
    expect(text.split(UNPRINTABLE_NOTE)).toHaveLength(3);
  });

  it('says nothing of it when every character printed', async () => {
    const { text } = await reportText({ patient: { id: 'PAT-1', name: 'Łucja Müller' } }, 'latin');
    expect(text).toContain('Patient name Łucja Müller');
    expect(text).not.toContain(UNPRINTABLE_MARK);
    expect(text).not.toContain('cannot print');
  });

  it('marks for the built-in fonts what WinAnsi lacks, a run at a time', () => {
    expect(markUnprintable('Łucja Müller 王小明 “ok” €', winAnsiHas)).toEqual({
      text: '[?]ucja Müller [?] “ok” €',
      marked: true,
    });
    expect(markUnprintable('line one\nline two', winAnsiHas)).toEqual({
      text: 'line one\nline two',
      marked: false,
    });
  });
});

describe('report audit: the formula table at a page break', () => {
  it('keeps the heading, the head and every row together on one page, one page later', async () => {
    // A long note under the images pushes the table to the foot of the first page: before, each
    // cell of a row that did not fit went on a page of its own (17 pages, one cell each).
    const { text, pages } = await reportText({ viewsNote: 'x '.repeat(1700) }, 'break');
    expect(pages).toBe(2);
    expect(text).toMatch(
      /Length-based formulas Formula Expression mL vs DeepSPV Citation Prolate ellipsoid 0\.523 · L · W · T \d+\.\d/,
    );
    expect(text).toMatch(/Prassopoulos 30 \+ 0\.58 · L · W · T \d+\.\d/);
  });
});

describe('report audit: a formula against DeepSPV', () => {
  it('writes the difference and its percentage with the same minus sign', async () => {
    expect(differenceText(206.1, 249.0)).toBe('−42.9 (−17%)');
    expect(differenceText(258.5, 249.0)).toBe('+9.5 (+4%)');
    const { text } = await reportText({}, 'signs');
    // 0.523 · 10.8 · 6.1 · 4.2 = 144.7 mL against 212.4 mL.
    expect(text).toMatch(/−67\.7 .*?\(−32%\)/);
    expect(text).not.toMatch(/\(-\d/);
  });
});

describe('report audit: Bland–Altman labels', () => {
  const labelYs = (svg: string) =>
    [...svg.matchAll(/<text x="[\d.]+" y="([\d.]+)"[^>]*>(bias|[+−]1\.96 SD)[^<]*<\/text>/g)].map(
      (m) => Number(m[1]),
    );

  it('never prints the bias and the limits over each other, even when every difference is 0', () => {
    const svg = blandAltmanSvg(
      blandAltman([
        [100, 100],
        [200, 200],
        [300, 300],
      ]),
      { title: 'AI vs final', yLabel: 'AI − final (mL)' },
    );
    const ys = labelYs(svg).sort((a, b) => a - b);
    // Before, all three at one height: "bias 0.0", "+1.96 SD 0.0" and "−1.96 SD 0.0" over each other.
    expect(ys).toHaveLength(3);
    expect(ys[1] - ys[0]).toBeGreaterThanOrEqual(15);
    expect(ys[2] - ys[1]).toBeGreaterThanOrEqual(15);
  });

  it('labels each line with its unit and a true minus', () => {
    const svg = blandAltmanSvg(
      blandAltman([
        [100, 160],
        [200, 190],
        [300, 330],
      ]),
      { title: 'AI vs final', yLabel: 'AI − final (mL)' },
    );
    expect(svg).toMatch(/>bias −26\.7 mL</);
    expect(svg).toMatch(/>−1\.96 SD −\d+\.\d mL</);
    expect(svg).toMatch(/>\+1\.96 SD \d+\.\d mL</);
  });

  it('moves labels apart the least needed, within the plot', () => {
    expect(spreadApart([100, 100, 100], 15, 0, 400)).toEqual([100, 115, 130]);
    expect(spreadApart([50, 300], 15, 0, 400)).toEqual([50, 300]);
    expect(spreadApart([400, 400], 15, 0, 400)).toEqual([385, 400]);
  });
});

describe('report audit: the explanation figure', () => {
  it('gives the colour of the training cases a scale in mL', () => {
    const cloud: [number, number, number][] = [
      [0, 0, 60],
      [1, 1, 400],
      [2, 0, 1453],
    ];
    const svg = latentFigureSvg({ cloud, position: [1, 0.5], volumeMl: 480 });
    // Before, the points were coloured by volume with nothing to say which colour is which.
    expect(svg).toContain('>training volume:</text>');
    expect(svg).toContain('>60 mL</text>');
    expect(svg).toContain('>1453 mL</text>');
  });
});

describe('report audit: the view figure', () => {
  const [W, H] = [200, 160];
  const base: ViewFigureInput = {
    label: 'Coronal',
    grey: new Uint8Array(W * H).fill(30),
    width: W,
    height: H,
    mask: ellipseMask(W, H, 60, 25),
    calibration: { spacingX: 0.5, spacingY: 0.5, source: 'caller' },
    maskSpacing: { x: 0.5, y: 0.5 },
  };
  /** Which of the pixels on the row 10 px above the bottom are white (the scale bar's core). */
  async function whiteAt(input: ViewFigureInput, xs: number[]): Promise<boolean[]> {
    const { data, info } = await sharp(await viewFigurePng(input))
      .raw()
      .toBuffer({ resolveWithObject: true });
    const y = H - 10;
    return xs.map((x) => {
      const i = (y * info.width + x) * info.channels;
      return data[i] > 230 && data[i + 1] > 230 && data[i + 2] > 230;
    });
  }

  it('draws a scale bar in cm, the longest nice length within a third of the image', async () => {
    // 0.5 mm/px: 2 cm is 40 px (5 cm, 100 px, is more than a third of 200 px). Before, no bar:
    // an anonymised figure, its depth ruler blanked, had no scale at all.
    expect(await whiteAt(base, [12, 30, 48, 60])).toEqual([true, true, true, false]);
  });

  it('draws none on an uncalibrated image or one with several scales', async () => {
    expect(await whiteAt({ ...base, calibration: null, maskSpacing: null }, [12, 30])).toEqual([
      false,
      false,
    ]);
    const region = (x0: number, x1: number, mm: number) => ({
      x0,
      y0: 0,
      x1,
      y1: H,
      spacingX: mm,
      spacingY: mm,
    });
    const twoScales = {
      ...base.calibration!,
      source: 'ultrasound-regions' as const,
      regions: [region(0, 99, 0.5), region(100, 199, 0.25)],
    };
    expect(await whiteAt({ ...base, calibration: twoScales }, [12, 30])).toEqual([false, false]);
  });
});
