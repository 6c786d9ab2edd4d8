/**
 * The patient inputs an image's DICOM header gives (PS3.3 C.7.1.1 Patient, C.7.2.2 Patient Study):
 * the sex from Patient's Sex, the age at the study from Patient's Birth Date and Study Date, else
 * from Patient's Age. They choose the reference limits (a child's length limit by age group,
 * from 15 years by sex), so a DICOM case starts with them instead of the adult limits assumed for
 * "age not given"; the reader sees them in the patient fields and corrects them there. Pure.
 */
import type { Patient } from '../api/contract';

/**
 * The header's attributes as DICOM writes them (DA "YYYYMMDD", AS "034Y", CS "F"), named as the
 * decoder's DicomMeta names them, so that a decoded image's meta is passed as it is.
 */
export interface StudyDemographics {
  patientSex?: string | null;
  patientBirthDate?: string | null;
  studyDate?: string | null;
  /** Patient's Age (0010,1010) at the study: used when the birth date or study date is missing. */
  patientAge?: string | null;
}

/** The oldest age a patient input accepts (PatientSchema). */
const MAX_AGE_YEARS = 130;
const DAYS_PER_MONTH = 365.25 / 12;

/** A DICOM date (DA, "YYYYMMDD"; ACR-NEMA's "YYYY.MM.DD" too) as [year, month, day], if real. */
function dicomDate(text: string | null | undefined): [number, number, number] | null {
  const m = /^(\d{4})\.?(\d{2})\.?(\d{2})$/.exec((text ?? '').trim());
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  // Rejects 20230231 and the like, which Date would roll over into March.
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d)
    return null;
  return [y, mo, d];
}

/** The number of days in month `month` (1–12) of `year`. */
function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * Whole months from `birth` to `at` (null when `at` is before `birth`). A month is complete on
 * the birth day of the month, or on its last day when the month is shorter (born on the 31st, a
 * month old on 30 April; born on 29 February, a year old on 28 February).
 */
function completedMonths(
  birth: [number, number, number],
  at: [number, number, number],
): number | null {
  const dayReached = at[2] >= birth[2] || at[2] === daysInMonth(at[0], at[1]);
  const months = (at[0] - birth[0]) * 12 + (at[1] - birth[1]) - (dayReached ? 0 : 1);
  return months < 0 ? null : months;
}

/** Whole months a DICOM age string (AS: "034Y", "006M", "012W", "020D") stands for. */
function monthsOfAgeString(text: string | null | undefined): number | null {
  const m = /^(\d{3})([DWMY])$/.exec((text ?? '').trim());
  if (!m) return null;
  const n = Number(m[1]);
  switch (m[2]) {
    case 'Y':
      // "000Y" is any age under a year: no infant group can be chosen from it.
      return n === 0 ? null : n * 12;
    case 'M':
      return n;
    case 'W':
      return Math.floor((n * 7) / DAYS_PER_MONTH);
    default:
      return Math.floor(n / DAYS_PER_MONTH);
  }
}

/**
 * An age in whole months as a patient input: completed years from 2 years on (the age groups
 * there start at whole years), below that in months as a fraction of a year to two decimals
 * (the infant groups end at 3, 6, 12 and 24 months, which the rounding never crosses).
 */
export function ageYearsOfMonths(months: number): number {
  return months >= 24 ? Math.floor(months / 12) : Math.round((months / 12) * 100) / 100;
}

/**
 * An age in words as the app prints it: "5 years", "1 year", "3 months" (below two years to the
 * month, as the infant groups need).
 */
export function ageText(ageYears: number): string {
  if (ageYears >= 2) return `${Math.floor(ageYears)} years`;
  const months = Math.round(ageYears * 12);
  return months === 12 ? '1 year' : `${months} month${months === 1 ? '' : 's'}`;
}

/** "female"/"male" from Patient's Sex ("F"/"M"); "O" (other) or nothing gives none. */
function sexOf(text: string | null | undefined): Patient['sex'] {
  const s = (text ?? '').trim().toUpperCase();
  return s === 'F' ? 'female' : s === 'M' ? 'male' : null;
}

/**
 * The patient inputs the header gives, or null when it gives neither an age nor a sex. An age
 * that cannot be (a birth date after the study, over 130 years) is left out, not guessed.
 */
export function patientFromStudy(d: StudyDemographics): Patient | null {
  const birth = dicomDate(d.patientBirthDate);
  const study = dicomDate(d.studyDate);
  const months =
    (birth && study ? completedMonths(birth, study) : null) ?? monthsOfAgeString(d.patientAge);
  const ageYears = months === null ? null : ageYearsOfMonths(months);
  const patient: Patient = {
    ageYears: ageYears !== null && ageYears <= MAX_AGE_YEARS ? ageYears : null,
    sex: sexOf(d.patientSex),
    heightCm: null,
  };
  return patient.ageYears === null && patient.sex === null ? null : patient;
}

/** The patient inputs, in the order they are named (age, sex, height). */
export const PATIENT_FIELDS = ['ageYears', 'sex', 'heightCm'] as const;
export type PatientField = (typeof PATIENT_FIELDS)[number];

/**
 * The inputs `given`, each one it leaves out taken from the header where the header has it (as
 * the app's fields start with the header's): what the verdicts are decided for, and which inputs
 * came from the header (`spv estimate` and `spv batch` say so).
 */
export function withStudyPatient(
  given: Patient,
  d: StudyDemographics,
): { patient: Patient; fromHeader: PatientField[] } {
  const header = patientFromStudy(d);
  const fromHeader = PATIENT_FIELDS.filter((k) => given[k] == null && header?.[k] != null);
  const patient: Patient = { ...given };
  for (const k of fromHeader) Object.assign(patient, { [k]: header?.[k] });
  return { patient, fromHeader };
}
