/**
 * The report's rough edges over the real engine, store and shipped models: once a sign-off
 * confirmed sample-06's uncertain AI transverse outline, the engine's own warning about it says
 * who checked it (by pseudonym in the anonymised report), its text kept; and the bundled sample's
 * report (`spv report --sample`) says in its header what a sample is instead of an empty case id.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Pseudonyms } from '../../src/reports/anon-pseudonyms';
import { buildSampleReportPdf } from '../../src/store-service/report-builder';
import type { StoreService } from '../../src/store-service/service';
import { pdfText } from '../pdf-text-harness';
import {
  HAVE_MODELS_AND_SAMPLES,
  importAcceptedSample,
  startStoreHarness,
  type StoreHarness,
  warnWhenSkipped,
} from './store-engine-harness';

warnWhenSkipped('store-report-edges');

const READER = 'Dr. Edges';
let harness: StoreHarness;
let service: StoreService;

/** The Warnings of the report: from the heading to the explanation or the model table. */
function warnings(text: string): string {
  const from = text.indexOf(' Warnings ');
  const to = [' How the model sees this case ', ' Model ']
    .map((s) => text.indexOf(s, from))
    .filter((i) => i > from);
  return text.slice(from, Math.min(...to));
}

describe.skipIf(!HAVE_MODELS_AND_SAMPLES)('the report’s rough edges over the real engine', () => {
  beforeAll(async () => {
    harness = await startStoreHarness('spv-report-edges-');
    service = harness.openService();
  });
  afterAll(() => harness?.close());

  it('says who checked the uncertain outline’s warning after sign-off, by pseudonym anonymised', async () => {
    const caseId = await importAcceptedSample(harness, service, {
      sample: 'sample-06',
      reader: READER,
    });
    const { checkFirst } = (await service.getCase({ caseId })).summary;
    expect(checkFirst).toEqual(['uncertain AI transverse outline']);
    const reportText = async (anonymise: boolean) =>
      pdfText((await service.exportReport({ caseId, format: 'pdf', anonymise })).path);

    const before = warnings(await reportText(false));
    expect(before).toMatch(/• The AI's transverse outline is uncertain \(confidence /);
    expect(before).not.toContain('Checked by');

    await service.signOff({ caseId, reader: READER, checked: checkFirst });
    const signed = warnings(await reportText(false));
    expect(signed).toMatch(
      /• Checked by Dr\. Edges at sign-off \(uncertain AI transverse outline\): The AI's transverse outline is uncertain \(confidence [\d.]+, below [\d.]+; .*correct it before relying on the volume\./,
    );
    const anonymised = warnings(await reportText(true));
    const pseudonym = new Pseudonyms(service.store.pseudonymKey()).reader(READER);
    expect(anonymised).toContain(
      `• Checked by ${pseudonym} at sign-off (uncertain AI transverse outline): The AI's transverse outline is uncertain`,
    );
    expect(anonymised).not.toContain(READER);
  });

  it('names a bundled sample as one in the Study line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spv-report-edges-sample-'));
    try {
      const path = join(dir, 'sample.pdf');
      writeFileSync(path, await buildSampleReportPdf(harness.engine, 'sample-01', null));
      const text = pdfText(path);
      expect(text).toContain('Study Sample sample-01 (bundled sample, not stored)');
      expect(text).not.toContain('(case —)');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
