/**
 * The case report's remaining rough edges, read back from the PDF (pdftotext, with word positions
 * from pdftotext -bbox and image pages from pdfimages): the length printed with the digits its
 * verdict needs, a bundled sample's Study line, and the explanation figure kept on page 1 when it
 * fits there.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classify } from '../../src/clinical/reference-limits';
import {
  lengthsLine,
  renderCaseReportPdf,
  type CaseReportData,
} from '../../src/reports/case-report';
import { latentFigurePng } from '../../src/reports/figures';
import { pdfText } from '../pdf-text-harness';
import { reportView } from './report-view-fixture';
import { ellipseMask, sampleEstimate } from './store-fixtures';

let dir: string;
let data: CaseReportData;

/** A word pdftotext found, with its page (from 1) and box in pt from the page's top left. */
interface Word {
  page: number;
  text: string;
  yMin: number;
  yMax: number;
}

function words(path: string): { words: Word[]; pageHeight: number } {
  const html = execFileSync('pdftotext', ['-bbox', path, '-']).toString();
  const found: Word[] = [];
  let page = 0;
  let pageHeight = 0;
  for (const match of html.matchAll(
    /<page width="[\d.]+" height="([\d.]+)">|<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)<\/word>/g,
  )) {
    if (match[1] !== undefined) {
      page++;
      pageHeight = Number(match[1]);
    } else found.push({ page, text: match[4], yMin: Number(match[2]), yMax: Number(match[3]) });
  }
  return { words: found, pageHeight };
}

/** The page of each image in the PDF, in drawing order (pdfimages -list). */
function imagePages(path: string): number[] {
  return execFileSync('pdfimages', ['-list', path])
    .toString()
    .split('\n')
    .slice(2)
    .filter((line) => line.trim() !== '')
    .map((line) => Number(line.trim().split(/\s+/)[0]));
}

async function write(extra: Partial<CaseReportData>, name: string): Promise<string> {
  const path = join(dir, `${name}.pdf`);
  writeFileSync(path, await renderCaseReportPdf({ ...data, ...extra }));
  return path;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'spv-report-edges-layout-'));
  const [w, h] = [384, 320];
  const grey = new Uint8Array(w * h).fill(90);
  const cloud: [number, number, number][] = Array.from({ length: 60 }, (_, i) => [
    Math.cos(i) * 2 + i / 20,
    Math.sin(i * 1.3),
    80 + i * 20,
  ]);
  data = {
    patient: { id: 'SYNTH-0005', name: null },
    study: { caseId: '5', title: 'sample-05', studyInstanceUid: null, studyDate: null },
    views: [
      await reportView('Coronal', grey, w, h, ellipseMask(w, h, 120, 60)),
      await reportView('Transverse', grey, w, h, ellipseMask(w, h, 70, 45)),
    ],
    // sample-05: 347 mL and a 13.02-cm length, both just above the adult limits.
    estimate: sampleEstimate(347.5, {
      lengths: { length: 13.02, width: 8.5, thickness: 5.3, craniocaudal: 13.0 },
      classification: classify(347.5, { length: 13.02 }, null, [291.8, 413.8]),
      inputDoubts: [],
      uncertainOutline: [],
    }),
    modelHash: null,
    maskSource: 'ai-not-reviewed',
    reader: null,
    signedOffAt: null,
    status: 'ai-ready',
    referenceVolumeMl: null,
    explanationPng: await latentFigurePng({ cloud, position: [1, 0.2], volumeMl: 347.5 }),
    explanationText:
      'The model encodes the mask on a 3.5 mm grid into a latent code; the first principal component follows volume.',
    generatedAt: new Date('2026-12-02T03:00:00Z'),
  };
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the lengths line beside the length verdict', () => {
  it('prints the length with the digits the verdict gives it (sample-05: 13.02 cm above ≤ 13.0 cm)', async () => {
    const text = pdfText(await write({}, 'sample-05'));
    expect(text).toContain('13.02 cm is above the limit');
    expect(text).toContain(
      'Lengths (cm): length 13.02, width 8.5, thickness 5.3, cranio-caudal 13.0',
    );
    expect(text).not.toContain('length 13.0,');
  });

  it('keeps one digit where one parts the length from its limit, or where no verdict stands', () => {
    const lengths = { length: 12.34, width: 8.5, thickness: 5.3, craniocaudal: 13.0 };
    const adult = classify(300, { length: 12.34 }, { ageYears: 50 });
    expect(lengthsLine({ lengths, classification: adult })).toMatch(
      /^Lengths \(cm\): length 12\.3,/,
    );
    expect(lengthsLine({ lengths: { ...lengths, length: 13.02 } })).toMatch(/length 13\.0,/);
  });

  it('parts the length from each limit of an adolescent of unknown sex (12.0–13.0 cm)', () => {
    const lengths = { length: 12.04, width: null, thickness: null, craniocaudal: null };
    const teen = classify(null, { length: 12.04 }, { ageYears: 16 });
    expect(teen[0].limitText).toContain('12.0–13.0 cm');
    expect(lengthsLine({ lengths, classification: teen })).toMatch(/length 12\.04,/);
    // A child's limit (8–10 years: 11.0 cm).
    const child = classify(null, { length: 10.98 }, { ageYears: 9 });
    expect(lengthsLine({ lengths: { ...lengths, length: 10.98 }, classification: child })).toMatch(
      /length 10\.98,/,
    );
  });
});

describe('the Study line of a bundled sample', () => {
  it('says it is a bundled sample, not stored, instead of an empty case id', async () => {
    const text = pdfText(
      await write(
        {
          study: {
            caseId: null,
            title: 'Sample sample-01',
            studyInstanceUid: null,
            studyDate: null,
          },
        },
        'bundled',
      ),
    );
    expect(text).toContain('Study Sample sample-01 (bundled sample, not stored)');
    expect(text).not.toContain('(case');
  });

  it('keeps a stored case’s title and id', async () => {
    expect(pdfText(await write({}, 'stored'))).toContain('Study sample-05 (case 5)');
  });
});

describe('the explanation figure', () => {
  const heading = (found: Word[]) => found.find((word) => word.text === 'How')!;

  it('stays on page 1 when the block fits above the bottom margin, as measured', async () => {
    // Warnings enough to bring the figure below where the fixed guard sent it to page 2 (a page
    // bottom of 841.9 − 110 pt less its 170 pt), with room for it still on page 1.
    const warnings = Array.from({ length: 5 }, (_, i) => `Warning ${i + 1} of this case.`);
    const path = await write({ estimate: { ...data.estimate, warnings } }, 'fits');
    const { words: found, pageHeight } = words(path);
    const lastWarning = found.filter((word) => word.text === 'Warning').at(-1)!;
    expect(lastWarning.page).toBe(1);
    expect(lastWarning.yMax + 170).toBeGreaterThan(pageHeight - 110);
    const at = heading(found);
    expect(at.page).toBe(1);
    // Below the warnings, and the figure's 165 pt within the 40 pt margin.
    expect(at.yMin).toBeGreaterThan(lastWarning.yMax);
    expect(at.yMin + 165).toBeLessThanOrEqual(pageHeight - 40);
    // The two views and the figure on page 1; its text beside it too.
    expect(imagePages(path)).toEqual([1, 1, 1]);
    const grid = found.find((word) => word.text === 'grid')!;
    expect(grid.page).toBe(1);
  });

  it('goes to page 2 with its text when it does not fit', async () => {
    const warnings = Array.from({ length: 14 }, (_, i) => `Warning ${i + 1} of this case.`);
    const path = await write({ estimate: { ...data.estimate, warnings } }, 'moves');
    const { words: found } = words(path);
    expect(found.filter((word) => word.text === 'Warning').at(-1)!.page).toBe(1);
    expect(heading(found).page).toBe(2);
    expect(found.find((word) => word.text === 'grid')!.page).toBe(2);
    expect(imagePages(path)).toEqual([1, 1, 2]);
  });
});
