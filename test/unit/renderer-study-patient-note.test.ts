import { describe, expect, it } from 'vitest';
import { studyPatientNote } from '../../renderer/study-patient-note';

describe("the patient fields' note on the DICOM header", () => {
  const girl = { ageYears: 5, sex: 'female' as const, heightCm: null };

  it('says the fields come from the header while they are its values', () => {
    expect(studyPatientNote(girl, girl)).toBe(
      "From the image's DICOM header: 5 years at the study, female. Correct them here if they are wrong.",
    );
    // A height typed beside them is the reader's own; age and sex are still the header's.
    expect(studyPatientNote({ ...girl, heightCm: 110 }, girl)).toMatch(/^From the image's/);
    // A signed-off case's fields cannot be corrected: not asked.
    expect(studyPatientNote(girl, girl, true)).toBe(
      "From the image's DICOM header: 5 years at the study, female.",
    );
  });

  it('says, field by field, which are still the header’s and what it said of the others', () => {
    expect(studyPatientNote({ ...girl, ageYears: 7 }, girl)).toBe(
      "From the image's DICOM header: female. Correct them here if they are wrong. It also says 5 years at the study.",
    );
    expect(studyPatientNote({ ageYears: 7, sex: 'male', heightCm: null }, girl)).toBe(
      "The image's DICOM header says 5 years at the study, female.",
    );
    expect(studyPatientNote({ ageYears: null, sex: null, heightCm: null }, { sex: 'male' })).toBe(
      "The image's DICOM header says male.",
    );
  });

  it('says nothing without a header that gives an age or a sex', () => {
    expect(studyPatientNote(girl, null)).toBeNull();
    expect(studyPatientNote(girl, undefined)).toBeNull();
    expect(studyPatientNote(girl, { ageYears: null, sex: null })).toBeNull();
  });

  it("words an infant's age in months", () => {
    expect(studyPatientNote({ ageYears: 0.25 }, { ageYears: 0.25 }, true)).toBe(
      "From the image's DICOM header: 3 months at the study.",
    );
  });
});
