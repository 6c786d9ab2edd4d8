import { describe, expect, it } from 'vitest';
import { ageText, studyPatientNote } from '../../renderer/study-patient-note';

describe("the patient fields' note on the DICOM header", () => {
  const girl = { ageYears: 5, sex: 'female' as const, heightCm: null };

  it('says the fields come from the header while they are its values', () => {
    expect(studyPatientNote(girl, girl)).toBe(
      "From the image's DICOM header: 5 years at the study, female. Correct them here if they are wrong.",
    );
    // A height typed beside them is the reader's own; age and sex are still the header's.
    expect(studyPatientNote({ ...girl, heightCm: 110 }, girl)).toMatch(/^From the image's/);
  });

  it('says what the header said once the reader changed a value', () => {
    expect(studyPatientNote({ ...girl, ageYears: 7 }, girl)).toBe(
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
    expect(ageText(0.25)).toBe('3 months');
    expect(ageText(0.08)).toBe('1 month');
    expect(ageText(1)).toBe('1 year');
    expect(ageText(1.92)).toBe('23 months');
    expect(ageText(2)).toBe('2 years');
    expect(ageText(68)).toBe('68 years');
  });
});
