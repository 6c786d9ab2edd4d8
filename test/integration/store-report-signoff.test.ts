/**
 * The report of a stored case after sign-off, over the real engine, store and shipped models:
 * sample-06's unedited AI transverse outline is an uncertain one, so its estimate asks the reader
 * to check it first. Before sign-off the report prints its verdicts unverified; once the reader
 * signed off confirming it, the report says who checked it and prints the verdicts plain, the
 * anonymised one too (the reader by a keyed pseudonym, no date); unlocked, it is preliminary and
 * unverified again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoreService } from '../../src/store-service/service';
import { Pseudonyms } from '../../src/reports/anon-pseudonyms';
import { readableSignOffTime } from '../../src/reports/report-signoff-time';
import { pdfText } from '../pdf-text-harness';
import {
  HAVE_MODELS_AND_SAMPLES,
  importAcceptedSample,
  startStoreHarness,
  type StoreHarness,
  warnWhenSkipped,
} from './store-engine-harness';

warnWhenSkipped('store-report-signoff');

const READER = 'Dr. Signoff';
let harness: StoreHarness;
let service: StoreService;
let caseId: string;

async function reportText(anonymise = false): Promise<string> {
  const file = await service.exportReport({ caseId, format: 'pdf', anonymise });
  return pdfText(file.path);
}

/** The verdict lines: from the heading to the model table (no Warnings heading in between). */
function verdicts(text: string): string {
  return text.slice(text.indexOf('Reference limits and classification'), text.indexOf(' Model '));
}

describe.skipIf(!HAVE_MODELS_AND_SAMPLES)('the report of a signed-off case', () => {
  let checkFirst: string[];
  beforeAll(async () => {
    harness = await startStoreHarness('spv-report-signoff-');
    service = harness.openService();
    caseId = await importAcceptedSample(harness, service, { sample: 'sample-06', reader: READER });
    checkFirst = (await service.getCase({ caseId })).summary.checkFirst;
  });
  afterAll(() => harness?.close());

  it('prints the verdicts unverified before sign-off', async () => {
    expect(checkFirst).toEqual(['uncertain AI transverse outline']);
    const text = await reportText();
    expect(text).toContain('Check first: uncertain AI transverse outline.');
    expect(verdicts(text)).toMatch(/\? \(UNVERIFIED\) — /);
    expect(text).not.toContain('Checked by');
    expect(text).toContain('Signed off not signed off (preliminary)');
  });

  it('says who checked each item at sign-off and prints the verdicts plain, identified and anonymised', async () => {
    await service.signOff({ caseId, reader: READER, checked: checkFirst });
    const signedOffAt = service.store.getCase(Number(caseId)).signedOffAt!;
    const note = `Checked by ${READER} at sign-off: uncertain AI transverse outline.`;

    const text = await reportText();
    expect(text).toContain(note);
    expect(verdicts(text)).toMatch(/^Reference limits and classification Checked by Dr\. Signoff/);
    expect(verdicts(text)).toMatch(/(NORMAL|ENLARGED) — /);
    expect(text).not.toContain('UNVERIFIED');
    expect(text).not.toContain('Check first');
    expect(text).not.toMatch(/(NORMAL|ENLARGED)\?/);
    // The sign-off time as read on paper, not the stored ISO value.
    expect(text).toContain(`Signed off ${readableSignOffTime(signedOffAt)}`);
    expect(text).not.toContain(signedOffAt);

    const anonymised = await reportText(true);
    // Anonymised, the reader is named by a keyed pseudonym (before, by the real name).
    const pseudonym = new Pseudonyms(service.store.pseudonymKey()).reader(READER);
    expect(anonymised).toContain(
      `Checked by ${pseudonym} at sign-off: uncertain AI transverse outline.`,
    );
    expect(anonymised).not.toContain(READER);
    expect(anonymised).not.toContain('UNVERIFIED');
    expect(anonymised).toContain('Signed off signed off (date and time left out: anonymised)');
    expect(anonymised).not.toContain(signedOffAt.slice(0, 10));
    expect(anonymised).not.toContain(readableSignOffTime(signedOffAt));
  });

  it('prints the verdicts unverified again once the case is unlocked', async () => {
    await service.unlockCase({ caseId, reader: READER, reason: 'recheck the outline' });
    const text = await reportText();
    expect(text).not.toContain('Checked by');
    expect(text).toContain('Check first: uncertain AI transverse outline.');
    expect(verdicts(text)).toMatch(/\? \(UNVERIFIED\) — /);
    expect(text).toContain('Signed off not signed off (preliminary)');
  });
});
