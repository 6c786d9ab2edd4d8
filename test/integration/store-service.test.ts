/**
 * The store service over the real engine and the shipped models: import the samples, run a
 * three-case review session (accept, correct, flag), sign off, unlock, summarise and export.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createEngine, type Engine } from '../../src/engine';
import { decodeMaskRle, encodeMaskRle } from '../../src/imaging/mask-codec';
import { createStoreService, type StoreService } from '../../src/store-service/service';
import type { CaliperLine, MaskRle } from '../../src/api/contract';
import { MODELS_DIR, SAMPLES_DIR } from './cli-helpers';
import {
  HAVE_MODELS_AND_SAMPLES,
  startStoreHarness,
  type StoreHarness,
  warnWhenSkipped,
} from './store-engine-harness';

warnWhenSkipped('store-service');

let harness: StoreHarness;
let dir: string;
let engine: Engine;
let service: StoreService;
const ids: Record<string, string> = {};
const READER = 'Dr. Integration';

/** Cuts the mask's right third away: a correction that must lower the volume. */
function cutRightThird(rle: MaskRle): MaskRle {
  const mask = decodeMaskRle(rle);
  let maxX = 0;
  let minX = rle.width;
  for (let i = 0; i < mask.length; i++) {
    if (!mask[i]) continue;
    const x = i % rle.width;
    maxX = Math.max(maxX, x);
    minX = Math.min(minX, x);
  }
  const cut = maxX - Math.floor((maxX - minX) / 3);
  for (let i = 0; i < mask.length; i++) if (i % rle.width > cut) mask[i] = 0;
  return encodeMaskRle(mask, rle.width, rle.height);
}

describe.skipIf(!HAVE_MODELS_AND_SAMPLES)('store service with the engine', () => {
  beforeAll(async () => {
    harness = await startStoreHarness('spv-service-');
    ({ dir, engine } = harness);
    service = harness.openService();
    const report = await service.importPaths({ paths: [SAMPLES_DIR] });
    expect(report.imported.length).toBeGreaterThanOrEqual(16);
    for (const c of await service.listCases({})) ids[c.title] = c.caseId;
  });
  afterAll(() => harness?.close());

  it('imports the samples as new cases, PNG pairs and DICOM studies', async () => {
    const cases = await service.listCases({ status: 'new' });
    expect(cases.map((c) => c.title)).toEqual(
      expect.arrayContaining(['sample-01', 'sample-03', 'sample-08']),
    );
    const dicom = cases.find((c) => c.patientKey === 'SYNTH-0003')!;
    expect(dicom.views).toEqual(['coronal', 'transverse']);
    expect(dicom.studyInstanceUid).toMatch(/^[0-9.]+$/);
  });

  it('runs a three-case review session: accept, correct, flag, sign off, unlock', async () => {
    const session = await service.createSession({
      reader: READER,
      caseIds: [ids['sample-01'], ids['sample-03'], ids['sample-05']],
      title: 'integration',
    });
    expect(session.worklist.map((e) => e.case.title)).toEqual([
      'sample-01',
      'sample-03',
      'sample-05',
    ]);

    // Opening runs the AI once and stores its masks and estimate.
    const opened = await service.openStoredCase({
      caseId: ids['sample-01'],
      reader: READER,
      sessionId: session.sessionId,
    });
    expect(opened.status).toBe('in-review');
    expect(opened.aiMasks?.coronal.width).toBe(opened.view.coronal.width);
    expect(opened.estimate?.volumeMl).toBeGreaterThan(0);
    const accepted = await service.acceptAi({ caseId: ids['sample-01'], reader: READER });
    expect(accepted.volumeMl).toBeCloseTo(opened.estimate!.volumeMl, 6);
    expect((await service.signOff({ caseId: ids['sample-01'], reader: READER })).status).toBe(
      'signed-off',
    );

    const toCorrect = await service.openStoredCase({
      caseId: ids['sample-03'],
      reader: READER,
      sessionId: session.sessionId,
    });
    const aiVolume = toCorrect.estimate!.volumeMl;
    // A correction saved with a caliper length that is not its line's is refused, nothing saved.
    await expect(
      service.saveCorrection({
        caseId: ids['sample-03'],
        reader: READER,
        masks: toCorrect.aiMasks!,
        caliperLengths: { length: 20 },
        caliperLines: [{ view: 'coronal', kind: 'length', a: [40, 150], b: [257, 150] }],
      }),
    ).rejects.toThrow(/^The length sent \(20 cm\) is not the length of its caliper/);
    expect((await service.getCase({ caseId: ids['sample-03'] })).measurements).toEqual([]);
    const corrected = await service.saveCorrection({
      caseId: ids['sample-03'],
      reader: READER,
      masks: {
        coronal: cutRightThird(toCorrect.aiMasks!.coronal),
        transverse: toCorrect.aiMasks!.transverse,
      },
    });
    expect(corrected.status).toBe('corrected');
    // The stored estimate is the engine's answer for the corrected masks: a third of the spleen
    // cut away gives a shorter mask and a smaller volume.
    expect(corrected.volumeMl!).toBeLessThan(aiVolume);
    const afterCorrection = await service.getCase({ caseId: ids['sample-03'] });
    expect(afterCorrection.aiEstimate!.volumeMl).toBeCloseTo(aiVolume, 9);
    expect(afterCorrection.finalEstimate!.volumeMl).toBeCloseTo(corrected.volumeMl!, 9);
    expect(afterCorrection.finalEstimate!.lengths.length!).toBeLessThan(
      afterCorrection.aiEstimate!.lengths.length!,
    );
    await service.signOff({ caseId: ids['sample-03'], reader: READER });

    await service.openStoredCase({
      caseId: ids['sample-05'],
      reader: READER,
      sessionId: session.sessionId,
    });
    const flagged = await service.flagCase({
      caseId: ids['sample-05'],
      reader: READER,
      comment: 'lower pole hidden by a rib shadow',
    });
    expect(flagged).toMatchObject({
      status: 'flagged',
      flagComment: 'lower pole hidden by a rib shadow',
    });

    for (const [caseId, ms] of [
      [ids['sample-01'], 20_000],
      [ids['sample-03'], 60_000],
      [ids['sample-05'], 10_000],
    ] as const) {
      await service.recordTimeSpent({ sessionId: session.sessionId, caseId, ms });
    }

    // A signed-off case: the live estimate still answers, but nothing is saved until an unlock.
    const detailBefore = await service.getCase({ caseId: ids['sample-03'] });
    const live = await service.estimate({
      caseId: toCorrect.view.caseId,
      masks: toCorrect.aiMasks!,
    });
    expect(live.warnings.join(' ')).toMatch(/signed off: this change is not saved/);
    expect((await service.getCase({ caseId: ids['sample-03'] })).masks).toHaveLength(
      detailBefore.masks.length,
    );
    await expect(
      service.saveCorrection({
        caseId: ids['sample-03'],
        reader: READER,
        masks: toCorrect.aiMasks!,
      }),
    ).rejects.toThrow(/unlock it with a reason/);

    const unlocked = await service.unlockCase({
      caseId: ids['sample-03'],
      reader: READER,
      reason: 'recheck the hilum',
    });
    expect(unlocked).toMatchObject({ status: 'in-review', version: 2 });
    // After the unlock, the UI's ordinary estimate call is persisted as a new mask version.
    await service.estimate({
      caseId: toCorrect.view.caseId,
      masks: {
        coronal: cutRightThird(cutRightThird(toCorrect.aiMasks!.coronal)),
        transverse: toCorrect.aiMasks!.transverse,
      },
    });
    // Caliper lengths sent with an estimate are kept as measurements (only when they change).
    // The lines are horizontal: their lengths are their pixel spans at each view's scale.
    const caliperLines = [
      { view: 'coronal', kind: 'length', a: [40, 150], b: [257, 150] },
      { view: 'transverse', kind: 'width', a: [90, 120], b: [195, 120] },
    ] satisfies CaliperLine[];
    const lengthCm = (217 * toCorrect.view.coronal.calibration!.spacingX) / 10;
    const widthCm = (105 * toCorrect.view.transverse!.calibration!.spacingX) / 10;
    const edited = {
      caseId: toCorrect.view.caseId,
      masks: {
        coronal: cutRightThird(cutRightThird(toCorrect.aiMasks!.coronal)),
        transverse: toCorrect.aiMasks!.transverse,
      },
    };
    // A length that is not its line's (a stale or hand-typed number) is refused and not stored.
    await expect(
      service.estimate({ ...edited, caliperLengths: { length: 11.2 }, caliperLines }),
    ).rejects.toMatchObject({
      code: 'bad-input',
      message: expect.stringMatching(
        /^The length sent \(11\.2 cm\) is not the length of its caliper on the coronal view/,
      ),
    });
    for (let k = 0; k < 2; k++) {
      const estimate = await service.estimate({
        ...edited,
        caliperLengths: { length: lengthCm, width: widthCm },
        caliperLines,
      });
      expect(estimate.lengths).toMatchObject({ length: lengthCm, width: widthCm });
    }
    const detail = await service.getCase({ caseId: ids['sample-03'] });
    expect(detail.measurements.map((m) => [m.view, m.kind, m.valueCm, m.points, m.author])).toEqual(
      [
        [
          'coronal',
          'length',
          lengthCm,
          [
            [40, 150],
            [257, 150],
          ],
          READER,
        ],
        [
          'transverse',
          'width',
          widthCm,
          [
            [90, 120],
            [195, 120],
          ],
          READER,
        ],
      ],
    );
    expect(
      detail.masks.filter((m) => m.view === 'coronal').map((m) => [m.version, m.source]),
    ).toEqual([
      [1, 'ai'],
      [2, 'manual'],
      [3, 'manual'],
    ]);
    // A line sent without its length is measured by the engine, and the store keeps that length;
    // of two lines of one kind the newest is measured and its end points are the ones kept.
    const thicknessLine = {
      view: 'transverse',
      kind: 'thickness',
      a: [140, 60],
      b: [140, 150],
    } satisfies CaliperLine;
    const newerLength = {
      view: 'coronal',
      kind: 'length',
      a: [40, 150],
      b: [240, 150],
    } satisfies CaliperLine;
    const linesOnly = await service.estimate({
      ...edited,
      caliperLines: [...caliperLines, thicknessLine, newerLength],
    });
    const thicknessCm = (90 * toCorrect.view.transverse!.calibration!.spacingY) / 10;
    const newerCm = (200 * toCorrect.view.coronal.calibration!.spacingX) / 10;
    expect(linesOnly.caliperLengths).toEqual({
      length: expect.closeTo(newerCm, 9),
      width: expect.closeTo(widthCm, 9),
      thickness: expect.closeTo(thicknessCm, 9),
    });
    expect(linesOnly.lengths).toMatchObject(linesOnly.caliperLengths!);
    const remeasured = await service.getCase({ caseId: ids['sample-03'] });
    // The saved estimate keeps which lengths were the reader's (the report marks them).
    expect(remeasured.finalEstimate?.caliperLengths).toEqual(linesOnly.caliperLengths);
    expect(remeasured.measurements.slice(2).map((m) => [m.kind, m.valueCm, m.points])).toEqual([
      ['length', expect.closeTo(newerCm, 9), [newerLength.a, newerLength.b]],
      ['thickness', expect.closeTo(thicknessCm, 9), [thicknessLine.a, thicknessLine.b]],
    ]);
    expect(detail.audit.map((a) => a.action)).toEqual(
      expect.arrayContaining(['case.sign-off', 'case.unlock', 'mask.save', 'estimate.save']),
    );
    await service.signOff({ caseId: ids['sample-03'], reader: READER });

    const summary = await service.sessionSummary({ sessionId: session.sessionId });
    const byTitle = Object.fromEntries(summary.rows.map((r) => [r.title, r]));
    expect(byTitle['sample-01'].diceCoronal).toBe(1);
    expect(byTitle['sample-03'].diceCoronal!).toBeLessThan(0.95);
    expect(byTitle['sample-03'].finalVolumeMl).not.toBeNull();
    expect(summary.meanTimePerCaseMs).toBeCloseTo(30_000, 6);
    // The flagged case was neither accepted nor corrected: not reviewed, so not in the agreement
    // (src/reports/review-state.ts).
    expect(summary.blandAltman[0]).toMatchObject({ name: 'AI vs final', n: 2 });
    expect(summary.blandAltman.length).toBeGreaterThan(1);
    expect(summary.plots[0].pngDataUrl).toMatch(/^data:image\/png;base64,/);

    const files = await service.exportSession({ sessionId: session.sessionId });
    const names = files.map((f) => f.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'summary.csv',
        'bland-altman-ai-vs-final.png',
        `report-case-${ids['sample-03']}.pdf`,
      ]),
    );
    const csv = readFileSync(files.find((f) => f.name === 'summary.csv')!.path, 'utf8');
    expect(csv.split('\n')[0]).toMatch(
      /^case_id,title,patient,status,ai_volume_ml,final_volume_ml/,
    );
    expect(csv).toContain('lower pole hidden by a rib shadow');
    const pdfText = execFileSync('pdftotext', [
      files.find((f) => f.name === `report-case-${ids['sample-03']}.pdf`)!.path,
      '-',
    ]).toString();
    expect(pdfText).toContain('LOCAL-sample-03');
    expect(pdfText).toContain(byTitle['sample-03'].finalVolumeMl!.toFixed(1));
    expect(pdfText).toContain(READER);
  });

  it('keeps an uncalibrated case without a volume until the reader calibrates it, and remembers the calibration', async () => {
    const uncalibrated = (await service.listCases({})).find((c) => !c.calibrated)!;
    expect(uncalibrated).toBeDefined();
    const opened = await service.openStoredCase({ caseId: uncalibrated.caseId, reader: READER });
    expect(opened.estimate).toBeNull();
    expect(opened.aiMasks).not.toBeNull();
    await expect(
      service.estimate({ caseId: opened.view.caseId, masks: opened.aiMasks! }),
    ).rejects.toThrow(/no calibration/);
    await service.calibrate({
      caseId: opened.view.caseId,
      view: 'coronal',
      pointA: [10, 10],
      pointB: [10, 210],
      distanceMm: 80,
    });
    const estimate = await service.estimate({ caseId: opened.view.caseId, masks: opened.aiMasks! });
    expect(estimate.volumeMl).toBeGreaterThan(0);
    const summary = (await service.listCases({})).find((c) => c.caseId === uncalibrated.caseId)!;
    expect(summary).toMatchObject({ calibrated: true, volumeMl: estimate.volumeMl });

    // A later session (a fresh service over the same database) reopens it calibrated.
    const later = createStoreService({ dataDir: join(dir, 'data'), engine });
    try {
      const reopened = await later.openStoredCase({ caseId: uncalibrated.caseId, reader: READER });
      expect(reopened.view.coronal.calibration).toMatchObject({
        source: 'user',
        spacingX: 0.4,
        spacingY: 0.4,
      });
      expect(reopened.estimate?.volumeMl).toBeCloseTo(estimate.volumeMl, 9);
    } finally {
      later.close();
    }
  });

  it('reopens a stored case the engine has forgotten (it keeps only its most recent cases)', async () => {
    const forgetful = await createEngine({
      modelsDir: MODELS_DIR,
      samplesDir: SAMPLES_DIR,
      host: 'web',
      maxOpenCases: 2,
    });
    const small = createStoreService({ dataDir: join(dir, 'data'), engine: forgetful });
    try {
      const [a, b, c] = [ids['sample-06'], ids['sample-07'], ids['sample-08']];
      for (const caseId of [a, b, c]) await small.openStoredCase({ caseId, reader: READER });
      // The engine has dropped case a by now; accepting its AI mask reopens it transparently.
      const accepted = await small.acceptAi({ caseId: a, reader: READER });
      expect(accepted.volumeMl).toBeGreaterThan(0);
    } finally {
      small.close();
      await forgetful.close();
    }
  });

  it('exports the DICOM case as Encapsulated PDF and SR that dcmtk reads, and anonymised without identifiers', async () => {
    const caseId = (await service.listCases({})).find((c) => c.patientKey === 'SYNTH-0003')!.caseId;
    await service.openStoredCase({ caseId, reader: READER });
    for (const format of ['dicom-pdf', 'dicom-sr'] as const) {
      const file = await service.exportReport({ caseId, format });
      const dump = execFileSync('dcmdump', ['-q', file.path]).toString();
      expect(dump).toContain('[SYNTH-0003]');
      // The source study's own attributes are carried from import into the export.
      expect(dump).toMatch(/\(0008,0030\) TM \[120000\]/);
      expect(dump).toMatch(/\(0010,0040\) CS \[O\]/);
      expect(dump).toMatch(/\(0020,0010\) SH \[SYNTH0003\]/);
      if (format === 'dicom-sr')
        expect(execFileSync('dsrdump', [file.path]).toString()).toMatch(/Volume.*\(mL,UCUM,"mL"\)/);
      const anon = await service.exportReport({ caseId, format, anonymise: true });
      const bytes = readFileSync(anon.path).toString('latin1');
      expect(bytes).not.toContain('SYNTH-0003');
      expect(bytes).not.toContain('SYNTHETIC^SAMPLE03');
      execFileSync('dcmdump', ['-q', anon.path]);
    }
    const pdf = await service.exportReport({ caseId, format: 'pdf', anonymise: true });
    const copy = join(dir, 'anon.pdf');
    writeFileSync(copy, readFileSync(pdf.path));
    const text = execFileSync('pdftotext', [copy, '-']).toString();
    expect(text).not.toContain('SYNTH-0003');
    expect(text).toContain('ANONYMOUS');
  });
});
