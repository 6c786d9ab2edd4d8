import { describe, expect, it } from 'vitest';
import { lengthLimitFor } from '../../src/clinical/reference-limits';
import { ageText, ageYearsOfMonths, patientFromStudy } from '../../src/clinical/study-patient';

/** The length limit's label the header's inputs choose (as the verdicts print it). */
const groupOf = (d: Parameters<typeof patientFromStudy>[0]): string => {
  const limit = lengthLimitFor(patientFromStudy(d) ?? {});
  return 'label' in limit ? limit.label : limit.reason;
};

describe('patient inputs from a DICOM header', () => {
  it('take the age at the study date in completed years, and the sex', () => {
    expect(
      patientFromStudy({ patientBirthDate: '20200315', studyDate: '20260314', patientSex: 'F' }),
    ).toEqual({
      ageYears: 5,
      sex: 'female',
      heightCm: null,
    });
    // The birthday itself completes the year.
    expect(
      patientFromStudy({ patientBirthDate: '20200315', studyDate: '20260315' })?.ageYears,
    ).toBe(6);
    expect(
      patientFromStudy({
        patientBirthDate: '1958.07.01',
        studyDate: '2026.12.02',
        patientSex: 'M',
      }),
    ).toEqual({ ageYears: 68, sex: 'male', heightCm: null });
  });

  it("give an infant's age in months, so that Rosenberg's infant groups apply", () => {
    expect(groupOf({ patientBirthDate: '20251203', studyDate: '20260302' })).toBe(
      'child 0–3 months',
    );
    expect(groupOf({ patientBirthDate: '20251202', studyDate: '20260302' })).toBe(
      'child 3–6 months',
    );
    expect(groupOf({ patientBirthDate: '20250302', studyDate: '20260301' })).toBe(
      'child 6–12 months',
    );
    expect(groupOf({ patientBirthDate: '20240302', studyDate: '20260301' })).toBe(
      'child 1–2 years',
    );
    expect(groupOf({ patientBirthDate: '20240301', studyDate: '20260301' })).toBe(
      'child 2–4 years',
    );
    // Every month below two years keeps to its group (k/12 rounded never reaches a bound).
    for (let months = 0; months < 24; months++) {
      const years = ageYearsOfMonths(months);
      expect(Math.floor(years * 4)).toBe(Math.floor(months / 3));
    }
  });

  it("fall back to Patient's Age when a date is missing", () => {
    expect(patientFromStudy({ patientAge: '034Y', patientSex: 'M' })).toEqual({
      ageYears: 34,
      sex: 'male',
      heightCm: null,
    });
    expect(groupOf({ patientAge: '006M' })).toBe('child 6–12 months');
    expect(groupOf({ patientAge: '052W' })).toBe('child 6–12 months');
    expect(groupOf({ patientAge: '010D' })).toBe('child 0–3 months');
    // A birth date after the study is not an age: the age string is used instead.
    expect(
      patientFromStudy({ patientBirthDate: '20270101', studyDate: '20260101', patientAge: '012Y' })
        ?.ageYears,
    ).toBe(12);
  });

  it('leave out what the header does not give or cannot mean', () => {
    expect(patientFromStudy({})).toBeNull();
    // The bundled samples: sex "other", no birth date.
    expect(patientFromStudy({ patientSex: 'O', studyDate: '20250101' })).toBeNull();
    expect(patientFromStudy({ patientSex: ' f ' })).toEqual({
      ageYears: null,
      sex: 'female',
      heightCm: null,
    });
    expect(patientFromStudy({ patientBirthDate: '20230231', studyDate: '20260101' })).toBeNull();
    expect(patientFromStudy({ patientBirthDate: '18500101', studyDate: '20260101' })).toBeNull();
    expect(patientFromStudy({ patientAge: '34Y' })).toBeNull();
    expect(patientFromStudy({ patientAge: '034X', patientSex: 'M' })?.ageYears).toBeNull();
  });

  it('complete a month on the last day of a shorter month, and read "000Y" as no age', () => {
    // Born on 30 November: three months old on 28 February (the last day of that month).
    expect(groupOf({ patientBirthDate: '20251130', studyDate: '20260228' })).toBe(
      'child 3–6 months',
    );
    expect(groupOf({ patientBirthDate: '20251130', studyDate: '20260227' })).toBe(
      'child 0–3 months',
    );
    // Born on 29 February: a year old on 28 February of a common year.
    expect(
      patientFromStudy({ patientBirthDate: '20240229', studyDate: '20250228' })?.ageYears,
    ).toBe(1);
    // "000Y" is any age under a year: not the 0–3 months group.
    expect(patientFromStudy({ patientAge: '000Y', patientSex: 'F' })?.ageYears).toBeNull();
    expect(patientFromStudy({ patientAge: '001Y' })?.ageYears).toBe(1);
  });

  it("word an age as the app prints it, an infant's in months", () => {
    expect(ageText(0.25)).toBe('3 months');
    expect(ageText(0.08)).toBe('1 month');
    expect(ageText(1)).toBe('1 year');
    expect(ageText(1.92)).toBe('23 months');
    expect(ageText(2)).toBe('2 years');
    expect(ageText(68)).toBe('68 years');
  });
});
