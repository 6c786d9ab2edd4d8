/** Human-readable and JSON renderings of an estimate for the command line. */
import { checkFirst } from '../clinical/check-first';
import { shownVerdict, verdictsInWords } from '../clinical/unverified-verdict';
import type { Patient } from '../api/contract';
import type { DetailedEstimate } from '../engine/estimator';
import { FORMULAS } from '../clinical/formulas';
import { lengthBesideVerdict, limitsForWords, patientInWords } from '../clinical/reference-limits';
import type { PatientField } from '../clinical/study-patient';
import { intervalText, ml } from './estimate-lines';

export interface EstimateContext {
  caseLabel: string;
  trueVolumeMl: number | null;
  /** What was given of the patient: the verdicts' limits follow it. */
  patient: Patient;
  /** The inputs of `patient` taken from the coronal image's DICOM header (none given as options). */
  patientFromHeader?: readonly PatientField[];
}

/** Each input's name in words, its option, and its key in the JSON. */
const FIELD = {
  ageYears: { word: 'age', option: '--age', json: 'age_years' },
  sex: { word: 'sex', option: '--sex', json: 'sex' },
  heightCm: { word: 'height', option: '--height', json: 'height_cm' },
} as const;

/** The patient as the verdicts took it ("age 40 years · female"), or what was not given. */
function patientText(patient: Patient, fromHeader: readonly PatientField[]): string {
  const given = patientInWords(patient);
  if (given === null) return 'not given (--age, --sex, --height)';
  if (fromHeader.length === 0) return given;
  const words = fromHeader.map((k) => FIELD[k].word).join(' and ');
  const options = fromHeader.map((k) => FIELD[k].option).join(', ');
  return `${given} (${words} from the DICOM header; ${options} to change)`;
}

/**
 * `spv batch`'s limits_for cell: whom the row's verdicts were decided for, and which inputs its
 * DICOM header gave ("age 5 years · female (age and sex from the DICOM header)").
 */
export function limitsForCell(patient: Patient, fromHeader: readonly PatientField[]): string {
  const given = limitsForWords(patient);
  if (fromHeader.length === 0) return given;
  return `${given} (${fromHeader.map((k) => FIELD[k].word).join(' and ')} from the DICOM header)`;
}

/** `spv batch`'s verdicts cell: each verdict with its limit, "normal?" while it rests on a doubt. */
export function verdictsCell(estimate: DetailedEstimate): string {
  return verdictsInWords(estimate.classification, checkFirst(estimate)).join('; ');
}

const cm = (value: number | null) => (value === null ? '—' : `${value.toFixed(1)} cm`);

export function formatEstimateTable(estimate: DetailedEstimate, context: EstimateContext): string {
  const lines: string[] = [];
  const row = (label: string, value: string) => lines.push(`${label.padEnd(13)}${value}`);
  row('Case', context.caseLabel);
  row('Patient', patientText(context.patient, context.patientFromHeader ?? []));
  row('Volume', `${ml(estimate.volumeMl)}  (${intervalText(estimate.ci95Ml)})`);
  if (context.trueVolumeMl !== null) {
    const inside =
      context.trueVolumeMl >= estimate.ci95Ml[0] && context.trueVolumeMl <= estimate.ci95Ml[1];
    row(
      'True volume',
      `${ml(context.trueVolumeMl)} (synthetic sample; ${inside ? 'inside' : 'outside'} the interval)`,
    );
  }
  row('Model', `DeepSPV ${estimate.model}-view RVAE, ${estimate.modelVersion}`);
  row('Provider', estimate.provider);
  const l = estimate.lengths;
  row(
    'Lengths',
    `length ${l.length === null ? '—' : `${lengthBesideVerdict(l.length, estimate.classification)} cm`} · width ${cm(l.width)} · thickness ${cm(l.thickness)} · cranio-caudal ${cm(l.craniocaudal)}`,
  );
  lines.push('Formulas');
  for (const result of estimate.formulas) {
    const definition = FORMULAS.find((f) => f.id === result.id);
    const label = `  ${definition?.shortName ?? result.name} (${definition?.citationShort ?? result.citation})`;
    const value =
      result.volumeMl === null ? `—  ${result.unavailableReason ?? ''}` : ml(result.volumeMl);
    lines.push(`${label.padEnd(42)}${value}`);
  }
  lines.push('Reference');
  // As beside the app's verdicts: a "normal" from doubtful inputs must not read as settled.
  const caveats = checkFirst(estimate);
  for (const c of estimate.classification)
    lines.push(`  ${shownVerdict(c.status, caveats).label.padEnd(9)}${c.limitText}: ${c.detail}`);
  if (caveats.length > 0 && estimate.classification.length > 0)
    lines.push(`  ! these rest on: ${caveats.join('; ')}. Check the inputs first (see Warnings).`);
  if (estimate.warnings.length === 0) row('Warnings', 'none');
  else {
    lines.push('Warnings');
    for (const warning of estimate.warnings) lines.push(`  ! ${warning}`);
  }
  return lines.join('\n');
}

const round = (value: number, digits = 3) => Number(value.toFixed(digits));

export function estimateJson(
  estimate: DetailedEstimate,
  context: EstimateContext & { files?: object },
) {
  const l = estimate.lengths;
  const lengths: Record<string, number> = {};
  for (const [name, value] of Object.entries({
    length: l.length,
    width: l.width,
    thickness: l.thickness,
  })) {
    if (value !== null) lengths[name] = round(value, 4);
  }
  return {
    volume_ml: round(estimate.volumeMl),
    ci95_ml: [round(estimate.ci95Ml[0]), round(estimate.ci95Ml[1])],
    model: estimate.model,
    provider: estimate.provider,
    lengths_cm: lengths,
    formulas: Object.fromEntries(
      estimate.formulas.map((f) => [f.id, f.volumeMl === null ? null : round(f.volumeMl)]),
    ),
    warnings: estimate.warnings,
    // Extras beyond the documented keys.
    model_version: estimate.modelVersion,
    craniocaudal_cm: l.craniocaudal === null ? null : round(l.craniocaudal, 4),
    coronal_width_cm:
      estimate.measuredLengths.coronalWidth === null
        ? null
        : round(estimate.measuredLengths.coronalWidth, 4),
    classification: estimate.classification,
    // What the classification rests on that the reader should check first (the table's "!" line).
    uncertain_outline: estimate.uncertainOutline ?? [],
    input_doubts: estimate.inputDoubts ?? [],
    // Both, as one list: the classification's statuses are unverified until each is checked.
    check_first: checkFirst(estimate),
    latent_distance: round(estimate.mahalanobis, 4),
    latent_distance_threshold: estimate.distanceThreshold,
    true_volume_ml: context.trueVolumeMl,
    case: context.caseLabel,
    // What the classification was decided for (null: not given).
    patient: {
      age_years: context.patient.ageYears ?? null,
      sex: context.patient.sex ?? null,
      height_cm: context.patient.heightCm ?? null,
      // Which of them the coronal image's DICOM header gave (none given as options).
      from_dicom_header: (context.patientFromHeader ?? []).map((k) => FIELD[k].json),
    },
    ...(context.files ? { files: context.files } : {}),
    elapsed_ms: round(estimate.elapsedMs, 2),
  };
}
