/**
 * What the patient fields say about the image's DICOM header (CaseView.studyPatient): that the age
 * and sex shown come from it, to be checked, or, once the reader changed them, what it said.
 */
import type { Patient } from '../src/api';
import { ageText } from '../src/clinical/study-patient';

/**
 * The note under the patient fields, or null without a header's inputs. Each field shows the
 * header's value until the reader changes it; the note says which do, and what the header said
 * of those changed, so that a value from the header is never taken for one the reader typed, nor
 * the reader's for the header's. `readOnly`: a signed-off case's fields cannot be corrected.
 */
export function studyPatientNote(
  shown: Patient,
  study: Patient | null | undefined,
  readOnly = false,
): string | null {
  if (!study) return null;
  const kept: string[] = [];
  const changed: string[] = [];
  if (study.ageYears !== null && study.ageYears !== undefined)
    ((shown.ageYears ?? null) === study.ageYears ? kept : changed).push(
      `${ageText(study.ageYears)} at the study`,
    );
  if (study.sex) ((shown.sex ?? null) === study.sex ? kept : changed).push(study.sex);
  const parts: string[] = [];
  if (kept.length > 0)
    parts.push(
      `From the image's DICOM header: ${kept.join(', ')}.${readOnly ? '' : ' Correct them here if they are wrong.'}`,
    );
  if (changed.length > 0)
    parts.push(
      `${kept.length > 0 ? 'It also says' : "The image's DICOM header says"} ${changed.join(', ')}.`,
    );
  return parts.length > 0 ? parts.join(' ') : null;
}
