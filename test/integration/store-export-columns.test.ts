/**
 * What a session export says and in what order, over the real store, engine and sample cases:
 * anonymised, every reader's name (summary CSV, case PDFs, SR) is the reader's keyed pseudonym,
 * the same reader the same pseudonym across cases and exports, the real name nowhere; identified,
 * the names are as before. The summary's rows follow the worklist's order, and its last columns
 * say whether a case's views were swapped in the app, what its sign-off confirmed, its verdicts
 * (unverified while they rest on something unconfirmed) and whom they were decided for.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExportedFile } from '../../src/api/store-contract';
import { Pseudonyms } from '../../src/reports/anon-pseudonyms';
import type { StoreService } from '../../src/store-service/service';
import { pdfText } from '../pdf-text-harness';
import {
  copySamples,
  copySwappedSample,
  HAVE_MODELS_AND_SAMPLES,
  startStoreHarness,
  type StoreHarness,
  warnWhenSkipped,
} from './store-engine-harness';

warnWhenSkipped('store-export-columns');

/** Two readers who sign off, and the session's own reader; names unlike anything else exported. */
const ADA = 'Dr. Ada Quellmann';
const BEN = 'Dr. Ben Orvieto';
const LEAD = 'Dr. Lea Sessionsky';
/** What of each name would identify its reader: none of it may be in an anonymised export. */
const NAME_PARTS = ['Quellmann', 'Orvieto', 'Sessionsky', 'Ada', 'Ben ', 'Lea '];
const PSEUDONYM = /^Reader [0-9a-f]{6}$/;

let harness: StoreHarness;
let service: StoreService;
/** plain: sample-01, signed off by Ada; swapped: sample-06 imported the wrong way round, its
 * views swapped in the app and signed off by Ben confirming what it asked; other: sample-02,
 * signed off by Ada confirming what it asked. */
const ids = { plain: '', swapped: '', other: '' };
/** What the swapped case's estimate asked to check, confirmed at its sign-off. */
let swappedChecked: string[];
let sessionId: string;

/** The CSV's header and rows, each row as a map from column to its (unquoted) cell. */
function readCsv(path: string): { header: string[]; rows: Record<string, string>[] } {
  const [head, ...lines] = readFileSync(path, 'utf8').trimEnd().split('\n');
  const header = head.split(',');
  // The cells read here hold no comma or quote: a plain split is the CSV's own.
  return {
    header,
    rows: lines.map((line) => Object.fromEntries(line.split(',').map((c, i) => [header[i], c]))),
  };
}

function expectNoReaderName(text: string): void {
  for (const part of NAME_PARTS) expect(text).not.toContain(part);
}

/** dcmdump's line of the SR's Verifying Observer Name. */
function verifyingObserver(file: ExportedFile): string | undefined {
  return execFileSync('dcmdump', ['-q', file.path])
    .toString()
    .split('\n')
    .find((line) => line.includes('VerifyingObserverName'));
}

/** The text of an SR as dsrdump reads it, with its raw bytes (names are stored as written). */
function srText(file: ExportedFile): string {
  return (
    readFileSync(file.path).toString('latin1') + execFileSync('dsrdump', [file.path]).toString()
  );
}

describe.skipIf(!HAVE_MODELS_AND_SAMPLES)('what a session export says, and in what order', () => {
  beforeAll(async () => {
    harness = await startStoreHarness('spv-export-columns-');
    service = harness.openService();
    const images = join(harness.dir, 'images');
    mkdirSync(images);
    copySamples(images, ['sample-01', 'sample-02']);
    copySwappedSample(images, 'sample-06');
    const report = await service.importPaths({ paths: [images], runAi: true });
    expect(report.failed).toEqual([]);
    const byTitle = Object.fromEntries((await service.listCases({})).map((c) => [c.title, c]));
    ids.plain = byTitle['sample-01'].caseId;
    ids.other = byTitle['sample-02'].caseId;
    ids.swapped = byTitle['sample-06'].caseId;

    for (const caseId of [ids.plain, ids.other]) {
      await service.openStoredCase({ caseId, reader: ADA });
      await service.acceptAi({ caseId, reader: ADA });
      const { checkFirst } = (await service.getCase({ caseId })).summary;
      await service.signOff({ caseId, reader: ADA, checked: checkFirst });
    }
    await service.openStoredCase({ caseId: ids.swapped, reader: BEN });
    await service.swapViews({ caseId: ids.swapped, reader: BEN });
    swappedChecked = (await service.getCase({ caseId: ids.swapped })).summary.checkFirst;
    await service.signOff({ caseId: ids.swapped, reader: BEN, checked: swappedChecked });

    // The worklist's order is not the cases' order in the database.
    const session = await service.createSession({
      reader: LEAD,
      caseIds: [ids.swapped, ids.plain, ids.other],
      title: 'export columns',
    });
    sessionId = session.sessionId;
  }, 300_000);
  afterAll(() => harness?.close());

  it('names every reader by a keyed pseudonym in the anonymised CSV, PDFs and SR, the same reader the same one', async () => {
    const folder = join(harness.dir, 'anonymised');
    const files = await service.exportSessionTo(Number(sessionId), folder, true);
    const csv = readFileSync(join(folder, 'summary.csv'), 'utf8');
    expectNoReaderName(csv);
    const pseudonyms = new Pseudonyms(service.store.pseudonymKey());
    const { rows } = readCsv(join(folder, 'summary.csv'));
    const rowOf = (caseId: string) => rows.find((r) => r.case_id === pseudonyms.caseRef(caseId))!;
    const ada = rowOf(ids.plain).signed_off_by;
    const ben = rowOf(ids.swapped).signed_off_by;
    expect(ada).toMatch(PSEUDONYM);
    expect(ben).toMatch(PSEUDONYM);
    // One reader, one pseudonym across cases; two readers, two pseudonyms.
    expect(rowOf(ids.other).signed_off_by).toBe(ada);
    expect(ben).not.toBe(ada);
    // The verdicts stay (they name no one); whom they were for (age, sex) is left out.
    expect(rowOf(ids.plain).verdicts).toMatch(/adult volume ≤ 314 mL/);
    expect(rowOf(ids.plain).limits_for).toBe('');

    // Each case's PDF names its reader, and who checked what, by the same pseudonym.
    const pdfOf = (caseId: string) => {
      const file = files.find((f) => f.name === `report-${pseudonyms.caseRef(caseId)}-anon.pdf`);
      return pdfText(file!.path);
    };
    for (const file of files.filter((f) => f.name.endsWith('.pdf')))
      expectNoReaderName(pdfText(file.path));
    for (const file of files) expectNoReaderName(file.name);
    expect(pdfOf(ids.plain)).toContain(`Reader ${ada}`);
    expect(pdfOf(ids.other)).toContain(`Reader ${ada}`);
    const swappedPdf = pdfOf(ids.swapped);
    expect(swappedPdf).toContain(`Reader ${ben}`);
    expect(swappedChecked.length).toBeGreaterThan(0);
    expect(swappedPdf).toContain(`Checked by ${ben} at sign-off: ${swappedChecked.join('; ')}.`);

    // The SR, exported on its own, names the verifying observer and who checked by it too.
    const srFile = await service.exportReport({
      caseId: ids.swapped,
      format: 'dicom-sr',
      anonymise: true,
    });
    const sr = srText(srFile);
    expectNoReaderName(sr);
    expect(sr).toContain(`Checked by ${ben} at sign-off`);
    expect(sr).toContain(`"Person Observer Name")="${ben}"`);
    expect(verifyingObserver(srFile)).toContain(`[${ben}]`);

    // A second export of one installation gives the same pseudonyms.
    const again = await service.exportReport({ caseId: ids.plain, format: 'pdf', anonymise: true });
    expect(pdfText(again.path)).toContain(`Reader ${ada}`);
  });

  it('leaves identified exports naming the readers as before', async () => {
    const folder = join(harness.dir, 'identified');
    const files = await service.exportSessionTo(Number(sessionId), folder);
    const { rows } = readCsv(join(folder, 'summary.csv'));
    const rowOf = (caseId: string) => rows.find((r) => r.case_id === caseId)!;
    expect(rowOf(ids.plain).signed_off_by).toBe(ADA);
    expect(rowOf(ids.swapped).signed_off_by).toBe(BEN);
    const swappedPdf = pdfText(
      files.find((f) => f.name === `report-case-${ids.swapped}.pdf`)!.path,
    );
    expect(swappedPdf).toContain(`Reader ${BEN}`);
    expect(swappedPdf).toContain(`Checked by ${BEN} at sign-off`);
    const srFile = await service.exportReport({ caseId: ids.swapped, format: 'dicom-sr' });
    const sr = srText(srFile);
    expect(sr).toContain(`"Person Observer Name")="${BEN}"`);
    expect(verifyingObserver(srFile)).toContain(`[${BEN}]`);
    expect(sr).not.toMatch(/Reader [0-9a-f]{6}/);
  });

  it('writes the rows in the worklist order, and follows it when the worklist is reordered', async () => {
    const order = async (name: string) => {
      const folder = join(harness.dir, name);
      await service.exportSessionTo(Number(sessionId), folder);
      return readCsv(join(folder, 'summary.csv')).rows.map((r) => r.case_id);
    };
    expect(await order('order-1')).toEqual([ids.swapped, ids.plain, ids.other]);
    const api = await service.sessionSummary({ sessionId });
    expect(api.rows.map((r) => r.caseId)).toEqual([ids.swapped, ids.plain, ids.other]);

    // The worklist's positions, as the store keeps them, now in another order.
    const setPosition = service.store.db.prepare(
      'UPDATE session_cases SET position = ? WHERE session_id = ? AND case_id = ?',
    );
    [ids.other, ids.swapped, ids.plain].forEach((caseId, position) =>
      setPosition.run(position, Number(sessionId), Number(caseId)),
    );
    expect(await order('order-2')).toEqual([ids.other, ids.swapped, ids.plain]);
    const reordered = await service.sessionSummary({ sessionId });
    expect(reordered.rows.map((r) => r.caseId)).toEqual([ids.other, ids.swapped, ids.plain]);
  });

  it('says, last, whether the views were swapped and what the sign-off confirmed having checked', async () => {
    const folder = join(harness.dir, 'columns');
    const files = await service.exportSessionTo(Number(sessionId), folder);
    const { header, rows } = readCsv(join(folder, 'summary.csv'));
    expect(header.slice(-5)).toEqual([
      'in_statistics',
      'views_swapped',
      'checked_at_sign_off',
      'verdicts',
      'limits_for',
    ]);
    const rowOf = (caseId: string) => rows.find((r) => r.case_id === caseId)!;
    expect(rowOf(ids.swapped).views_swapped).toBe('yes');
    expect(rowOf(ids.swapped).checked_at_sign_off).toBe(swappedChecked.join('; '));
    const plainChecked = (await service.getCase({ caseId: ids.plain })).summary.checkFirst;
    expect(rowOf(ids.plain).views_swapped).toBe('no');
    expect(rowOf(ids.plain).checked_at_sign_off).toBe(plainChecked.join('; '));
    // Then the verdicts, settled by the sign-off that confirmed what they rested on, and whom
    // they were decided for (nobody gave an age or sex here).
    const settled =
      /^(normal|enlarged): adult volume ≤ 314 mL; (normal|enlarged): adult length ≤ 13\.0 cm$/;
    for (const caseId of [ids.swapped, ids.plain, ids.other]) {
      expect(rowOf(caseId).verdicts, caseId).toMatch(settled);
      expect(rowOf(caseId).limits_for, caseId).toBe('no age or sex given (adult limits assumed)');
    }

    // The PDF says it too: the swap in its header, what was checked beside the volume.
    const pdfOf = (caseId: string) =>
      pdfText(files.find((f) => f.name === `report-case-${caseId}.pdf`)!.path);
    expect(pdfOf(ids.swapped)).toContain('Views swapped in the app');
    expect(pdfOf(ids.plain)).not.toContain('swapped in the app');

    // Unlocked, the sign-off no longer stands: nothing is confirmed as checked.
    await service.unlockCase({ caseId: ids.swapped, reader: BEN, reason: 'recheck' });
    const after = join(harness.dir, 'columns-unlocked');
    await service.exportSessionTo(Number(sessionId), after);
    const unlocked = readCsv(join(after, 'summary.csv')).rows.find(
      (r) => r.case_id === ids.swapped,
    )!;
    expect(unlocked.checked_at_sign_off).toBe('');
    expect(unlocked.views_swapped).toBe('yes');
    // Its verdicts rest again on what its estimate asks to check: unverified.
    expect(swappedChecked.length).toBeGreaterThan(0);
    expect(unlocked.verdicts).toMatch(
      /^(normal|enlarged)\?: adult volume ≤ 314 mL; (normal|enlarged)\?: /,
    );
  });
});
