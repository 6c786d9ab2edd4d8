/**
 * Stored-case integrity over the real engine and the shipped models: a signed-off case refuses
 * every change until it is unlocked, sign-off takes only the estimate the reader saw (fresh: its
 * masks and calibration are the case's), every edit is saved whether or not it can be estimated,
 * a reopened case keeps the reader's own inputs, edits stay under the reader who made them, and a
 * case whose image file changed since import is refused.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { createEngine, type Engine } from '../../src/engine';
import { createStoreService, type StoreService } from '../../src/store-service/service';
import type { CaliperLine, MaskRle } from '../../src/api/contract';
import { MODELS_DIR, SAMPLES_DIR } from './cli-helpers';
import {
  copySamples,
  HAVE_MODELS_AND_SAMPLES,
  startStoreHarness,
  type StoreHarness,
} from './store-engine-harness';
import { trimmed, withCoronal } from './store-mask-edits-fixture';

const SAMPLES = [
  'sample-01',
  'sample-02',
  'sample-03',
  'sample-04',
  'sample-05',
  'sample-06',
  'sample-07',
];
/** Imported without its calibration sidecars: a case with no volume until it is calibrated. */
const UNCALIBRATED = 'sample-08';
const A = 'Dr. Integrity';
const B = 'Dr. Second';

let harness: StoreHarness;
let dir: string;
let images: string;
let engine: Engine;
let service: StoreService;
const ids: Record<string, string> = {};

const empty = (rle: MaskRle): MaskRle => ({
  width: rle.width,
  height: rle.height,
  runs: [rle.width * rle.height],
});

describe.skipIf(!HAVE_MODELS_AND_SAMPLES)('stored-case integrity', () => {
  beforeAll(async () => {
    harness = await startStoreHarness('spv-integrity-');
    ({ dir, engine } = harness);
    service = harness.openService();
    images = join(dir, 'images');
    mkdirSync(images);
    copySamples(images, SAMPLES, { skipMissing: true });
    copySamples(images, [UNCALIBRATED], { exts: ['png'] });
    await service.importPaths({ paths: [images] });
    for (const c of await service.listCases({})) ids[c.title] = c.caseId;
    expect(Object.keys(ids)).toEqual(expect.arrayContaining(SAMPLES));
  });
  afterAll(() => harness?.close());

  it('refuses to accept the AI mask, recalibrate or change the status of a signed-off case', async () => {
    const caseId = ids['sample-01'];
    const opened = await service.openStoredCase({ caseId, reader: A });
    await service.saveCorrection({
      caseId,
      reader: A,
      masks: withCoronal(opened.aiMasks!, trimmed(opened.aiMasks!.coronal, 400)),
    });
    const signed = await service.signOff({ caseId, reader: A });
    const before = await service.getCase({ caseId });

    await expect(service.acceptAi({ caseId, reader: B })).rejects.toMatchObject({
      code: 'forbidden',
      message: expect.stringMatching(/signed off by Dr\. Integrity .*unlock it with a reason/),
    });
    await expect(
      service.calibrate({
        caseId: opened.view.caseId,
        view: 'coronal',
        pointA: [10, 10],
        pointB: [10, 210],
        distanceMm: 160,
      }),
    ).rejects.toThrow(/unlock it with a reason/);
    expect(() => service.store.setStatus(Number(caseId), 'in-review', B)).toThrow(
      /unlock it with a reason/,
    );
    const after = await service.getCase({ caseId });
    expect(after.summary).toEqual(before.summary);
    expect(after.summary).toMatchObject({ status: 'signed-off', signedOffBy: A });
    expect(after.summary.volumeMl).toBe(signed.volumeMl);
    expect(after.masks).toEqual(before.masks);
    expect(after.images).toEqual(before.images);
    expect(after.audit).toEqual(before.audit);
    // The engine kept the calibration the volume was signed with.
    const reopened = await service.openStoredCase({ caseId, reader: A });
    expect(reopened.view.coronal.calibration).toEqual(opened.view.coronal.calibration);

    // The unlock path still works, and then accepting the AI mask is an ordinary change.
    await service.unlockCase({ caseId, reader: B, reason: 'compare with the AI mask' });
    const accepted = await service.acceptAi({ caseId, reader: B });
    expect(accepted).toMatchObject({ status: 'in-review', signedOffBy: null, version: 2 });
  });

  it('refuses to sign off an estimate made before a recalibration until a fresh one exists', async () => {
    const caseId = ids['sample-02'];
    const opened = await service.openStoredCase({ caseId, reader: A });
    for (const view of ['coronal', 'transverse'] as const)
      await service.calibrate({
        caseId: opened.view.caseId,
        view,
        pointA: [10, 10],
        pointB: [10, 210],
        distanceMm: 160,
      });
    await expect(service.signOff({ caseId, reader: A })).rejects.toThrow(
      /was recalibrated after its latest estimate/,
    );
    expect((await service.getCase({ caseId })).summary.status).not.toBe('signed-off');
    // The estimate of the new calibration is saved; its volume is the one signed off.
    const fresh = await service.estimate({
      caseId: opened.view.caseId,
      masks: opened.currentMasks!,
    });
    expect(fresh.volumeMl).not.toBeCloseTo(opened.estimate!.volumeMl, 3);
    const signed = await service.signOff({ caseId, reader: A });
    expect(signed.volumeMl).toBe(fresh.volumeMl);
  });

  it('signs off only the latest estimate: not while an edit is being estimated, nor an older one', async () => {
    const caseId = ids['sample-03'];
    const opened = await service.openStoredCase({ caseId, reader: A });
    expect(opened.estimateId).not.toBeNull();
    const masks = withCoronal(opened.aiMasks!, trimmed(opened.aiMasks!.coronal, 4000));
    const inFlight = service.estimate({ caseId: opened.view.caseId, masks });
    await expect(service.signOff({ caseId, reader: A })).rejects.toThrow(
      /the estimate of the latest edit has not finished/,
    );
    const edited = await inFlight;
    // The id the reader had from opening the case is no longer the latest one.
    await expect(
      service.signOff({ caseId, reader: A, estimateId: opened.estimateId }),
    ).rejects.toThrow(/no longer the latest/);
    const current = (await service.listCases({})).find((c) => c.caseId === caseId)!;
    expect(current.volumeMl).toBe(edited.volumeMl);
    const signed = await service.signOff({ caseId, reader: A, estimateId: current.estimateId });
    expect(signed).toMatchObject({ status: 'signed-off', volumeMl: edited.volumeMl });
  });

  it('saves an edit that has no estimate, and refuses to sign off the older estimate then', async () => {
    const caseId = ids['sample-05'];
    const opened = await service.openStoredCase({ caseId, reader: A });
    const erased = withCoronal(opened.aiMasks!, empty(opened.aiMasks!.coronal));
    await expect(service.estimate({ caseId: opened.view.caseId, masks: erased })).rejects.toThrow();
    const detail = await service.getCase({ caseId });
    expect(
      detail.masks.filter((m) => m.view === 'coronal').map((m) => [m.source, m.areaPx]),
    ).toEqual([
      ['ai', expect.any(Number)],
      ['manual', 0],
    ]);
    expect(detail.audit.at(-1)).toMatchObject({ actor: A, action: 'mask.save' });
    await expect(service.signOff({ caseId, reader: A })).rejects.toThrow(
      /the mask was edited after its latest estimate/,
    );
    // The viewer's own save of an edit, without an estimate.
    const redrawn = withCoronal(opened.aiMasks!, trimmed(opened.aiMasks!.coronal, 100));
    await service.saveCorrection({ caseId, reader: A, masks: redrawn, masksOnly: true });
    const latest = (await service.getCase({ caseId })).masks.filter((m) => m.view === 'coronal');
    expect(latest.at(-1)).toMatchObject({ source: 'manual', version: 3, author: A });
  });

  it('saves the corrections of a case that is not calibrated yet', async () => {
    const caseId = ids[UNCALIBRATED];
    expect((await service.getCase({ caseId })).summary.calibrated).toBe(false);
    const opened = await service.openStoredCase({ caseId: caseId, reader: A });
    expect(opened.estimate).toBeNull();
    const corrected = withCoronal(opened.aiMasks!, trimmed(opened.aiMasks!.coronal, 300));
    await service.saveCorrection({ caseId: caseId, reader: A, masks: corrected });
    const again = await service.openStoredCase({ caseId: caseId, reader: A });
    expect(again.currentMasks!.coronal).toEqual(corrected.coronal);
  });

  it("reopens a case with the reader's patient inputs and calipers, and does not replace its estimate", async () => {
    const caseId = ids['sample-06'];
    const opened = await service.openStoredCase({ caseId, reader: A });
    const line: CaliperLine = { view: 'coronal', kind: 'length', a: [40, 150], b: [300, 150] };
    const patient = { ageYears: 6, sex: 'female' as const, heightCm: 115 };
    const final = await service.estimate({
      caseId: opened.view.caseId,
      masks: opened.currentMasks!,
      patient,
      caliperLines: [line],
    });
    const estimatesBefore = (await service.getCase({ caseId })).audit.filter(
      (a) => a.action === 'estimate.save',
    ).length;

    // Next day: a fresh service; the viewer restores what the case returns and estimates it.
    const later = createStoreService({ dataDir: join(dir, 'data'), engine });
    try {
      const reopened = await later.openStoredCase({ caseId, reader: A });
      expect(reopened.patient).toEqual(patient);
      expect(reopened.caliperLines).toEqual([line]);
      expect(reopened.estimate).toMatchObject({ volumeMl: final.volumeMl });
      const first = await later.estimate({
        caseId: reopened.view.caseId,
        masks: reopened.currentMasks!,
        patient: reopened.patient,
        caliperLines: reopened.caliperLines,
      });
      expect(first.volumeMl).toBe(final.volumeMl);
      const detail = await later.getCase({ caseId });
      expect(detail.audit.filter((a) => a.action === 'estimate.save')).toHaveLength(
        estimatesBefore,
      );
      expect(detail.finalEstimate!.caliperLengths).toEqual(final.caliperLengths);
      // The AI's transverse outline, unedited, is an uncertain one: sign-off confirms it checked.
      expect(detail.summary.checkFirst).toEqual(['uncertain AI transverse outline']);
      const signed = await later.signOff({
        caseId,
        reader: A,
        estimateId: reopened.estimateId,
        checked: detail.summary.checkFirst,
      });
      expect(signed.volumeMl).toBe(final.volumeMl);
    } finally {
      later.close();
    }
  });

  it("keeps the reader's patient inputs and calipers when the AI mask is accepted after a correction", async () => {
    const caseId = ids['sample-04'];
    const opened = await service.openStoredCase({ caseId, reader: A });
    const line: CaliperLine = { view: 'coronal', kind: 'length', a: [40, 150], b: [300, 150] };
    const patient = { ageYears: 5, sex: 'male' as const, heightCm: null };
    const corrected = await service.estimate({
      caseId: opened.view.caseId,
      masks: withCoronal(opened.aiMasks!, trimmed(opened.aiMasks!.coronal, 500)),
      patient,
      caliperLines: [line],
    });
    expect(corrected.caliperLengths?.length).toBeGreaterThan(0);

    await service.acceptAi({ caseId, reader: A });
    const accepted = (await service.getCase({ caseId })).finalEstimate!;
    // The length is still the caliper's, and the child's length limit (Rosenberg) still applies.
    expect(accepted.caliperLengths).toEqual(corrected.caliperLengths);
    expect(accepted.lengths.length).toBe(corrected.lengths.length);
    expect(accepted.classification.map((c) => c.limitText)).toEqual(
      corrected.classification.map((c) => c.limitText),
    );
    expect(accepted.classification.some((c) => /child/.test(c.limitText))).toBe(true);
    const reopened = await service.openStoredCase({ caseId, reader: A });
    expect(reopened.patient).toEqual(patient);
    expect(reopened.caliperLines).toEqual([line]);
  });

  it('keeps recording the viewer edits under its reader when someone else opens the case meanwhile', async () => {
    const caseId = ids['sample-07'];
    const opened = await service.openStoredCase({ caseId, reader: A });
    const engineCaseId = opened.view.caseId;
    await service.estimate({
      caseId: engineCaseId,
      masks: withCoronal(opened.aiMasks!, trimmed(opened.aiMasks!.coronal, 200)),
    });
    // Another action opens the same stored case under another name (an export, an accept).
    await service.acceptAi({ caseId, reader: B });
    await service.estimate({
      caseId: engineCaseId,
      masks: withCoronal(opened.aiMasks!, trimmed(opened.aiMasks!.coronal, 400)),
    });
    const masks = (await service.getCase({ caseId })).masks.filter((m) => m.view === 'coronal');
    expect(masks.map((m) => [m.source, m.author])).toEqual([
      ['ai', 'model'],
      ['manual', A],
      ['ai', B],
      ['manual', A],
    ]);
  });

  it('saves two edits in flight at once in the order they were made, and reopens on the last', async () => {
    // The real engine, with the first estimate held back: the reader's next edit is sent while
    // it runs (a stroke's estimate still in flight as the reader opens the next case).
    let release: () => void = () => {};
    const held = new Promise<void>((r) => (release = r));
    let calls = 0;
    const slow = new Proxy(engine, {
      get(target, key) {
        if (key === 'estimate')
          return async (req: Parameters<Engine['estimate']>[0]) => {
            if (calls++ === 0) await held;
            return target.estimate(req);
          };
        const value: unknown = Reflect.get(target, key);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const racing = createStoreService({ dataDir: join(dir, 'data'), engine: slow });
    try {
      const caseId = ids['sample-01'];
      const opened = await racing.openStoredCase({ caseId, reader: A });
      const ai = opened.aiMasks!;
      const first = racing.estimate({
        caseId: opened.view.caseId,
        masks: withCoronal(ai, trimmed(ai.coronal, 100)),
      });
      const lastMasks = withCoronal(ai, trimmed(ai.coronal, 900));
      const last = racing.estimate({ caseId: opened.view.caseId, masks: lastMasks });
      // Reopening waits for both; the first is still held back.
      const reopened = racing.openStoredCase({ caseId, reader: A });
      release();
      const [, lastEstimate] = await Promise.all([first, last]);
      expect((await reopened).currentMasks!.coronal).toEqual(lastMasks.coronal);
      const detail = await racing.getCase({ caseId });
      expect(detail.finalEstimate!.volumeMl).toBe(lastEstimate.volumeMl);
      const signed = await racing.signOff({ caseId, reader: A });
      expect(signed.volumeMl).toBe(lastEstimate.volumeMl);
    } finally {
      racing.close();
    }
  });

  it('keeps the AI masks of an outline that gives no volume, and opens the case for correction', async () => {
    // A calibrated image with nothing in it: the AI finds no spleen, and an empty outline has
    // no volume. The case must still open (with the AI's empty masks) for the reader to draw.
    const blank = join(dir, 'blank');
    mkdirSync(blank);
    await sharp(Buffer.alloc(320 * 240), { raw: { width: 320, height: 240, channels: 1 } })
      .png()
      .toFile(join(blank, 'blank_coronal.png'));
    writeFileSync(join(blank, 'blank_coronal.json'), JSON.stringify({ spacing_mm: [0.4, 0.4] }));
    const report = await service.importPaths({ paths: [blank], runAi: true });
    expect(report.failed).toEqual([]);
    const caseId = report.caseIds[0];
    const detail = await service.getCase({ caseId });
    expect(detail.summary.status).toBe('ai-ready');
    expect(detail.masks.map((m) => [m.view, m.source])).toEqual([['coronal', 'ai']]);
    expect(detail.audit.find((a) => a.action === 'ai.no-volume')?.detail).toMatchObject({
      reason: expect.stringMatching(
        /The AI found no spleen in the coronal image blank_coronal\.png/,
      ),
    });
    const opened = await service.openStoredCase({ caseId, reader: A });
    expect(opened.aiMasks?.coronal.runs).toEqual([320 * 240]);
    expect(opened.estimate).toBeNull();
  });

  it('estimates, accepts and signs off a case whose transverse view is not calibrated, from the coronal view', async () => {
    // The coronal image with its sidecar, the transverse one without: left out of the volume.
    const half = join(dir, 'half');
    mkdirSync(half);
    // Re-encoded, so that the import does not take them for the sample-01 images it already has.
    for (const view of ['coronal', 'transverse'])
      await sharp(join(SAMPLES_DIR, `sample-01_${view}.png`))
        .png({ compressionLevel: 1 })
        .toFile(join(half, `half_${view}.png`));
    copyFileSync(join(SAMPLES_DIR, 'sample-01_coronal.json'), join(half, 'half_coronal.json'));
    const report = await service.importPaths({ paths: [half], runAi: true });
    const caseId = report.caseIds[0];
    // The AI ran on both views and estimated from the coronal one.
    const imported = await service.getCase({ caseId });
    expect(imported.summary.status).toBe('ai-ready');
    expect(imported.finalEstimate?.model).toBe('single');
    const opened = await service.openStoredCase({ caseId, reader: A });
    expect(opened.view.transverse?.calibration).toBeNull();
    // What the viewer sends: the coronal mask alone while the transverse view is uncalibrated.
    const estimate = await service.estimate({
      caseId: opened.view.caseId,
      masks: { coronal: trimmed(opened.aiMasks!.coronal, 200), transverse: null },
    });
    await service.acceptAi({ caseId, reader: A });
    const corrected = await service.estimate({
      caseId: opened.view.caseId,
      masks: { coronal: trimmed(opened.aiMasks!.coronal, 200), transverse: null },
    });
    expect(corrected.volumeMl).toBe(estimate.volumeMl);
    const signed = await service.signOff({ caseId, reader: A });
    expect(signed).toMatchObject({ status: 'signed-off', volumeMl: estimate.volumeMl });
  });

  it('goes on saving the viewer’s edits after the engine forgot its case, under the id it knows', async () => {
    // An engine that keeps one case: any other opening forgets the viewer's.
    const forgetful = await createEngine({
      modelsDir: MODELS_DIR,
      samplesDir: SAMPLES_DIR,
      host: 'web',
      maxOpenCases: 1,
    });
    const viewer = createStoreService({ dataDir: join(dir, 'data'), engine: forgetful });
    try {
      // A case of its own (re-encoded sample-04 images, with their calibration).
      const own = join(dir, 'evicted');
      mkdirSync(own);
      for (const view of ['coronal', 'transverse']) {
        await sharp(join(SAMPLES_DIR, `sample-04_${view}.png`))
          .png({ compressionLevel: 2 })
          .toFile(join(own, `evicted_${view}.png`));
        copyFileSync(
          join(SAMPLES_DIR, `sample-04_${view}.json`),
          join(own, `evicted_${view}.json`),
        );
      }
      const caseId = (await viewer.importPaths({ paths: [own] })).caseIds[0];
      const opened = await viewer.openStoredCase({ caseId, reader: A });
      const knownId = opened.view.caseId;
      await viewer.openSample({ sampleId: null });
      for (const cut of [300, 600]) {
        const masks = withCoronal(opened.aiMasks!, trimmed(opened.aiMasks!.coronal, cut));
        const estimate = await viewer.estimate({ caseId: knownId, masks });
        expect((await viewer.getCase({ caseId })).finalEstimate!.volumeMl).toBe(estimate.volumeMl);
      }
      // Explaining and calibrating under the old id reach the case too.
      await expect(
        viewer.explain({ caseId: knownId, masks: opened.aiMasks! }),
      ).resolves.toBeTruthy();
    } finally {
      viewer.close();
      await forgetful.close();
    }
  });

  it('opens a multi-frame DICOM case on the frame chosen at import, every time', async () => {
    const cine = join(dir, 'cine');
    mkdirSync(cine);
    copyFileSync(join(SAMPLES_DIR, 'sample-multiframe.dcm'), join(cine, 'loop.dcm'));
    const report = await service.importPaths({ paths: [cine], frame: 1 });
    expect(report.failed).toEqual([]);
    const caseId = report.caseIds[0];
    const stored = await service.openStoredCase({ caseId, reader: A });
    const direct = async (frame: number) =>
      (await engine.openCase({ coronalPath: join(cine, 'loop.dcm'), coronalFrame: frame })).coronal
        .pngDataUrl;
    expect(stored.view.coronal.pngDataUrl).toBe(await direct(1));
    expect(stored.view.coronal.pngDataUrl).not.toBe(await direct(0));
    // A fresh service (the engine forgot the case) opens the same frame again.
    const later = createStoreService({ dataDir: join(dir, 'data'), engine });
    try {
      const again = await later.openStoredCase({ caseId, reader: A });
      expect(again.view.coronal.pngDataUrl).toBe(stored.view.coronal.pngDataUrl);
    } finally {
      later.close();
    }
  });

  it('refuses to open a case whose image file changed or went away since the import', async () => {
    service.close();
    copyFileSync(join(SAMPLES_DIR, 'sample-05_coronal.png'), join(images, 'sample-01_coronal.png'));
    rmSync(join(images, 'sample-02_coronal.png'));
    service = harness.openService();
    await expect(
      service.openStoredCase({ caseId: ids['sample-01'], reader: A }),
    ).rejects.toMatchObject({
      code: 'bad-input',
      message: expect.stringContaining(
        `The file at ${join(images, 'sample-01_coronal.png')} changed since it was imported`,
      ),
    });
    await expect(
      service.openStoredCase({ caseId: ids['sample-02'], reader: A }),
    ).rejects.toMatchObject({
      code: 'not-found',
      message: expect.stringContaining(`is no longer at ${join(images, 'sample-02_coronal.png')}`),
    });
  });
});
