/**
 * The case report after sign-off (no models needed): once the reader confirmed at sign-off every
 * item the estimate asked to check first, the report says who checked them where the caveat was
 * and prints the verdicts as plain verdicts; a preliminary report, or a sign-off that confirmed
 * less, stays unverified. The sign-off time reads as a date and time with its zone, not as the
 * stored ISO value. Read back with pdftotext.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classify } from '../../src/clinical/reference-limits';
import { renderCaseReportPdf, type CaseReportData } from '../../src/reports/case-report';
import { readableSignOffTime } from '../../src/reports/report-signoff-time';
import { pdfText } from '../pdf-text-harness';
import { reportView } from './report-view-fixture';
import { ellipseMask, sampleEstimate } from './store-fixtures';

let dir: string;
let data: CaseReportData;
const SIGNED_OFF_AT = '2026-12-02T03:28:19.225Z';
const READER = 'Dr. Checked';
const TO_CHECK = ['views look swapped', 'uncertain AI transverse outline'];

async function reportText(extra: Partial<CaseReportData>, name: string): Promise<string> {
  const path = join(dir, `${name}.pdf`);
  writeFileSync(path, await renderCaseReportPdf({ ...data, ...extra }));
  return pdfText(path);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'spv-report-signoff-'));
  const [w, h] = [160, 120];
  data = {
    patient: { id: 'SYNTH-0006', name: null },
    study: { caseId: '6', title: 'sample-06', studyInstanceUid: null, studyDate: null },
    views: [
      await reportView('Coronal', new Uint8Array(w * h).fill(90), w, h, ellipseMask(w, h, 50, 25)),
    ],
    // 167 mL and a 9.1-cm length: both "normal" for an adult.
    estimate: sampleEstimate(167, {
      classification: classify(167, { length: 9.1 }, { ageYears: 55, sex: null }),
      uncertainOutline: ['transverse'],
      inputDoubts: ['views look swapped'],
    }),
    modelHash: null,
    maskSource: 'ai-accepted',
    reader: READER,
    signedOffAt: SIGNED_OFF_AT,
    checkedAtSignOff: { reader: READER, checked: TO_CHECK },
    status: 'signed-off (version 1)',
    referenceVolumeMl: null,
    explanationPng: null,
    explanationText: null,
    generatedAt: new Date('2026-12-02T04:00:00Z'),
  };
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the case report of a signed-off case whose estimate asked to check something first', () => {
  it('says who checked each item at sign-off, at the volume and above the verdicts, and prints the verdicts plain', async () => {
    const text = await reportText({}, 'confirmed');
    const checked =
      'Checked by Dr. Checked at sign-off: views look swapped; uncertain AI transverse outline.';
    const atVolume = text.indexOf(checked);
    expect(atVolume).toBeGreaterThan(text.indexOf('Spleen volume (DeepSPV'));
    expect(atVolume).toBeLessThan(text.indexOf('Length-based formulas'));
    expect(text.slice(text.indexOf('Reference limits and classification'))).toMatch(
      /^Reference limits and classification Checked by Dr\. Checked at sign-off: views look swapped; uncertain AI transverse outline\. NORMAL — adult volume ≤ 314 mL/,
    );
    expect(text).not.toContain('UNVERIFIED');
    expect(text).not.toContain('NORMAL?');
    expect(text).not.toContain('Check first');
    expect(text).not.toContain('Unverified');
  });

  it('keeps a preliminary report unverified: not signed off, or unlocked since', async () => {
    // An unlock clears the case's sign-off time; whatever else is handed in, it is preliminary.
    const text = await reportText({ signedOffAt: null }, 'preliminary');
    expect(text).toContain('NORMAL? (UNVERIFIED)');
    expect(text).toContain('Check first: views look swapped; uncertain AI transverse outline.');
    expect(text).not.toContain('Checked by');
    const none = await reportText({ checkedAtSignOff: null }, 'no-record');
    expect(none).toContain('NORMAL? (UNVERIFIED)');
    expect(none).not.toContain('Checked by');
  });

  it('stays unverified when the sign-off confirmed only some of the items', async () => {
    const text = await reportText(
      { checkedAtSignOff: { reader: READER, checked: ['views look swapped'] } },
      'partial',
    );
    expect(text).toContain('NORMAL? (UNVERIFIED)');
    expect(text).toContain('Check first: views look swapped; uncertain AI transverse outline.');
    expect(text).not.toContain('Checked by');
  });

  it('says the same anonymised, with the reader named and no date', async () => {
    const text = await reportText({ anonymised: true }, 'anonymised');
    expect(text).toContain(
      'Checked by Dr. Checked at sign-off: views look swapped; uncertain AI transverse outline.',
    );
    expect(text).toMatch(/NORMAL — adult volume/);
    expect(text).not.toContain('UNVERIFIED');
    expect(text).not.toContain('2026');
    expect(text).toContain('Signed off signed off (date and time left out: anonymised)');
  });

  it('prints a settled estimate’s report with no sign-off note', async () => {
    const text = await reportText(
      { estimate: { ...data.estimate, uncertainOutline: [], inputDoubts: [] } },
      'settled',
    );
    expect(text).toMatch(/Reference limits and classification NORMAL — adult volume/);
    expect(text).not.toContain('Checked by');
  });
});

describe('the sign-off time in the report', () => {
  it('reads as a date and time with its zone, not the stored ISO value', async () => {
    const text = await reportText({}, 'time');
    expect(text).toContain('Signed off 2 Dec 2026, 03:28 UTC');
    expect(text).not.toContain(SIGNED_OFF_AT);
    expect(text).not.toContain('2026-12-02T03:28');
  });

  it('writes day, month, year, hour and minute in UTC whatever the time', () => {
    expect(readableSignOffTime('2026-01-09T23:05:59.999Z')).toBe('9 Jan 2026, 23:05 UTC');
    expect(readableSignOffTime('2027-09-30T00:00:00.000Z')).toBe('30 Sep 2027, 00:00 UTC');
    // A value with another offset is said in UTC too.
    expect(readableSignOffTime('2026-12-02T04:28:00+01:00')).toBe('2 Dec 2026, 03:28 UTC');
    // A damaged value is printed as stored rather than as "Invalid Date".
    expect(readableSignOffTime('not a time')).toBe('not a time');
  });
});
