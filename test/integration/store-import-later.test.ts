/**
 * Importing into cases that exist already (import-later): a view imported after the AI ran on
 * its case gets the AI's outline and a two-view estimate; a signed-off case is not given a view;
 * a moved image file is found again from its new place; and within one import, an unnamed DICOM
 * takes the view its study's named ones leave free. Real sample files in a temp folder, a real
 * store and the real engine.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ImportReportSchema } from '../../src/api/store-contract';
import type { StoreService } from '../../src/store-service/service';
import { SAMPLES_DIR } from './cli-helpers';
import {
  HAVE_MODELS_AND_SAMPLES,
  startStoreHarness,
  warnWhenSkipped,
  type StoreHarness,
} from './store-engine-harness';
import { trimmed, withCoronal } from './store-mask-edits-fixture';

const READER = 'Dr Later';

/** Copies sample files (a PNG with its JSON sidecar) into `folder` under the names given. */
function place(folder: string, files: Record<string, string>): string {
  mkdirSync(folder, { recursive: true });
  for (const [name, sample] of Object.entries(files)) {
    copyFileSync(join(SAMPLES_DIR, sample), join(folder, name));
    if (sample.endsWith('.png'))
      copyFileSync(
        join(SAMPLES_DIR, sample.replace(/\.png$/, '.json')),
        join(folder, name.replace(/\.png$/, '.json')),
      );
  }
  return folder;
}

warnWhenSkipped('store-import-later');

describe.skipIf(!HAVE_MODELS_AND_SAMPLES)('import-later: importing into existing cases', () => {
  let harness: StoreHarness;
  let service: StoreService;
  let folders = 0;
  /** A new folder under the temp dir holding the sample files given (see place). */
  const folderWith = (files: Record<string, string>): string =>
    place(join(harness.dir, `in-${++folders}`), files);

  beforeAll(async () => {
    harness = await startStoreHarness('spv-import-later-');
    service = harness.openService();
  });
  afterAll(() => harness?.close());

  /**
   * Imports `<stem>_coronal.png` alone with the AI (a case with a single-view AI estimate); its
   * transverse view is later put in the same folder (a pair is one case within one folder).
   */
  async function coronalAlone(
    stem: string,
    sample: string,
  ): Promise<{ caseId: string; addTransverse: () => string }> {
    const folder = folderWith({ [`${stem}_coronal.png`]: `${sample}_coronal.png` });
    const report = await service.importPaths({ paths: [folder], runAi: true });
    expect(report.failed).toEqual([]);
    expect(report.ai).toMatchObject([{ mode: 'single' }]);
    const addTransverse = () => {
      place(folder, { [`${stem}_transverse.png`]: `${sample}_transverse.png` });
      return join(folder, `${stem}_transverse.png`);
    };
    return { caseId: report.caseIds[0], addTransverse };
  }

  it('a view imported after the AI ran gets its AI outline and a dual-view estimate (spv import --ai)', async () => {
    const { caseId, addTransverse } = await coronalAlone('late', 'sample-03');
    const id = Number(caseId);
    const single = service.store.latestEstimate(id)!;

    const report = ImportReportSchema.parse(
      await service.importPaths({ paths: [addTransverse()], runAi: true }),
    );
    expect(report.failed).toEqual([]);
    expect(report.imported).toEqual([expect.objectContaining({ caseId, view: 'transverse' })]);
    // What spv import --ai prints per case: the new, two-view volume.
    expect(report.ai).toEqual([
      expect.objectContaining({ caseId, mode: 'dual', noVolumeReason: null }),
    ]);

    const aiTransverse = service.store.latestMask(id, 'transverse', 'ai');
    expect(aiTransverse).toMatchObject({ source: 'ai', author: 'model' });
    const dual = service.store.latestEstimate(id)!;
    expect(dual.id).toBeGreaterThan(single.id);
    expect(dual).toMatchObject({
      source: 'ai',
      coronalMaskId: service.store.latestMask(id, 'coronal', 'ai')!.id,
      transverseMaskId: aiTransverse!.id,
    });
    expect(dual.estimate.model).toBe('dual');
    expect(service.store.auditLog(id).find((e) => e.action === 'ai.view-added')?.detail).toEqual(
      expect.objectContaining({
        view: 'transverse',
        maskId: aiTransverse!.id,
        estimates: [expect.objectContaining({ id: dual.id, source: 'ai', model: 'dual' })],
      }),
    );

    // The viewer shows the transverse outline and the two-view volume.
    const opened = await service.openStoredCase({ caseId, reader: READER });
    expect(opened.aiMasks?.transverse).not.toBeNull();
    expect(opened.currentMasks?.transverse).not.toBeNull();
    expect(opened.estimate?.model).toBe('dual');
    expect(opened.estimateId).toBe(String(dual.id));
  });

  it('without --ai, opening the case outlines the added view; a reader’s coronal correction is kept and it goes back to review', async () => {
    const { caseId, addTransverse } = await coronalAlone('corrected', 'sample-04');
    const id = Number(caseId);
    const first = await service.openStoredCase({ caseId, reader: READER });
    const corrected = withCoronal(first.aiMasks!, trimmed(first.aiMasks!.coronal, 300));
    await service.saveCorrection({ caseId, reader: READER, masks: corrected });
    expect(service.store.getCase(id).status).toBe('corrected');
    const readerCoronal = service.store.latestMask(id, 'coronal')!;
    expect(readerCoronal.source).toBe('manual');

    const report = await service.importPaths({ paths: [addTransverse()] });
    expect(report.imported).toEqual([expect.objectContaining({ caseId, view: 'transverse' })]);
    // Nothing ran yet: the import did not ask for the AI.
    expect(service.store.latestMask(id, 'transverse', 'ai')).toBeNull();

    const opened = await service.openStoredCase({ caseId, reader: READER });
    const aiTransverse = service.store.latestMask(id, 'transverse', 'ai')!;
    expect(aiTransverse).not.toBeNull();
    // The case's latest estimate: the reader's coronal outline with the AI's transverse one.
    const latest = service.store.latestEstimate(id)!;
    expect(latest).toMatchObject({
      source: 'manual',
      coronalMaskId: readerCoronal.id,
      transverseMaskId: aiTransverse.id,
    });
    expect(latest.estimate.model).toBe('dual');
    expect(opened.estimate?.model).toBe('dual');
    expect(opened.currentMasks?.coronal).toEqual(corrected.coronal);
    // The AI's own two-view estimate comes first, for "AI vs final".
    expect(service.store.latestEstimate(id, 'ai')).toMatchObject({
      coronalMaskId: service.store.latestMask(id, 'coronal', 'ai')!.id,
      transverseMaskId: aiTransverse.id,
    });
    // Corrected before the view came: to be reviewed again, and the audit log says why.
    expect(opened.status).toBe('in-review');
    expect(service.store.auditLog(id)).toContainEqual(
      expect.objectContaining({
        action: 'case.status',
        detail: expect.objectContaining({ from: 'corrected', to: 'in-review' }),
      }),
    );
  });

  it('a report of a case never opened since its view was imported is of both views', async () => {
    const { caseId, addTransverse } = await coronalAlone('reported', 'sample-07');
    const id = Number(caseId);
    await service.importPaths({ paths: [addTransverse()] });
    expect(service.store.latestEstimate(id)!.estimate.model).toBe('single');
    // Straight to the report (spv report CASE), with no viewer opening the case first.
    const file = await service.exportReport({ caseId, format: 'pdf' });
    expect(file.path).toMatch(/\.pdf$/);
    expect(service.store.latestMask(id, 'transverse', 'ai')).not.toBeNull();
    expect(service.store.latestEstimate(id)!.estimate.model).toBe('dual');
  });

  it('a viewer showing the case while its view is imported keeps saving its edits; the next open outlines the view', async () => {
    const { caseId, addTransverse } = await coronalAlone('viewed', 'sample-06');
    const id = Number(caseId);
    const shown = await service.openStoredCase({ caseId, reader: READER });
    await service.importPaths({ paths: [addTransverse()] });

    // An edit the viewer sends under the id it was given, after the import: saved, not dropped.
    const edited = trimmed(shown.aiMasks!.coronal, 200);
    await service.estimate({
      caseId: shown.view.caseId,
      masks: { coronal: edited, transverse: null },
    });
    const readerCoronal = service.store.latestMask(id, 'coronal')!;
    expect(readerCoronal).toMatchObject({ source: 'manual', author: READER });

    const reopened = await service.openStoredCase({ caseId, reader: READER });
    expect(reopened.view.transverse).not.toBeNull();
    expect(reopened.aiMasks?.transverse).not.toBeNull();
    expect(service.store.latestEstimate(id)).toMatchObject({
      source: 'manual',
      coronalMaskId: readerCoronal.id,
      transverseMaskId: service.store.latestMask(id, 'transverse', 'ai')!.id,
    });
    // The viewer's id, still sent, now reaches the case as it is, with both views.
    const later = await service.estimate({
      caseId: shown.view.caseId,
      masks: reopened.currentMasks!,
    });
    expect(later.model).toBe('dual');
  });

  it('refuses to add a view to a signed-off case, saying to unlock it first; after an unlock it is added', async () => {
    const { caseId, addTransverse } = await coronalAlone('signed', 'sample-02');
    const id = Number(caseId);
    await service.openStoredCase({ caseId, reader: READER });
    const accepted = await service.acceptAi({ caseId, reader: READER });
    await service.signOff({ caseId, reader: READER, checked: accepted.checkFirst });
    const before = await service.getCase({ caseId });

    const transverse = addTransverse();
    const refused = await service.importPaths({ paths: [transverse], runAi: true });
    expect(refused.imported).toEqual([]);
    expect(refused.failed).toEqual([
      {
        path: transverse,
        reason: expect.stringMatching(
          /^case \d+ \(signed\) is signed off, and adding its transverse image would change the signed-off case: unlock the case first \(Review tab: Unlock, with a reason\), then import this file again$/,
        ),
      },
    ]);
    const after = await service.getCase({ caseId });
    expect(after.images).toEqual(before.images);
    expect(after.summary).toEqual(before.summary);

    await service.unlockCase({ caseId, reader: READER, reason: 'the transverse view came later' });
    const added = await service.importPaths({ paths: [transverse], runAi: true });
    expect(added.failed).toEqual([]);
    expect(added.ai).toEqual([expect.objectContaining({ caseId, mode: 'dual' })]);
    expect(service.store.latestMask(id, 'transverse', 'ai')).not.toBeNull();
    expect(service.store.getCase(id).status).toBe('in-review');
  });

  it('finds a moved file again: importing it from its new place relocates the image, audited, and the case opens', async () => {
    const folder = folderWith({
      'moved_coronal.png': 'sample-05_coronal.png',
      'moved_transverse.png': 'sample-05_transverse.png',
    });
    const caseId = (await service.importPaths({ paths: [folder] })).caseIds[0];
    const id = Number(caseId);
    const elsewhere = join(harness.dir, 'elsewhere');
    mkdirSync(elsewhere);
    const oldPath = join(folder, 'moved_coronal.png');
    const newPath = join(elsewhere, 'moved_coronal.png');
    renameSync(oldPath, newPath);
    renameSync(join(folder, 'moved_coronal.json'), join(elsewhere, 'moved_coronal.json'));

    await expect(service.openStoredCase({ caseId, reader: READER })).rejects.toMatchObject({
      code: 'not-found',
      message: `The coronal image of case ${caseId} is no longer at ${oldPath}, where it was imported from: put the file back there, or import it from where it is now (the same file is found again).`,
    });

    const report = ImportReportSchema.parse(await service.importPaths({ paths: [elsewhere] }));
    expect(report.imported).toEqual([]);
    expect(report.failed).toEqual([]);
    // Found again, in a field of its own: not a copy left out among the duplicates.
    expect(report.relocated).toEqual([
      { path: newPath, previousPath: oldPath, caseId, view: 'coronal' },
    ]);
    expect(report.duplicates).toEqual([]);
    expect(service.store.images(id).find((i) => i.view === 'coronal')?.originalPath).toBe(newPath);
    expect(service.store.auditLog(id)).toContainEqual(
      expect.objectContaining({
        action: 'image.relocate',
        actor: 'import',
        detail: expect.objectContaining({ view: 'coronal', from: oldPath, to: newPath }),
      }),
    );
    const opened = await service.openStoredCase({ caseId, reader: READER });
    expect(opened.view.coronal.width).toBeGreaterThan(0);

    // Imported again from there: a plain duplicate now, nothing relocated.
    const again = await service.importPaths({ paths: [elsewhere] });
    expect(again.relocated).toEqual([]);
    expect(again.duplicates).toEqual([
      {
        path: newPath,
        reason: `already imported as ${newPath} (case ${caseId}): the same content (SHA-256)`,
      },
    ]);
    expect(service.store.auditLog(id).filter((e) => e.action === 'image.relocate')).toHaveLength(1);
  });

  it('runs the AI on a case found again when asked, which it could not run on while the file was missing', async () => {
    const folder = folderWith({
      'gone_coronal.png': 'sample-08_coronal.png',
      'gone_transverse.png': 'sample-08_transverse.png',
    });
    const caseId = (await service.importPaths({ paths: [folder] })).caseIds[0];
    const id = Number(caseId);
    // Moved before the AI ever ran on it: the case has no AI outline.
    const elsewhere = join(harness.dir, 'elsewhere-ai');
    mkdirSync(elsewhere);
    for (const name of ['gone_coronal.png', 'gone_coronal.json'])
      renameSync(join(folder, name), join(elsewhere, name));
    expect(service.store.latestMask(id, 'coronal', 'ai')).toBeNull();

    const report = ImportReportSchema.parse(
      await service.importPaths({ paths: [elsewhere], runAi: true }),
    );
    expect(report.relocated).toEqual([expect.objectContaining({ caseId, view: 'coronal' })]);
    // No image was added, so the case is not among those given images…
    expect(report.caseIds).toEqual([]);
    // …but the AI the reader asked for ran on it, and the report says what it found.
    expect(report.aiFailed).toEqual([]);
    expect(report.ai).toEqual([expect.objectContaining({ caseId, mode: 'dual' })]);
    expect(service.store.latestMask(id, 'coronal', 'ai')).not.toBeNull();
  });

  it('never relocates by the SOP Instance UID alone: another file with the same UID stays a duplicate', async () => {
    const folder = join(harness.dir, 'dicom-moved');
    mkdirSync(folder);
    const original = join(folder, 'study_cor.dcm');
    copyFileSync(join(SAMPLES_DIR, 'sample-06_coronal.dcm'), original);
    const caseId = (await service.importPaths({ paths: [original] })).caseIds[0];
    rmSync(original);
    // Same data set (same SOP Instance UID), one pixel changed: not the file imported.
    const bytes = readFileSync(join(SAMPLES_DIR, 'sample-06_coronal.dcm'));
    bytes[bytes.length - 1] ^= 0xff;
    const other = join(harness.dir, 'dicom-other', 'study_cor.dcm');
    mkdirSync(join(harness.dir, 'dicom-other'));
    writeFileSync(other, bytes);

    const report = await service.importPaths({ paths: [other] });
    expect(report.duplicates).toEqual([
      { path: other, reason: expect.stringMatching(/: the same SOP Instance UID /) },
    ]);
    expect(report.relocated).toEqual([]);
    const id = Number(caseId);
    expect(service.store.images(id)[0].originalPath).toBe(original);
    expect(service.store.auditLog(id).some((e) => e.action === 'image.relocate')).toBe(false);
  });

  it('places the DICOMs whose name gives their view before an unnamed one of the same study', async () => {
    const folder = join(harness.dir, 'study');
    mkdirSync(folder);
    // "a.dcm" is met first (names are sorted) and says no view: it is the transverse image.
    copyFileSync(join(SAMPLES_DIR, 'sample-03_transverse.dcm'), join(folder, 'a.dcm'));
    copyFileSync(join(SAMPLES_DIR, 'sample-03_coronal.dcm'), join(folder, 'study_cor.dcm'));
    const report = await service.importPaths({ paths: [folder] });
    expect(report.failed).toEqual([]);
    expect(report.caseIds).toHaveLength(1);
    const views = Object.fromEntries(
      service.store.images(Number(report.caseIds[0])).map((i) => [i.view, i.originalPath]),
    );
    expect(views).toEqual({
      coronal: join(folder, 'study_cor.dcm'),
      transverse: join(folder, 'a.dcm'),
    });
  });
});
