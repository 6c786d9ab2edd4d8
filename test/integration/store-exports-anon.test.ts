/**
 * Anonymised exports of stored cases over the real engine and the shipped models: keyed
 * pseudonyms (stable in one installation, different in another), no case id, sign-off time,
 * patient id or reader's name in the PDF, the session summary or the file names, the key never in an export, and
 * no anonymised export at all when the key cannot be read.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Pseudonyms } from '../../src/reports/anon-pseudonyms';
import { readableSignOffTime } from '../../src/reports/report-signoff-time';
import type { StoreService } from '../../src/store-service/service';
import type { ExportedFile } from '../../src/api/store-contract';
import { pdfInfo, pdfText } from '../pdf-text-harness';
import {
  copySamples,
  HAVE_MODELS_AND_SAMPLES,
  startStoreHarness,
  type StoreHarness,
  warnWhenSkipped,
} from './store-engine-harness';

warnWhenSkipped('store-exports-anon');

const READER = 'Dr. Anon';
let harness: StoreHarness;
let dir: string;
let images: string;
/** Two installations (data folders) holding the same patient's case. */
let first: StoreService;
let second: StoreService;

/** A service over a data folder of its own, with the sample imported: its one case's id. */
async function installation(name: string): Promise<{ service: StoreService; caseId: string }> {
  const service = harness.openService(name);
  const report = await service.importPaths({ paths: [images], runAi: true });
  expect(report.failed).toEqual([]);
  return { service, caseId: report.caseIds[0] };
}

/** Neither the key's bytes nor its hex are anywhere in the file. */
function expectNoKey(file: ExportedFile, key: Buffer): void {
  const bytes = readFileSync(file.path);
  expect(bytes.includes(key)).toBe(false);
  expect(bytes.toString('latin1').toLowerCase()).not.toContain(key.toString('hex'));
}

describe.skipIf(!HAVE_MODELS_AND_SAMPLES)('anonymised exports', () => {
  let firstCase: string;
  let secondCase: string;
  beforeAll(async () => {
    harness = await startStoreHarness('spv-exports-anon-');
    dir = harness.dir;
    images = join(dir, 'images');
    mkdirSync(images);
    copySamples(images, ['sample-01']);
    ({ service: first, caseId: firstCase } = await installation('first'));
    ({ service: second, caseId: secondCase } = await installation('second'));
    for (const [service, caseId] of [
      [first, firstCase],
      [second, secondCase],
    ] as const) {
      await service.openStoredCase({ caseId, reader: READER });
      await service.acceptAi({ caseId, reader: READER });
      await service.signOff({ caseId, reader: READER });
    }
  });
  afterAll(() => harness?.close());

  it('gives the PDF no case id, sign-off date or time, or patient id: a keyed reference and pseudonym instead', async () => {
    const row = first.store.getCase(Number(firstCase));
    expect(row.signedOffAt).not.toBeNull();
    const pseudonyms = new Pseudonyms(first.store.pseudonymKey());
    const file = await first.exportReport({ caseId: firstCase, format: 'pdf', anonymise: true });
    const text = pdfText(file.path);
    expect(text).not.toContain(row.patientKey);
    expect(text).toContain(pseudonyms.patientId(row.patientKey));
    expect(text).not.toMatch(/\(case \d+\)/);
    expect(text).toContain(`Study ${pseudonyms.caseRef(row.id)} (anonymised case reference)`);
    expect(text).not.toContain(row.signedOffAt!);
    expect(text).not.toContain(row.signedOffAt!.slice(0, 10));
    // No date at all: neither the sign-off nor when the report was generated.
    expect(text).not.toMatch(/\d{4}-\d{2}-\d{2}/);
    expect(text).toContain('Signed off signed off (date and time left out: anonymised)');
    // The file's own creation date is a dummy, not the export's time.
    const info = pdfInfo(file.path);
    expect(info).toMatch(/CreationDate:.*1970/);
    expect(info).not.toContain(String(new Date().getFullYear()));
    // The file name carries the reference, not the database's id.
    expect(file.name).toBe(`report-${pseudonyms.caseRef(row.id)}-anon.pdf`);
    expect(file.path).not.toContain(`case-${row.id}`);
    expectNoKey(file, first.store.pseudonymKey());

    // The identified report is as it was.
    const identified = await first.exportReport({ caseId: firstCase, format: 'pdf' });
    const plain = pdfText(identified.path);
    expect(identified.name).toBe(`report-case-${row.id}.pdf`);
    expect(plain).toContain(`(case ${row.id})`);
    expect(plain).toContain(`Signed off ${readableSignOffTime(row.signedOffAt!)}`);
    expect(plain).toContain(row.patientKey);
  });

  it('keeps each patient’s pseudonym across exports of one installation, and another installation gives another', async () => {
    const patientKey = first.store.getCase(Number(firstCase)).patientKey;
    // The same images in both: the same patient.
    expect(second.store.getCase(Number(secondCase)).patientKey).toBe(patientKey);
    const pseudonymIn = async (service: StoreService, caseId: string) => {
      const file = await service.exportReport({ caseId, format: 'pdf', anonymise: true });
      return { text: pdfText(file.path), name: file.name };
    };
    const once = await pseudonymIn(first, firstCase);
    const again = await pseudonymIn(first, firstCase);
    const elsewhere = await pseudonymIn(second, secondCase);
    const ids = (t: string) => t.match(/ANON-[0-9A-F]{12}/g) ?? [];
    expect(ids(once.text)).toHaveLength(1);
    expect(ids(again.text)).toEqual(ids(once.text));
    expect(again.name).toBe(once.name);
    expect(ids(elsewhere.text)).toHaveLength(1);
    expect(ids(elsewhere.text)).not.toEqual(ids(once.text));
    expect(first.store.pseudonymKey().equals(second.store.pseudonymKey())).toBe(false);
  });

  it('writes an anonymised session summary with no case id, sign-off time or patient id, in files named without them', async () => {
    const row = first.store.getCase(Number(firstCase));
    const pseudonyms = new Pseudonyms(first.store.pseudonymKey());
    const session = await first.createSession({
      reader: READER,
      caseIds: [firstCase],
      title: 'anon summary',
    });
    const folder = join(dir, 'session-anon');
    const files = await first.exportSessionTo(Number(session.sessionId), folder, true);
    const csv = readFileSync(join(folder, 'summary.csv'), 'utf8');
    const [header, line] = csv.trimEnd().split('\n');
    const cell = (name: string) => line.split(',')[header.split(',').indexOf(name)];
    expect(cell('case_id')).toBe(pseudonyms.caseRef(row.id));
    expect(cell('patient')).toBe(pseudonyms.patientId(row.patientKey));
    expect(cell('title')).toBe('(title left out: anonymised)');
    expect(cell('signed_off_at')).toBe('(time left out: anonymised)');
    // The reader by a keyed pseudonym, as in the anonymised PDF and SR (before, the real name).
    expect(cell('signed_off_by')).toBe(new Pseudonyms(first.store.pseudonymKey()).reader(READER));
    expect(csv).not.toContain(READER);
    expect(csv).not.toContain(row.patientKey);
    expect(csv).not.toMatch(/\d{4}-\d{2}-\d{2}/);
    expect(files.map((f) => f.name)).toContain(`report-${pseudonyms.caseRef(row.id)}-anon.pdf`);
    for (const f of files) {
      expect(f.name).not.toContain(`case-${row.id}`);
      expectNoKey(f, first.store.pseudonymKey());
    }
    // The identified summary still names the case by its id and its sign-off time.
    const plainFolder = join(dir, 'session-plain');
    await first.exportSessionTo(Number(session.sessionId), plainFolder);
    const plain = readFileSync(join(plainFolder, 'summary.csv'), 'utf8');
    expect(plain).toContain(`\n${row.id},`);
    expect(plain).toContain(row.signedOffAt!);
  });

  it('makes no anonymised export when the key cannot be read, and says what to do', async () => {
    const { service, caseId } = await installation('damaged');
    try {
      service.store.db
        .prepare('INSERT INTO pseudonym_key (id, key, created_at) VALUES (1, ?, ?)')
        .run(Buffer.alloc(5), new Date().toISOString());
      await expect(
        service.exportReport({ caseId, format: 'dicom-sr', anonymise: true }),
      ).rejects.toThrow(/anonymisation key .* is damaged.*Restore the database from a backup/);
      const session = await service.createSession({
        reader: READER,
        caseIds: [caseId],
        title: 'x',
      });
      const folder = join(dir, 'damaged-session');
      await expect(
        service.exportSessionTo(Number(session.sessionId), folder, true),
      ).rejects.toThrow(/anonymisation key .* is damaged/);
      // Nothing was written, not even the folder.
      expect(existsSync(folder)).toBe(false);
      expect(existsSync(join(dir, 'damaged', 'exports'))).toBe(false);
      // Identified exports do not need the key.
      const identified = await service.exportReport({ caseId, format: 'pdf' });
      expect(existsSync(identified.path)).toBe(true);
    } finally {
      service.close();
    }
  });
});
