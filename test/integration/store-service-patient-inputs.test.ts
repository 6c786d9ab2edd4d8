/**
 * The reader's patient inputs on a stored case, over the real engine: those typed on a case not
 * calibrated yet (which has no estimate to hold them) are there when it is opened again, in a
 * later session too, and decide its first estimate once it is calibrated; on a calibrated case the
 * newest inputs sent win over the latest estimate's, and accepting the AI takes them. A DICOM
 * case starts with its header's age and sex, in the engine, the store and `spv estimate`.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Patient } from '../../src/api/contract';
import { checkFirst } from '../../src/clinical/check-first';
import { SIGNED_OFF_NOT_SAVED, type StoreService } from '../../src/store-service/service';
import { writeSampleAsDicom } from '../fixtures/dicom/sample-dicom';
import { pdfText } from '../pdf-text-harness';
import { runSpv, SAMPLES_DIR } from './cli-helpers';
import {
  copySamples,
  HAVE_MODELS_AND_SAMPLES,
  startStoreHarness,
  type StoreHarness,
  warnWhenSkipped,
} from './store-engine-harness';

warnWhenSkipped('store-service-patient-inputs');

const READER = 'Dr. Patient Inputs';
const child: Patient = { ageYears: 4, sex: 'female', heightCm: null };
const teen: Patient = { ageYears: 14, sex: 'male', heightCm: 160 };

let harness: StoreHarness;
let service: StoreService;
let childDicom: string;
let boyDicom: string;
const ids: Record<string, string> = {};

describe.skipIf(!HAVE_MODELS_AND_SAMPLES)('patient inputs of a stored case', () => {
  beforeAll(async () => {
    harness = await startStoreHarness('spv-patient-inputs-');
    const folder = join(harness.dir, 'images');
    mkdirSync(folder);
    copySamples(folder, ['sample-02']);
    copyFileSync(join(SAMPLES_DIR, 'uncalibrated.png'), join(folder, 'uncalibrated.png'));
    // A girl of 5 years at the study (2024-01-02): Rosenberg's 4–6 years group, length ≤ 9.5 cm.
    childDicom = join(folder, 'child_coronal.dcm');
    await writeSampleAsDicom(join(SAMPLES_DIR, 'sample-02_coronal.png'), childDicom, {
      birthDate: '20180615',
      sex: 'F',
    });
    // A boy of 10 by Patient's Age alone, his case estimated as before the header was read.
    boyDicom = join(folder, 'boy_coronal.dcm');
    await writeSampleAsDicom(join(SAMPLES_DIR, 'sample-04_coronal.png'), boyDicom, {
      age: '010Y',
      sex: 'M',
    });
    service = harness.openService();
    await service.importPaths({ paths: [folder] });
    // The two DICOM cases share a patient id and study date, so their title: found by their file.
    for (const c of await service.listCases({})) {
      const [image] = (await service.getCase({ caseId: c.caseId })).images;
      const name = image.originalPath.endsWith('.dcm')
        ? basename(image.originalPath, '.dcm')
        : c.title;
      ids[name] = c.caseId;
    }
    expect(Object.keys(ids).sort()).toEqual([
      'boy_coronal',
      'child_coronal',
      'sample-02',
      'uncalibrated',
    ]);
  });
  afterAll(() => harness?.close());

  it('keeps those typed before calibrating, into a later session and the first estimate', async () => {
    const caseId = ids['uncalibrated'];
    const opened = await service.openStoredCase({ caseId, reader: READER });
    expect(opened.estimate).toBeNull();
    expect(opened.patient).toBeNull();
    const versionsBefore = (await service.getCase({ caseId })).masks.length;
    // What the viewer sends when the age or sex changes on a case it cannot estimate yet.
    await service.saveCorrection({
      caseId,
      reader: READER,
      masks: opened.currentMasks!,
      masksOnly: true,
      patient: child,
    });
    // The masks did not change: no new version for a patient input.
    expect((await service.getCase({ caseId })).masks.length).toBe(versionsBefore);

    const later = harness.openService();
    const reopened = await later.openStoredCase({ caseId, reader: READER });
    expect(reopened.patient).toEqual(child);

    // Calibrated in that session, the viewer's estimate carries the inputs it shows again.
    await later.calibrate({
      caseId: reopened.view.caseId,
      view: 'coronal',
      pointA: [10, 10],
      pointB: [10, 210],
      distanceMm: 80,
    });
    const estimate = await later.estimate({
      caseId: reopened.view.caseId,
      masks: reopened.currentMasks!,
      patient: reopened.patient,
    });
    // A 4-year-old's length limit (Rosenberg 1991), not an adult's.
    expect(estimate.classification.map((c) => c.limitText)).toContain(
      'child 4–6 years length ≤ 9.5 cm',
    );
    const saved = await later.openStoredCase({ caseId, reader: READER });
    expect(saved.estimate?.volumeMl).toBeCloseTo(estimate.volumeMl, 9);
    expect(saved.patient).toEqual(child);
  });

  it('takes the newest inputs sent over the latest estimate, and accepting the AI keeps them', async () => {
    const caseId = ids['sample-02'];
    const opened = await service.openStoredCase({ caseId, reader: READER });
    await service.estimate({
      caseId: opened.view.caseId,
      masks: opened.currentMasks!,
      patient: child,
    });
    expect((await service.openStoredCase({ caseId, reader: READER })).patient).toEqual(child);
    // Changed while the estimate of an edit is in flight: the viewer saves the edit alone.
    await service.saveCorrection({
      caseId,
      reader: READER,
      masks: opened.currentMasks!,
      masksOnly: true,
      patient: teen,
    });
    expect((await service.openStoredCase({ caseId, reader: READER })).patient).toEqual(teen);

    await service.acceptAi({ caseId, reader: READER });
    const accepted = await service.openStoredCase({ caseId, reader: READER });
    expect(accepted.patient).toEqual(teen);
    const detail = await service.getCase({ caseId });
    expect(detail.finalEstimate?.classification.map((c) => c.limitText)).toContain(
      'child 12–15 years length ≤ 12.0 cm',
    );

    // Cleared by the reader: "none given" is kept, not filled in from an older estimate.
    await service.saveCorrection({
      caseId,
      reader: READER,
      masks: opened.currentMasks!,
      masksOnly: true,
      patient: { ageYears: null, sex: null, heightCm: null },
    });
    expect((await service.openStoredCase({ caseId, reader: READER })).patient).toBeNull();
  });

  it("starts a DICOM case with its header's age and sex, for the AI's verdicts too", async () => {
    const girl = { ageYears: 5, sex: 'female', heightCm: null };
    const childLimit = 'child 4–6 years length ≤ 9.5 cm';
    const opened = await service.openStoredCase({ caseId: ids['child_coronal'], reader: READER });
    expect(opened.view.studyPatient).toEqual(girl);
    expect(opened.patient).toEqual(girl);
    // The AI's estimate made at the first opening: the worklist's verdicts are the child's.
    expect(opened.estimate?.classification.map((c) => c.limitText)).toContain(childLimit);

    // The reader's own inputs win over the header's, once given.
    await service.saveCorrection({
      caseId: ids['child_coronal'],
      reader: READER,
      masks: opened.currentMasks!,
      masksOnly: true,
      patient: teen,
    });
    const again = await service.openStoredCase({ caseId: ids['child_coronal'], reader: READER });
    expect(again.patient).toEqual(teen);
    expect(again.view.studyPatient).toEqual(girl);

    // The report says whom the verdicts were decided for (not when anonymised: no sex there).
    const reportText = async (anonymise: boolean) => {
      const pdf = join(harness.dir, `report-${anonymise}.pdf`);
      writeFileSync(
        pdf,
        (await service.renderReport(Number(ids['child_coronal']), 'pdf', anonymise)).bytes,
      );
      return pdfText(pdf).replace(/\s+/g, ' ');
    };
    expect(await reportText(false)).toContain('Limits for: age 5 years · female.');
    expect(await reportText(true)).not.toContain('Limits for');
    // So does the DICOM SR, in a comment beside its findings (dsrdump +Pl: long texts in full).
    const srText = async (anonymise: boolean) => {
      const sr = join(harness.dir, `report-${anonymise}.sr.dcm`);
      writeFileSync(
        sr,
        (await service.renderReport(Number(ids['child_coronal']), 'dicom-sr', anonymise)).bytes,
      );
      return execFileSync('dsrdump', ['+Pl', sr]).toString();
    };
    expect(await srText(false)).toMatch(/Comment.*="Limits for: age 5 years · female\."/);
    expect(await srText(true)).not.toContain('Limits for');

    // Opened as files, the engine's case says the same.
    const files = await harness.engine.openCase({ coronalPath: childDicom });
    expect(files.studyPatient).toEqual(girl);

    // spv estimate takes each input no option gives from the header, and says which.
    const table = await runSpv(['estimate', '--coronal', childDicom]);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(
      /Patient\s+age 5 years · female \(age and sex from the DICOM header; --age, --sex to change\)/,
    );
    expect(table.stdout).toContain(childLimit);
    const json = await runSpv(['estimate', '--json', '--coronal', childDicom, '--age', '40']);
    expect(json.code, json.stderr).toBe(0);
    expect((JSON.parse(json.stdout) as { patient: unknown }).patient).toEqual({
      age_years: 40,
      sex: 'female',
      height_cm: null,
      from_dicom_header: ['sex'],
    });
  });

  it("shows a signed-off case with the inputs it was signed with, not its header's", async () => {
    const caseId = ids['boy_coronal'];
    const opened = await service.openStoredCase({ caseId, reader: READER });
    // Patient's Age alone gives the age.
    expect(opened.view.studyPatient).toEqual({ ageYears: 10, sex: 'male', heightCm: null });
    // As a case estimated before the header was read: its estimate says "none given", and no
    // inputs were kept on the case (a database from before schema 9).
    const none = { ageYears: null, sex: null, heightCm: null };
    await service.estimate({
      caseId: opened.view.caseId,
      masks: opened.currentMasks!,
      patient: none,
    });
    service.store.db
      .prepare('UPDATE cases SET patient_inputs_json = NULL WHERE id = ?')
      .run(Number(caseId));
    const shown = await service.openStoredCase({ caseId, reader: READER });
    // The estimate on record is not re-decided by the header.
    expect(shown.patient).toBeNull();
    await service.signOff({
      caseId,
      reader: READER,
      estimateId: shown.estimateId,
      checked: checkFirst(shown.estimate!),
    });
    const signed = await service.openStoredCase({ caseId, reader: READER });
    expect(signed.locked).toBe(true);
    expect(signed.patient).toBeNull();
    // The viewer estimates it as shown: no change, so no "not saved" warning beside adult limits.
    const again = await service.estimate({
      caseId: signed.view.caseId,
      masks: signed.currentMasks!,
      patient: signed.patient,
    });
    expect(again.warnings).not.toContain(SIGNED_OFF_NOT_SAVED);
    // Nor from an API caller that sends no inputs: the signed estimate's are taken.
    const bare = await service.estimate({
      caseId: signed.view.caseId,
      masks: signed.currentMasks!,
    });
    expect(bare.warnings).not.toContain(SIGNED_OFF_NOT_SAVED);

    // Nor can inputs alone change it: refused, with what to do.
    await expect(
      service.savePatientInputs({ caseId, reader: READER, patient: teen }),
    ).rejects.toThrow(/signed off/i);
    expect((await service.openStoredCase({ caseId, reader: READER })).patient).toBeNull();
  });

  it('keeps inputs sent alone (no outline to send them with), unless a newer edit came first', async () => {
    const caseId = ids['uncalibrated'];
    const viewer = 'viewer-patient-only';
    const before = await service.getCase({ caseId });
    await service.savePatientInputs({
      caseId,
      reader: READER,
      patient: teen,
      editOrder: { viewer, seq: 10 },
    });
    expect((await service.openStoredCase({ caseId, reader: READER })).patient).toEqual(teen);
    // Nothing else changed: no mask version, no estimate, no status.
    const after = await service.getCase({ caseId });
    expect(after.masks.length).toBe(before.masks.length);
    expect(after.finalEstimate?.volumeMl).toBe(before.finalEstimate?.volumeMl);
    expect(after.summary.status).toBe(before.summary.status);

    // An edit of the same viewer numbered later was saved first: it carried the newer inputs.
    const opened = await service.openStoredCase({ caseId, reader: READER });
    await service.saveCorrection({
      caseId,
      reader: READER,
      masks: opened.currentMasks!,
      masksOnly: true,
      patient: child,
      editOrder: { viewer, seq: 12 },
    });
    await service.savePatientInputs({
      caseId,
      reader: READER,
      patient: teen,
      editOrder: { viewer, seq: 11 },
    });
    expect((await service.openStoredCase({ caseId, reader: READER })).patient).toEqual(child);
    // And the inputs alone do not count as the newest masks: an older edit's masks still land.
    await service.savePatientInputs({
      caseId,
      reader: READER,
      patient: null,
      editOrder: { viewer, seq: 20 },
    });
    expect((await service.openStoredCase({ caseId, reader: READER })).patient).toBeNull();
    const versions = (await service.getCase({ caseId })).masks.length;
    const { width, height } = opened.currentMasks!.coronal;
    const square = { width, height, runs: [width * 10 + 10, 20, width * height - width * 10 - 30] };
    await service.saveCorrection({
      caseId,
      reader: READER,
      masks: { coronal: square, transverse: null },
      masksOnly: true,
      editOrder: { viewer, seq: 13 },
    });
    expect((await service.getCase({ caseId })).masks.length).toBe(versions + 1);
    expect(
      (await service.openStoredCase({ caseId, reader: READER })).currentMasks?.coronal,
    ).toEqual(square);
    // An older edit that carries inputs, arriving after the newer inputs sent alone: its masks are
    // saved (they are the newest masks), its inputs are not (they are older than those).
    await service.savePatientInputs({
      caseId,
      reader: READER,
      patient: teen,
      editOrder: { viewer, seq: 30 },
    });
    await service.saveCorrection({
      caseId,
      reader: READER,
      masks: opened.currentMasks!,
      masksOnly: true,
      patient: child,
      editOrder: { viewer, seq: 25 },
    });
    expect((await service.getCase({ caseId })).masks.length).toBe(versions + 2);
    expect((await service.openStoredCase({ caseId, reader: READER })).patient).toEqual(teen);
  });
});
