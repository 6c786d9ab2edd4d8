/**
 * Splenomegaly reference limits shown beside the result (DESIGN §6), and the classification of a
 * case against them. Pure.
 *
 * Not implemented: the height- and sex-adjusted adult length limits of Chow et al. (Radiology
 * 2016;279:306–313). Their published table could not be verified here, so the adult length rule is the
 * plain 13 cm limit; the adult detail text says so.
 */
import type { Classification, Lengths, Patient } from '../api/contract';
import { ageText } from './study-patient';

export const ADULT_VOLUME_LIMIT_ML = 314;
export const ADULT_LENGTH_LIMIT_CM = 13;
/** Age from which the adult limits apply (Rosenberg's table stops at 15–20 y). */
export const ADULT_AGE_YEARS = 18;

const VOLUME_CITATION =
  'Bezerra AS et al. AJR 2005;184:1510–1513 (upper limit 314 mL); Prassopoulos P et al. Eur Radiol 1997;7:246–248 (normal 107–315 mL)';
const ADULT_LENGTH_CITATION =
  'Adult upper limit 13 cm (Chow KU et al. Radiology 2016;279:306–313 for height/sex adjustment)';
const CHILD_LENGTH_CITATION = 'Rosenberg HK et al. AJR 1991;157:119–121';

/**
 * Rosenberg et al. upper limits of normal spleen length by age group: a child younger than
 * `maxAgeYears` (and as old as the row before's) has the limit on the same row. The groups share
 * their bounds ("6–8 years", "8–10 years"); an age in completed years belongs to the group it
 * starts, as in clinical use: an 8-year-old is in "8–10 years", a 15-year-old in "15–20 years".
 */
export const ROSENBERG_LENGTH_LIMITS: readonly {
  /** Exclusive upper bound of the group, in years. */
  maxAgeYears: number;
  label: string;
  limitCm: number;
}[] = [
  { maxAgeYears: 0.25, label: '0–3 months', limitCm: 6.0 },
  { maxAgeYears: 0.5, label: '3–6 months', limitCm: 6.5 },
  { maxAgeYears: 1, label: '6–12 months', limitCm: 7.0 },
  { maxAgeYears: 2, label: '1–2 years', limitCm: 8.0 },
  { maxAgeYears: 4, label: '2–4 years', limitCm: 9.0 },
  { maxAgeYears: 6, label: '4–6 years', limitCm: 9.5 },
  { maxAgeYears: 8, label: '6–8 years', limitCm: 10.0 },
  { maxAgeYears: 10, label: '8–10 years', limitCm: 11.0 },
  { maxAgeYears: 12, label: '10–12 years', limitCm: 11.5 },
  { maxAgeYears: 15, label: '12–15 years', limitCm: 12.0 },
];
/** From 15 years Rosenberg's limits differ by sex. */
export const ROSENBERG_ADOLESCENT_LIMITS_CM = { female: 12.0, male: 13.0 } as const;

function fmt(value: number, digits = 1): string {
  return value.toFixed(digits);
}

/**
 * `value` beside its `limit`: with more digits where the usual ones would print it equal to the
 * limit it is above or below ("13.04 cm is above the limit" rather than "13.0 cm is above ≤ 13.0").
 * Exported for every place that prints a value next to its verdict (the report's lengths line).
 */
export function fmtAgainst(value: number, limit: number, digits = 1): string {
  let shown = digits;
  // Up to toFixed's 100 digits: two different finite numbers always part before that.
  while (shown < 100 && value !== limit && fmt(value, shown) === fmt(limit, shown)) shown++;
  return fmt(value, shown);
}

function classifyVolume(
  volumeMl: number | null,
  patient: Patient,
  ci95Ml: readonly [number, number] | null,
): Classification | null {
  if (volumeMl === null || !Number.isFinite(volumeMl)) return null;
  const limitText = `adult volume ≤ ${ADULT_VOLUME_LIMIT_ML} mL`;
  const age = patient.ageYears ?? null;
  if (age !== null && age < ADULT_AGE_YEARS) {
    return {
      status: 'unknown',
      limitText,
      citation: VOLUME_CITATION,
      detail: `No verified paediatric volume limit; the adult limit does not apply at ${ageText(age)}.`,
    };
  }
  const enlarged = volumeMl > ADULT_VOLUME_LIMIT_ML;
  const assumed = age === null ? ' (age not given: adult limit assumed)' : '';
  // The verdict goes by the estimate, but a reader must see when the model's own interval allows
  // the other one (sample-05: 347 mL, "enlarged", interval 292–414 mL against 314 mL).
  const crosses =
    ci95Ml !== null && ci95Ml[0] <= ADULT_VOLUME_LIMIT_ML && ci95Ml[1] > ADULT_VOLUME_LIMIT_ML
      ? ` Its 95% interval (${fmt(ci95Ml[0], 0)}–${fmt(ci95Ml[1], 0)} mL) crosses the limit: the volume alone does not settle it.`
      : '';
  return {
    status: enlarged ? 'enlarged' : 'normal',
    limitText,
    citation: VOLUME_CITATION,
    detail: `${fmtAgainst(volumeMl, ADULT_VOLUME_LIMIT_ML, 0)} mL is ${enlarged ? 'above' : 'within'} the limit${assumed}.${crosses}`,
  };
}

/**
 * The patient inputs a verdict was decided for, in words ("age 5 years · female · height 110 cm"),
 * or null when none was given (the adult limits were assumed): the command line's Patient row and
 * the report's "Limits for" line.
 */
export function patientInWords(patient: Patient | null | undefined): string | null {
  const parts = [
    patient?.ageYears != null ? `age ${ageText(patient.ageYears)}` : null,
    patient?.sex ?? null,
    patient?.heightCm != null ? `height ${patient.heightCm} cm` : null,
  ].filter((part): part is string => part !== null);
  return parts.length > 0 ? parts.join(' · ') : null;
}

/**
 * Whom a case's verdicts were decided for, as a report states it ("Limits for: age 5 years ·
 * female."): the PDF report's line and the DICOM SR's comment say it alike.
 */
export function limitsForText(patient: Patient | null | undefined): string {
  return `Limits for: ${limitsForWords(patient)}.`;
}

/** Said where no patient input was given, so the verdicts took the adult limits. */
const NO_PATIENT_GIVEN = 'no age or sex given (adult limits assumed)';

/** The patient inputs in words, or that none was given: whom verdicts were decided for. */
export function limitsForWords(patient: Patient | null | undefined): string {
  return patientInWords(patient) ?? NO_PATIENT_GIVEN;
}

/** The length limit for the patient, or null with a reason when it cannot be decided. */
export function lengthLimitFor(
  patient: Patient,
): { limitCm: number; label: string; citation: string } | { limitCm: null; reason: string } {
  const age = patient.ageYears ?? null;
  if (age === null || age >= ADULT_AGE_YEARS) {
    return { limitCm: ADULT_LENGTH_LIMIT_CM, label: 'adult', citation: ADULT_LENGTH_CITATION };
  }
  const row = ROSENBERG_LENGTH_LIMITS.find((entry) => age < entry.maxAgeYears);
  if (row)
    return { limitCm: row.limitCm, label: `child ${row.label}`, citation: CHILD_LENGTH_CITATION };
  const sex = patient.sex ?? null;
  if (sex === null)
    return {
      limitCm: null,
      reason: 'from 15 years the limit depends on sex (girls 12.0 cm, boys 13.0 cm)',
    };
  return {
    limitCm: ROSENBERG_ADOLESCENT_LIMITS_CM[sex],
    label: `${sex === 'female' ? 'girl' : 'boy'} 15–20 years`,
    citation: CHILD_LENGTH_CITATION,
  };
}

function classifyLength(lengthCm: number | null, patient: Patient): Classification | null {
  if (lengthCm === null || !Number.isFinite(lengthCm)) return null;
  const limit = lengthLimitFor(patient);
  if (limit.limitCm === null) {
    // Decisive anyway when the length is below or above both candidate limits.
    const { female, male } = ROSENBERG_ADOLESCENT_LIMITS_CM;
    const status = lengthCm <= female ? 'normal' : lengthCm > male ? 'enlarged' : 'unknown';
    return {
      status,
      limitText: `length ≤ ${fmt(female)}–${fmt(male)} cm (15–20 years)`,
      citation: CHILD_LENGTH_CITATION,
      detail: `${fmt(lengthCm)} cm; ${limit.reason}.`,
    };
  }
  const enlarged = lengthCm > limit.limitCm;
  const notes: string[] = [];
  if (patient.ageYears === null || patient.ageYears === undefined)
    notes.push('age not given: adult limit assumed');
  if (limit.label === 'adult' && patient.heightCm)
    notes.push('height/sex adjustment (Chow 2016) not applied');
  return {
    status: enlarged ? 'enlarged' : 'normal',
    limitText: `${limit.label} length ≤ ${fmt(limit.limitCm)} cm`,
    citation: limit.citation,
    detail: `${fmtAgainst(lengthCm, limit.limitCm)} cm is ${enlarged ? 'above' : 'within'} the limit${notes.length ? ` (${notes.join('; ')})` : ''}.`,
  };
}

/**
 * Classify a case against the volume and length references. Returns one entry per reference that
 * applies (volume, length); an entry is 'unknown' when the patient data do not decide it.
 */
export function classify(
  volumeMl: number | null,
  lengths: Partial<Lengths>,
  patient: Patient | null | undefined,
  /** The volume's 95% interval: a verdict whose interval crosses the limit says so. */
  ci95Ml: readonly [number, number] | null = null,
): Classification[] {
  const who = patient ?? {};
  const results = [
    classifyVolume(volumeMl, who, ci95Ml),
    classifyLength(lengths.length ?? null, who),
  ];
  return results.filter((entry): entry is Classification => entry !== null);
}

/**
 * The length limits a length verdict was given against, read from its limit text as classify
 * writes it ("adult length ≤ 13.0 cm"; "length ≤ 12.0–13.0 cm (15–20 years)" for an adolescent of
 * unknown sex): an estimate keeps its verdicts, not the patient they were decided for. None
 * without a length verdict.
 */
function lengthVerdictLimits(
  classification: readonly Pick<Classification, 'limitText'>[],
): number[] {
  for (const c of classification) {
    const limits = /length ≤ (\d+(?:\.\d+)?)(?:–(\d+(?:\.\d+)?))? cm/.exec(c.limitText);
    if (limits)
      return limits
        .slice(1)
        .filter((v) => v !== undefined)
        .map(Number);
  }
  return [];
}

/**
 * A spleen length (cm, without the unit) as it is printed beside its verdicts: with the digits
 * the verdict needs (fmtAgainst, the verdict's own rule), so that a 13.02-cm spleen "above the
 * limit ≤ 13.0 cm" never reads "length 13.0"; one digit without a length verdict.
 */
export function lengthBesideVerdict(
  lengthCm: number,
  classification: readonly Pick<Classification, 'limitText'>[],
): string {
  const limits = lengthVerdictLimits(classification);
  if (limits.length === 0) return fmt(lengthCm);
  return limits
    .map((limit) => fmtAgainst(lengthCm, limit))
    .reduce((longest, shown) => (shown.length > longest.length ? shown : longest));
}
