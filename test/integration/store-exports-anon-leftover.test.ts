/**
 * An anonymised session export (often zipped and shared as it is) carries neither the session's
 * id in this database nor its name (free text the reader typed), in its folder's name or in any
 * file; its folder carries no date, and two exports get two folders.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { StoreService } from '../../src/store-service/service';
import {
  HAVE_MODELS_AND_SAMPLES,
  importAcceptedSample,
  startStoreHarness,
  type StoreHarness,
} from './store-engine-harness';

const READER = 'Dr. Leftover';
/** A session name as a reader may type it: it names the patient. */
const SESSION_TITLE = 'Follow-up of Mrs Jane Quimby';
const ANON_FOLDER = /^anonymised-session-[0-9a-f]{6}(-\d+)?$/;

describe.skipIf(!HAVE_MODELS_AND_SAMPLES)('anonymised session export names (leftover)', () => {
  let harness: StoreHarness;
  let service: StoreService;
  let caseId: string;

  beforeAll(async () => {
    harness = await startStoreHarness('spv-exports-anon-leftover-');
    service = harness.openService();
    caseId = await importAcceptedSample(harness, service, { sample: 'sample-01', reader: READER });
  });
  afterAll(() => harness?.close());

  it("names the folder without the session's id, and no file carries the session's name", async () => {
    const session = await service.createSession({
      reader: READER,
      caseIds: [caseId],
      title: SESSION_TITLE,
    });
    const files = await service.exportSession({ sessionId: session.sessionId, anonymise: true });
    const folder = dirname(files[0].path);
    // The whole name is the fixed word and six random hex digits: no place for the session's id
    // (the identified export's folder is session-<id>-<time>). Checking that "session-1" does not
    // occur failed whenever the random digits began with a 1.
    expect(basename(folder)).toMatch(ANON_FOLDER);
    expect(files.map((f) => f.name)).toContain('summary.csv');
    expect(files.some((f) => f.name.endsWith('.pdf'))).toBe(true);
    for (const file of files) {
      expect(dirname(file.path)).toBe(folder);
      // The file names are fixed ones and the case's pseudonymous reference: no id, no name.
      expect(file.name).toMatch(
        /^(summary\.csv|bland-altman-[a-z0-9-]+\.png|report-CASE-[0-9A-F]{10}-anon\.pdf)$/,
      );
      const bytes = readFileSync(file.path);
      const text = file.name.endsWith('.pdf')
        ? execFileSync('pdftotext', ['-layout', file.path, '-']).toString()
        : bytes.toString('latin1');
      for (const word of ['Quimby', 'Follow-up']) {
        expect(text).not.toContain(word);
        expect(bytes.toString('latin1')).not.toContain(word);
      }
    }
    // Another session of the same case, under another id and name, exports the very same bytes:
    // nothing in the files comes from the session's id or name.
    const other = await service.createSession({ reader: READER, caseIds: [caseId], title: 'x' });
    const otherFiles = await service.exportSession({ sessionId: other.sessionId, anonymise: true });
    expect(otherFiles.map((f) => f.name)).toEqual(files.map((f) => f.name));
    for (const [k, file] of files.entries())
      expect(readFileSync(otherFiles[k].path).equals(readFileSync(file.path))).toBe(true);

    // A second export: a folder of its own, never the first's.
    const again = await service.exportSession({ sessionId: session.sessionId, anonymise: true });
    const second = dirname(again[0].path);
    expect(second).not.toBe(folder);
    expect(basename(second)).toMatch(ANON_FOLDER);
    expect(existsSync(join(second, 'summary.csv'))).toBe(true);

    // The identified export is named as before: by the session's id.
    const plain = await service.exportSession({ sessionId: session.sessionId });
    expect(basename(dirname(plain[0].path))).toMatch(new RegExp(`^session-${session.sessionId}-`));
  });

  it('names an anonymised report folder with no date, and makes no folder when refused', async () => {
    const file = await service.exportReport({ caseId, format: 'pdf', anonymise: true });
    expect(basename(dirname(file.path))).toMatch(/^anonymised-report-[0-9a-f]{6}(-\d+)?$/);
    const exportsDir = dirname(dirname(file.path));
    const before = readdirNames(exportsDir);
    await expect(service.exportSession({ sessionId: '9999', anonymise: true })).rejects.toThrow();
    expect(readdirNames(exportsDir)).toEqual(before);
  });
});

function readdirNames(folder: string): string[] {
  return readdirSync(folder).sort();
}
