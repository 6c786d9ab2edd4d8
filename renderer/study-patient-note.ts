/**
 * What the patient fields say about the image's DICOM header (CaseView.studyPatient): that the age
 * and sex shown come from it, to be checked, or, once the reader changed them, what it said.
 */
import type { Patient } from '../src/api';

/** "5 years", "1 year", "3 months" (below two years the age is kept to the month). */
export function ageText(ageYears: number): string {
  if (ageYears >= 2) return `${Math.floor(ageYears)} years`;
  const months = Math.round(ageYears * 12);
  return months === 12 ? '1 year' : `${months} month${months === 1 ? '' : 's'}`;
}

/** The header's inputs in words ("5 years, female"), or null when it gives none. */
function headerWords(study: Patient): string | null {
  const parts: string[] = [];
  if (study.ageYears !== null && study.ageYears !== undefined)
    parts.push(`${ageText(study.ageYears)} at the study`);
  if (study.sex) parts.push(study.sex);
  return parts.length > 0 ? parts.join(', ') : null;
}

/**
 * The note under the patient fields, or null without a header's inputs. The fields show the
 * header's values until the reader changes one; the note says which is the case, so that a value
 * from the header is never taken for one the reader typed, nor one typed for the header's.
 */
export function studyPatientNote(shown: Patient, study: Patient | null | undefined): string | null {
  if (!study) return null;
  const words = headerWords(study);
  if (!words) return null;
  const same =
    (shown.ageYears ?? null) === (study.ageYears ?? null) &&
    (shown.sex ?? null) === (study.sex ?? null);
  return same
    ? `From the image's DICOM header: ${words}. Correct them here if they are wrong.`
    : `The image's DICOM header says ${words}.`;
}
