/**
 * Reports and exports of stored cases over the real engine and the shipped models: what a session
 * summary counts, what a case report says about its masks and reader, which caliper lines its
 * figure draws, and the audit trail of an export.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { decodeMaskRle } from '../../src/imaging/mask-codec';
import { estimateCaliperLines } from '../../src/store-service/calipers';
import type { StoreService } from '../../src/store-service/service';
import type { CaliperLine } from '../../src/api/contract';
import { pdfText } from '../pdf-text-harness';
import { SAMPLES_DIR } from './cli-helpers';
import {
  copySamples,
  HAVE_MODELS_AND_SAMPLES,
  startStoreHarness,
  type StoreHarness,
  warnWhenSkipped,
} from './store-engine-harness';
import { trimmed } from './store-mask-edits-fixture';

warnWhenSkipped('store-exports');

const READER = 'Dr. Exports';
let harness: StoreHarness;
let dir: string;
let service: StoreService;
/** Case ids by sample name (sample-01 …), each sample its own case. */
const ids: Record<string, string> = {};

/**
 * How many caliper-coloured (#00e5ff) pixels the report's coronal figure (its first image, at the
 * view's own pixel size) has within 6 px of `point`: where a caliper's end-point circle is drawn.
 */
async function caliperPixelsNear(pdfPath: string, point: [number, number]): Promise<number> {
  const prefix = join(dir, `figure-${Date.now()}`);
  execFileSync('pdfimages', ['-png', '-f', '1', '-l', '1', pdfPath, prefix]);
  const { data, info } = await sharp(`${prefix}-000.png`)
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  let n = 0;
  for (let y = point[1] - 6; y <= point[1] + 6; y++)
    for (let x = point[0] - 6; x <= point[0] + 6; x++) {
      const i = (y * info.width + x) * info.channels;
      if (data[i] < 80 && data[i + 1] > 180 && data[i + 2] > 200) n++;
    }
  for (const f of readdirSync(dir))
    if (f.startsWith(prefix.slice(dir.length + 1))) rmSync(join(dir, f));
  return n;
}

describe.skipIf(!HAVE_MODELS_AND_SAMPLES)('stored-case exports', () => {
  beforeAll(async () => {
    harness = await startStoreHarness('spv-exports-');
    dir = harness.dir;
    service = harness.openService();
    const images = join(dir, 'images');
    mkdirSync(images);
    copySamples(images, [
      'sample-01',
      'sample-02',
      'sample-04',
      'sample-05',
      'sample-06',
      'sample-07',
    ]);
    // The AI runs on every case at import: the session's untouched cases are "AI ready".
    const report = await service.importPaths({ paths: [images], runAi: true });
    expect(report.failed).toEqual([]);
    for (const c of await service.listCases({})) ids[c.title] = c.caseId;
  });
  afterAll(() => harness?.close());

  it('leaves cases no reader reviewed out of the session statistics, says so, and reports their masks as not reviewed', async () => {
    const session = await service.createSession({
      reader: READER,
      caseIds: [ids['sample-01'], ids['sample-02'], ids['sample-04'], ids['sample-05']],
      title: 'exports',
    });
    // sample-01: corrected and signed off.
    const corrected = await service.openStoredCase({
      caseId: ids['sample-01'],
      reader: READER,
      sessionId: session.sessionId,
    });
    await service.saveCorrection({
      caseId: ids['sample-01'],
      reader: READER,
      masks: {
        coronal: trimmed(corrected.aiMasks!.coronal, 3000),
        transverse: corrected.aiMasks!.transverse,
      },
    });
    await service.signOff({ caseId: ids['sample-01'], reader: READER });
    // sample-04: the AI's masks accepted, not yet signed off.
    await service.openStoredCase({ caseId: ids['sample-04'], reader: READER });
    await service.acceptAi({ caseId: ids['sample-04'], reader: READER });
    // sample-05: opened and flagged, its masks neither accepted nor corrected.
    await service.openStoredCase({ caseId: ids['sample-05'], reader: READER });
    await service.flagCase({ caseId: ids['sample-05'], reader: READER, comment: 'rib shadow' });
    // sample-02: never opened.
    await service.recordTimeSpent({
      sessionId: session.sessionId,
      caseId: ids['sample-01'],
      ms: 30_000,
    });

    const summary = await service.sessionSummary({ sessionId: session.sessionId });
    const row = (sample: string) => summary.rows.find((r) => r.caseId === ids[sample])!;
    // Every case is still listed, with its volumes.
    expect(summary.rows).toHaveLength(4);
    expect(row('sample-02').finalVolumeMl).toBeCloseTo(row('sample-02').aiVolumeMl!, 9);
    // Only the reviewed ones have a Dice: an untouched case's "final" masks are the AI's own.
    expect(row('sample-01').diceCoronal!).toBeLessThan(1);
    expect(row('sample-04').diceCoronal).toBe(1);
    expect(row('sample-02').diceCoronal).toBeNull();
    expect(row('sample-05').diceCoronal).toBeNull();
    expect(summary.meanDice).toBeCloseTo(
      [row('sample-01'), row('sample-04')]
        .flatMap((r) => [r.diceCoronal!, r.diceTransverse!])
        .reduce((s, d) => s + d, 0) / 4,
      9,
    );
    // AI vs final over the two reviewed cases only.
    const aiVsFinal = summary.blandAltman.find((b) => b.name === 'AI vs final')!;
    expect(aiVsFinal.n).toBe(2);
    expect(aiVsFinal.meanDifferenceMl).toBeCloseTo(
      (row('sample-01').aiVolumeMl! - row('sample-01').finalVolumeMl!) / 2,
      9,
    );
    for (const b of summary.blandAltman) expect(b.n).toBeLessThanOrEqual(2);
    // The summary says which cases it left out and why.
    expect((summary as { notReviewed?: unknown }).notReviewed).toEqual([
      { caseId: ids['sample-02'], reason: 'never opened by a reader' },
      {
        caseId: ids['sample-05'],
        reason: 'flagged; the AI mask was neither accepted nor corrected',
      },
    ]);

    const folder = join(dir, 'session-export');
    const files = await service.exportSessionTo(Number(session.sessionId), folder);
    const csv = readFileSync(join(folder, 'summary.csv'), 'utf8').trimEnd().split('\n');
    // in_statistics, then the columns appended after it (views swapped, checked at sign-off,
    // verdicts, limits for).
    expect(csv[0]).toMatch(/,in_statistics,views_swapped,checked_at_sign_off,verdicts,limits_for$/);
    const csvRow = (sample: string) => csv.find((l) => l.startsWith(`${ids[sample]},`))!;
    const tail = ',[^,]*,no age or sex given \\(adult limits assumed\\)$';
    expect(csvRow('sample-01')).toMatch(new RegExp(`,yes,no,[^,]*${tail}`));
    expect(csvRow('sample-02')).toMatch(new RegExp(`,no: never opened by a reader,no,${tail}`));

    const report = (sample: string) =>
      pdfText(files.find((f) => f.name === `report-case-${ids[sample]}.pdf`)!.path);
    const untouched = report('sample-02');
    expect(untouched).toContain('mask: AI segmentation, not reviewed by a reader');
    expect(untouched).not.toContain('AI segmentation accepted');
    // Nobody reviewed it: the session's reader is not named as its reader.
    expect(untouched).not.toContain(READER);
    expect(untouched).toMatch(/Reader — /);
    expect(report('sample-01')).toContain('mask: corrected by the reader');
    expect(report('sample-01')).toMatch(/Reader Dr\. Exports/);
    expect(report('sample-04')).toContain('mask: AI segmentation accepted by the reader');
    expect(report('sample-04')).toMatch(/Reader Dr\. Exports/);
  });

  it('refuses to export a session over an earlier export rather than overwrite it', async () => {
    const session = await service.createSession({
      reader: READER,
      caseIds: [ids['sample-02']],
      title: 'twice',
    });
    const folder = join(dir, 'twice');
    await service.exportSessionTo(Number(session.sessionId), folder);
    const first = readFileSync(join(folder, 'summary.csv'), 'utf8');
    await expect(service.exportSessionTo(Number(session.sessionId), folder)).rejects.toThrow(
      /already holds summary\.csv.*give a new or empty folder/,
    );
    expect(readFileSync(join(folder, 'summary.csv'), 'utf8')).toBe(first);
  });

  it('exports a session anonymised: no patient ids, titles or comments, and anonymised reports', async () => {
    const caseId = ids['sample-05'];
    const row = (await service.listCases({})).find((c) => c.caseId === caseId)!;
    await service.openStoredCase({ caseId, reader: READER });
    await service.flagCase({ caseId, reader: READER, comment: `call ${row.patientKey} back` });
    const session = await service.createSession({
      reader: READER,
      caseIds: [caseId],
      title: 'anon',
    });
    const files = await service.exportSession({ sessionId: session.sessionId, anonymise: true });
    const csv = readFileSync(files.find((f) => f.name === 'summary.csv')!.path, 'utf8');
    expect(csv).not.toContain(row.patientKey);
    expect(csv).not.toContain(row.title);
    // The case is named by its pseudonymous reference, not its id in this database (which the
    // hospital's copy shows): store-exports-anon.test.ts checks that.
    expect(csv).toContain('(title left out: anonymised)');
    expect(csv).toContain('(comment left out: anonymised)');
    const report = files.find((f) => /^report-CASE-[0-9A-F]{10}-anon\.pdf$/.test(f.name))!;
    const text = pdfText(report.path);
    expect(text).toContain('ANONYMOUS');
    expect(text).not.toContain(row.patientKey);
    const audit = service.store.auditLog().filter((a) => a.action === 'session.export');
    expect(audit.at(-1)?.detail).toMatchObject({ anonymise: true });
  });

  it('draws only the caliper lines behind the estimate, not a caliper it stopped using', async () => {
    const caseId = ids['sample-06'];
    const opened = await service.openStoredCase({ caseId, reader: READER });
    const line = {
      view: 'coronal',
      kind: 'length',
      a: [40, 150],
      b: [257, 150],
    } satisfies CaliperLine;
    const withCaliper = await service.estimate({
      caseId: opened.view.caseId,
      masks: opened.aiMasks!,
      caliperLines: [line],
    });
    expect(withCaliper.caliperLengths?.length).toBeGreaterThan(0);
    const first = service.store.latestEstimate(Number(caseId))!;
    expect(estimateCaliperLines(service.store, Number(caseId), first)).toEqual([line]);
    const drawn = await service.exportReport({ caseId, format: 'pdf' });
    expect(await caliperPixelsNear(drawn.path, line.a)).toBeGreaterThan(5);
    // Estimates saved before the lines were kept with them: found among the stored calipers.
    expect(
      estimateCaliperLines(service.store, Number(caseId), { estimate: first.estimate }),
    ).toEqual([line]);

    // Reopened later without calipers: the next estimate measures every length on the mask.
    const masks = {
      coronal: trimmed(opened.aiMasks!.coronal, 100),
      transverse: opened.aiMasks!.transverse,
    };
    const onMask = await service.estimate({
      caseId: opened.view.caseId,
      masks,
      caliperLengths: null,
      caliperLines: [],
    });
    expect(onMask.caliperLengths).toBeNull();
    const latest = service.store.latestEstimate(Number(caseId))!;
    // The old caliper is still stored, but the figure must not draw it next to mask lengths.
    expect(service.store.measurements(Number(caseId)).map((m) => m.kind)).toEqual(['length']);
    expect(estimateCaliperLines(service.store, Number(caseId), latest)).toEqual([]);
    expect(
      estimateCaliperLines(service.store, Number(caseId), { estimate: latest.estimate }),
    ).toEqual([]);
    const pdf = await service.exportReport({ caseId, format: 'pdf' });
    expect(pdfText(pdf.path)).toContain('all measured on the mask');
    expect(await caliperPixelsNear(pdf.path, line.a)).toBe(0);
  });

  it('audits an export under the name of whoever asked for it', async () => {
    const caseId = ids['sample-04'];
    await service.exportReport({ caseId, format: 'dicom-sr', reader: READER });
    await service.exportReport({ caseId, format: 'pdf' });
    const exported = service.store
      .auditLog(Number(caseId))
      .filter((a) => a.action === 'report.export');
    expect(exported.map((a) => a.actor)).toEqual([READER, 'export']);
  });

  it('blanks each anonymised figure outside the spleen, where scanners burn in names and dates', async () => {
    const caseId = ids['sample-02'];
    await service.openStoredCase({ caseId, reader: READER });
    const figure = async (anonymise: boolean) => {
      const file = await service.exportReport({ caseId, format: 'pdf', anonymise });
      const prefix = join(dir, `anon-${anonymise}`);
      execFileSync('pdfimages', ['-png', '-f', '1', '-l', '1', file.path, prefix]);
      const png = await sharp(`${prefix}-000.png`)
        .removeAlpha()
        .raw()
        .toBuffer({ resolveWithObject: true });
      return { ...png, text: pdfText(file.path) };
    };
    const plain = await figure(false);
    const anon = await figure(true);
    expect(anon.info.width).toBe(plain.info.width);
    const lit = (d: Buffer, i: number) => Math.max(d[i], d[i + 1], d[i + 2]);
    let shown = 0;
    let blanked = 0;
    for (let i = 0; i < plain.data.length; i += plain.info.channels)
      if (lit(plain.data, i) > 20) {
        shown++;
        if (lit(anon.data, i) <= 2) blanked++;
      }
    // Much of the scan is blanked, but not the spleen: its outline's pixels are the same.
    expect(blanked / shown).toBeGreaterThan(0.2);
    const mask = decodeMaskRle(
      (await service.openStoredCase({ caseId, reader: READER })).currentMasks!.coronal,
    );
    let inside = 0;
    let same = 0;
    for (let p = 0; p < mask.length; p++)
      if (mask[p]) {
        inside++;
        const i = p * plain.info.channels;
        if (plain.data.subarray(i, i + 3).equals(anon.data.subarray(i, i + 3))) same++;
      }
    expect(same / inside).toBeGreaterThan(0.99);
    expect(anon.text).toMatch(
      /Anonymised: each image is shown only around the spleen and its calipers/,
    );
    expect(anon.text).toMatch(/blanked: coronal \d+%, transverse \d+% of the image/);
    expect(plain.text).not.toMatch(/Anonymised:/);
  });

  it('reports and counts the masks behind the estimate when a later edit has no volume', async () => {
    const caseId = ids['sample-07'];
    const opened = await service.openStoredCase({ caseId, reader: READER });
    await service.acceptAi({ caseId, reader: READER });
    const coronalFigure = async () => {
      const file = await service.exportReport({ caseId, format: 'pdf' });
      const prefix = join(dir, `stale-${Date.now()}`);
      execFileSync('pdfimages', ['-png', '-f', '1', '-l', '1', file.path, prefix]);
      const figure = readFileSync(`${prefix}-000.png`);
      return { figure, text: pdfText(file.path) };
    };
    const before = await coronalFigure();
    // The reader erases the whole outline: saved, but an empty mask has no volume.
    const { width, height } = opened.aiMasks!.coronal;
    await service.saveCorrection({
      caseId,
      reader: READER,
      masks: { ...opened.aiMasks!, coronal: { width, height, runs: [width * height] } },
      masksOnly: true,
    });
    const after = await coronalFigure();
    // The figure still shows the masks the volume was computed from, and the report says why.
    expect(after.figure.equals(before.figure)).toBe(true);
    expect(after.text).toMatch(
      /the masks were edited after this estimate and that edit has no volume yet/,
    );
    const session = await service.createSession({
      reader: READER,
      caseIds: [caseId],
      title: 'stale',
    });
    const summary = await service.sessionSummary({ sessionId: session.sessionId });
    expect(summary.notReviewed).toEqual([
      { caseId, reason: 'edited after its latest estimate; that edit has no volume yet' },
    ]);
    expect(summary.blandAltman.find((b) => b.name === 'AI vs final')?.n ?? 0).toBe(0);
    expect(summary.meanDice).toBeNull();
  });

  it('says in the report where each view’s scale came from, with a hand-drawn one’s line', async () => {
    const folder = join(dir, 'by-hand');
    mkdirSync(folder);
    // sample-08's coronal image without its sidecar: calibrated on the ruler by the reader.
    copyFileSync(join(SAMPLES_DIR, 'sample-08_coronal.png'), join(folder, 'byhand_coronal.png'));
    const report = await service.importPaths({ paths: [folder] });
    const caseId = report.caseIds[0];
    const opened = await service.openStoredCase({ caseId, reader: READER });
    await service.calibrate({
      caseId: opened.view.caseId,
      view: 'coronal',
      pointA: [10, 10],
      pointB: [10, 210],
      distanceMm: 80,
    });
    const reopened = await service.openStoredCase({ caseId, reader: READER });
    await service.estimate({ caseId: reopened.view.caseId, masks: reopened.currentMasks! });
    const file = await service.exportReport({ caseId, format: 'pdf' });
    expect(pdfText(file.path)).toMatch(
      /0\.400 × 0\.400 mm\/px \(drawn by the reader: 80 mm over 200\.0 px\)/,
    );
    const sidecar = await service.exportReport({ caseId: ids['sample-06'], format: 'pdf' });
    expect(pdfText(sidecar.path)).toMatch(/mm\/px \(from the calibration file\)/);
  });

  it('reports a correction undone by Reset to AI, then signed off, as the AI segmentation accepted', async () => {
    const folder = join(dir, 'reset');
    mkdirSync(folder);
    // A case of its own: sample-02's images re-encoded (the import knows the originals).
    for (const view of ['coronal', 'transverse']) {
      await sharp(join(SAMPLES_DIR, `sample-02_${view}.png`))
        .png({ compressionLevel: 1 })
        .toFile(join(folder, `reset_${view}.png`));
      copyFileSync(join(SAMPLES_DIR, `sample-02_${view}.json`), join(folder, `reset_${view}.json`));
    }
    const caseId = (await service.importPaths({ paths: [folder] })).caseIds[0];
    const opened = await service.openStoredCase({ caseId, reader: READER });
    const ai = opened.aiMasks!;
    await service.estimate({
      caseId: opened.view.caseId,
      masks: { ...ai, coronal: trimmed(ai.coronal, 400) },
    });
    await service.estimate({ caseId: opened.view.caseId, masks: ai }); // Reset to AI
    await service.signOff({ caseId, reader: READER });
    const report = await service.exportReport({ caseId, format: 'pdf' });
    expect(pdfText(report.path)).toMatch(/mask: AI segmentation accepted by the reader/);
    const session = await service.createSession({
      reader: READER,
      caseIds: [caseId],
      title: 'reset',
    });
    const summary = await service.sessionSummary({ sessionId: session.sessionId });
    expect(summary.notReviewed).toEqual([]);
    expect(summary.rows[0].diceCoronal).toBe(1);
  });
});
