/**
 * The case report's verdicts when the estimate asks to check something first (views that look
 * swapped, an implausible scale, an uncertain AI outline): the caveat is printed at the volume and
 * right above the verdicts, not only under Warnings, and each verdict resting on it is printed as
 * unverified; a settled estimate's verdicts print as before. Read back with pdftotext.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Estimate } from '../../src/api';
import { classify } from '../../src/clinical/reference-limits';
import { renderCaseReportPdf, type CaseReportData } from '../../src/reports/case-report';
import { pdfText } from '../pdf-text-harness';
import { reportView } from './report-view-fixture';
import { ellipseMask, sampleEstimate } from './store-fixtures';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'spv-report-verdict-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// The audit's swapped case: 167 mL and a 9.1-cm length, both "normal" for an adult.
const classification = classify(167, { length: 9.1 }, { ageYears: 55, sex: null });
const SWAP_WARNING =
  'The coronal and transverse views look swapped: give the long-axis view as coronal.';

async function reportText(estimate: Estimate, name: string): Promise<string> {
  const [w, h] = [160, 120];
  const grey = new Uint8Array(w * h).fill(90);
  const view = await reportView('Coronal', grey, w, h, ellipseMask(w, h, 50, 25));
  const data: CaseReportData = {
    patient: { id: 'SYNTH-0005', name: null },
    study: { caseId: '5', title: 'sample-05', studyInstanceUid: null, studyDate: null },
    views: [view],
    estimate,
    modelHash: null,
    maskSource: 'ai-not-reviewed',
    reader: null,
    signedOffAt: null,
    status: 'ai-ready',
    referenceVolumeMl: null,
    explanationPng: null,
    explanationText: null,
    generatedAt: new Date('2026-12-02T03:00:00Z'),
  };
  const path = join(dir, `${name}.pdf`);
  writeFileSync(path, await renderCaseReportPdf(data));
  return pdfText(path);
}

describe('the case report of an estimate with something to check first', () => {
  it('prints the caveat at the volume and above the verdicts, and each verdict as unverified', async () => {
    const text = await reportText(
      sampleEstimate(167, {
        classification,
        inputDoubts: ['views look swapped'],
        warnings: [SWAP_WARNING],
      }),
      'swapped',
    );
    expect(text).toContain(
      'Check first: views look swapped. The volume and the verdicts below are unverified until checked.',
    );
    const verdicts = text.slice(text.indexOf('Reference limits and classification'));
    expect(verdicts).toMatch(
      /^Reference limits and classification Unverified: these verdicts rest on: views look swapped\. Check it first\. NORMAL\? \(UNVERIFIED\) — adult volume ≤ 314 mL/,
    );
    // No verdict prints as settled.
    expect(text).not.toMatch(/ NORMAL — /);
    // The caveat comes before the verdicts, the Warnings after them.
    expect(text.indexOf('Check first:')).toBeLessThan(text.indexOf('NORMAL? (UNVERIFIED)'));
    expect(text.indexOf('NORMAL? (UNVERIFIED)')).toBeLessThan(text.indexOf('Warnings'));
  });

  it('prints a settled estimate’s verdicts as before, with no caveat', async () => {
    const text = await reportText(sampleEstimate(167, { classification }), 'settled');
    expect(text).toMatch(/Reference limits and classification NORMAL — adult volume ≤ 314 mL/);
    expect(text).not.toContain('UNVERIFIED');
    expect(text).not.toContain('Check first');
  });
});
