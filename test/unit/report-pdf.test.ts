import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import {
  lengthsLine,
  renderCaseReportPdf,
  RESEARCH_NOTICE,
  type CaseReportData,
} from '../../src/reports/case-report';
import { latentFigurePng } from '../../src/reports/figures';
import { pdfText } from '../pdf-text-harness';
import { reportView } from './report-view-fixture';
import { ellipseMask, sampleEstimate } from './store-fixtures';

let dir: string;
let pdfPath: string;
// The reader drew the thickness with a caliper; the other lengths are the mask's.
const estimate = sampleEstimate(212.4, { caliperLengths: { thickness: 4.2 } });

async function speckle(width: number, height: number): Promise<Uint8Array> {
  const grey = new Uint8Array(width * height);
  for (let i = 0; i < grey.length; i++) grey[i] = 40 + ((i * 2654435761) >>> 24) / 4;
  return grey;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'spv-report-'));
  const [w, h] = [384, 320];
  const grey = await speckle(w, h);
  const coronal = await reportView('Coronal', grey, w, h, ellipseMask(w, h, 120, 60));
  const transverse = await reportView('Transverse', grey, w, h, ellipseMask(w, h, 70, 45));
  const cloud: [number, number, number][] = Array.from({ length: 60 }, (_, i) => [
    Math.cos(i) * 2 + i / 20,
    Math.sin(i * 1.3),
    80 + i * 20,
  ]);
  const data: CaseReportData = {
    patient: { id: 'SYNTH-0003', name: 'Synthetic^Three' },
    study: {
      caseId: '7',
      title: 'sample-03',
      studyInstanceUid: '1.2.826.0.1.3680043.8.498.77',
      studyDate: '20260101',
    },
    views: [coronal, transverse],
    estimate,
    modelHash: 'ab'.repeat(32),
    maskSource: 'corrected',
    reader: 'Dr. Reader',
    signedOffAt: '2026-11-27T10:00:00.000Z',
    status: 'signed-off',
    referenceVolumeMl: 205.1,
    explanationPng: await latentFigurePng({ cloud, position: [1, 0.2], volumeMl: 212.4 }),
    explanationText: 'Close to the training cases.',
    generatedAt: new Date('2026-11-27T10:05:00Z'),
  };
  const pdf = await renderCaseReportPdf(data);
  pdfPath = join(dir, 'report.pdf');
  writeFileSync(pdfPath, pdf);
});
afterAll(() => {
  if (process.env.SPV_KEEP_REPORT)
    writeFileSync(process.env.SPV_KEEP_REPORT, readFileSync(pdfPath));
  rmSync(dir, { recursive: true, force: true });
});

describe('case report PDF', () => {
  it('is a PDF whose extracted text (pdftotext) holds the patient, volume, interval and formula values', () => {
    expect(readFileSync(pdfPath).subarray(0, 5).toString()).toBe('%PDF-');
    const text = pdfText(pdfPath);
    expect(text).toContain('SYNTH-0003');
    expect(text).toContain('212.4 mL');
    expect(text).toContain(
      `95% interval ${estimate.ci95Ml[0].toFixed(1)} – ${estimate.ci95Ml[1].toFixed(1)} mL`,
    );
    for (const f of estimate.formulas) {
      expect(text).toContain(f.name);
      if (f.volumeMl !== null) expect(text).toContain(f.volumeMl.toFixed(1));
    }
    expect(text).toContain(
      'Lengths (cm): length 10.8, width 6.1, thickness 4.2 (caliper), cranio-caudal 10.1. (caliper): drawn by the reader; the others measured on the mask.',
    );
    expect(text).toContain('Prassopoulos et al., Eur Radiol 1997;7:246–8');
    expect(text).toContain('adult volume ≤ 314 mL');
    expect(text).toContain('Dr. Reader');
    // The sign-off time as read on paper, with its zone (not the stored ISO value).
    expect(text).toContain('Signed off 27 Nov 2026, 10:00 UTC');
    expect(text).toContain('spv-test-1');
    expect(text).toContain(RESEARCH_NOTICE.slice(0, 40));
  });

  it('says which lengths the reader measured only when the estimate recorded it', () => {
    const lengths = { length: 10.8, width: null, thickness: null, craniocaudal: 10.1 };
    expect(lengthsLine({ lengths, caliperLengths: null })).toBe(
      'Lengths (cm): length 10.8, width —, thickness —, cranio-caudal 10.1, all measured on the mask.',
    );
    // Saved before the app recorded it: no claim either way.
    expect(lengthsLine({ lengths })).toBe(
      'Lengths (cm): length 10.8, width —, thickness —, cranio-caudal 10.1',
    );
    expect(lengthsLine({ lengths, caliperLengths: { length: 10.8 } })).toMatch(
      /^Lengths \(cm\): length 10\.8 \(caliper\), width —, .*; the others measured on the mask\.$/,
    );
  });

  it('renders pages (pdftoppm) that are not blank', async () => {
    execFileSync('pdftoppm', ['-r', '40', '-png', pdfPath, join(dir, 'page')]);
    const pages = readdirSync(dir).filter((f) => f.startsWith('page') && f.endsWith('.png'));
    expect(pages.length).toBeGreaterThanOrEqual(1);
    const stats = await sharp(join(dir, pages.sort()[0])).stats();
    // A blank page is a single flat colour: the views and text make the luminance vary.
    expect(stats.channels[0].stdev).toBeGreaterThan(20);
    expect(stats.channels[0].min).toBeLessThan(50);
  });
});
