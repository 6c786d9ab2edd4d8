/**
 * The anonymised case report PDF on its own (no models needed): the case named by its keyed
 * reference, the sign-off without its date and time, no generation time, a dummy creation date in
 * the file's information; the identified report unchanged.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pseudonyms } from '../../src/reports/anon-pseudonyms';
import { renderCaseReportPdf, type CaseReportData } from '../../src/reports/case-report';
import { pdfInfo, pdfText } from '../pdf-text-harness';
import { reportView } from './report-view-fixture';
import { ellipseMask, sampleEstimate } from './store-fixtures';

let dir: string;
let data: CaseReportData;
const pseudonyms = new Pseudonyms(Buffer.alloc(32, 0x5c));
const CASE_ID = 4711;
const PATIENT_ID = '0012345678';
const SIGNED_OFF_AT = '2026-11-27T10:00:00.000Z';
const GENERATED_AT = new Date('2026-11-28T16:20:00Z');

/** Writes the PDF and returns its text (spaces collapsed) and pdfinfo's lines. */
async function render(extra: Partial<CaseReportData>): Promise<{ text: string; info: string }> {
  const path = join(dir, `report-${Object.keys(extra).join('-') || 'plain'}.pdf`);
  writeFileSync(path, await renderCaseReportPdf({ ...data, ...extra }));
  return { text: pdfText(path), info: pdfInfo(path) };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'spv-report-anon-'));
  const [w, h] = [256, 200];
  data = {
    patient: { id: PATIENT_ID, name: 'Doe^Jane' },
    study: {
      caseId: String(CASE_ID),
      title: `${PATIENT_ID} scan`,
      studyInstanceUid: '1.2.826.0.1.3680043.8.498.77',
      studyDate: '20261127',
    },
    views: [
      await reportView('Coronal', new Uint8Array(w * h).fill(60), w, h, ellipseMask(w, h, 80, 40)),
    ],
    estimate: sampleEstimate(212.4),
    modelHash: 'ab'.repeat(32),
    maskSource: 'corrected',
    reader: 'Dr. Reader',
    signedOffAt: SIGNED_OFF_AT,
    status: 'signed-off (version 1)',
    referenceVolumeMl: null,
    explanationPng: null,
    explanationText: null,
    generatedAt: GENERATED_AT,
  };
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('anonymised case report PDF', () => {
  it('holds neither the case id, the sign-off date and time, the generation time nor the patient id', async () => {
    // What CaseExports hands the report when anonymising.
    const { text, info } = await render({
      anonymised: true,
      patient: { id: pseudonyms.patientId(PATIENT_ID), name: 'ANONYMOUS' },
      study: {
        caseId: pseudonyms.caseRef(CASE_ID),
        title: pseudonyms.caseRef(CASE_ID),
        studyInstanceUid: null,
        studyDate: null,
      },
    });
    expect(text).not.toContain(String(CASE_ID));
    expect(text).not.toContain(PATIENT_ID);
    expect(text).not.toContain('2026');
    expect(text).toContain(`Study ${pseudonyms.caseRef(CASE_ID)} (anonymised case reference)`);
    expect(text).toContain('Signed off signed off (date and time left out: anonymised)');
    expect(text).toContain('anonymised report (no dates)');
    expect(info).toMatch(/CreationDate:.*1970/);
    expect(info).not.toContain('2026');
  });

  it('says "not signed off" for a case not signed off, anonymised or not', async () => {
    for (const anonymised of [true, false])
      expect((await render({ anonymised, signedOffAt: null })).text).toContain(
        'Signed off not signed off (preliminary)',
      );
  });

  it('leaves the identified report with its case id, sign-off time and generation time', async () => {
    const { text, info } = await render({});
    expect(text).toContain(`(case ${CASE_ID})`);
    // Read on paper: a date and time with its zone, not the stored ISO value.
    expect(text).toContain('Signed off 27 Nov 2026, 10:00 UTC');
    expect(text).toContain(`generated ${GENERATED_AT.toISOString()}`);
    expect(text).toContain(PATIENT_ID);
    expect(info).toMatch(/CreationDate:.*2026/);
  });
});
