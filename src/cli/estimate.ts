/** `spv estimate`: one case → the volume, its interval, the formulas and the warnings. */
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { SpvError } from '../api/errors';
import { PatientSchema, type Patient } from '../api/contract';
import { withStudyPatient } from '../clinical/study-patient';
import { DEFAULT_SAMPLE_ID, readCaseIndex } from '../engine/samples';
import { estimateLoadedCase, loadCaseFiles, type CaseFiles } from './case-files';
import { engineFromArgs, engineOptionSpecs, sessionOptionsFromArgs } from './engine-options';
import { estimateJson, formatEstimateTable } from './format';
import { findModelsDir } from './models-dir';
import {
  EXIT,
  UsageError,
  parseDecimal,
  parseNonNegativeInteger,
  parsePositiveNumber,
  refuseEmptyOptions,
} from './usage';

export const ESTIMATE_USAGE = `spv estimate [--sample ID]                 the bundled sample (default ${DEFAULT_SAMPLE_ID})
spv estimate --coronal FILE [--transverse FILE] [--spacing MM | --spacing-x MM --spacing-y MM]
             [--mask] [--coronal-frame N] [--transverse-frame N] [--frame N]
             [--age YEARS] [--sex female|male] [--height CM] [--json]
             [--models DIR] [--provider cpu|cuda|dml] [--threads N]
             --spacing is for images without calibration: a DICOM's own regions or Pixel Spacing win
             (a note says so). --coronal-frame/--transverse-frame: the frame of a multi-frame DICOM
             view; --frame N: the frame of every multi-frame view without one of its own.`;

function spacingFrom(values: { spacing?: string; 'spacing-x'?: string; 'spacing-y'?: string }) {
  const both = parsePositiveNumber('spacing', values.spacing);
  const x = parsePositiveNumber('spacing-x', values['spacing-x']);
  const y = parsePositiveNumber('spacing-y', values['spacing-y']);
  if (both !== undefined && (x !== undefined || y !== undefined)) {
    throw new UsageError('give either --spacing or --spacing-x with --spacing-y, not both');
  }
  if (both !== undefined) return { x: both, y: both };
  if ((x === undefined) !== (y === undefined))
    throw new UsageError('--spacing-x and --spacing-y go together');
  return x !== undefined && y !== undefined ? { x, y } : null;
}

/** "Female", "F" (as DICOM's Patient's Sex writes it) and "female" are the same answer. */
function sexOf(text: string | undefined): string | null {
  if (text === undefined) return null;
  const word = text.trim().toLowerCase();
  return word === 'f' ? 'female' : word === 'm' ? 'male' : word;
}

/** The patient options; each bad one is named, with its range. */
function patientFrom(values: { age?: string; sex?: string; height?: string }): Patient {
  const given = {
    ageYears: parseDecimal('age', values.age) ?? null,
    sex: sexOf(values.sex),
    heightCm: parseDecimal('height', values.height) ?? null,
  };
  const patient = PatientSchema.safeParse(given);
  if (!patient.success) {
    const field = patient.error.issues[0]?.path[0];
    throw new UsageError(
      field === 'sex'
        ? `--sex is female or male, got "${values.sex}"`
        : field === 'heightCm'
          ? `--height is 30–250 cm, got "${values.height}"`
          : `--age is 0–130 years, got "${values.age}"`,
    );
  }
  return patient.data;
}

export async function runEstimate(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      coronal: { type: 'string' },
      transverse: { type: 'string' },
      spacing: { type: 'string' },
      'spacing-x': { type: 'string' },
      'spacing-y': { type: 'string' },
      mask: { type: 'boolean', default: false },
      frame: { type: 'string' },
      'coronal-frame': { type: 'string' },
      'transverse-frame': { type: 'string' },
      sample: { type: 'string' },
      json: { type: 'boolean', default: false },
      age: { type: 'string' },
      sex: { type: 'string' },
      height: { type: 'string' },
      ...engineOptionSpecs,
    },
  });
  if (positionals.length > 0)
    throw new UsageError(`unexpected argument "${positionals[0]}" (use --coronal FILE)`);
  refuseEmptyOptions(values);
  const given = patientFrom(values);
  sessionOptionsFromArgs(values); // A bad --provider or --threads is a usage error before any work.
  const spacing = spacingFrom(values);
  const frame = parseNonNegativeInteger('frame', values.frame);
  const coronalFrame = parseNonNegativeInteger('coronal-frame', values['coronal-frame']);
  const transverseFrame = parseNonNegativeInteger('transverse-frame', values['transverse-frame']);
  if (transverseFrame !== undefined && !values.transverse)
    throw new UsageError('--transverse-frame needs --transverse FILE');
  const anyFrame = [frame, coronalFrame, transverseFrame].some((f) => f !== undefined);

  let files: CaseFiles;
  let caseLabel: string;
  let trueVolumeMl: number | null = null;
  if (values.coronal) {
    if (values.sample) throw new UsageError('give either --sample or --coronal, not both');
    files = {
      coronal: values.coronal,
      transverse: values.transverse,
      spacing,
      frame,
      coronalFrame,
      transverseFrame,
      kind: values.mask ? 'mask' : 'image',
    };
    caseLabel = [values.coronal, values.transverse]
      .filter(Boolean)
      .map((p) => basename(p as string))
      .join(' + ');
  } else {
    if (values.transverse || values.mask || spacing || anyFrame) {
      throw new UsageError('--transverse, --mask, --spacing and the frames need --coronal FILE');
    }
    const id = values.sample ?? DEFAULT_SAMPLE_ID;
    const index = join(findModelsDir(values.models), 'samples', 'index.csv');
    const { rows } = await readCaseIndex(index);
    const row = rows.find((r) => r.id === id);
    if (!row)
      throw new SpvError(
        'not-found',
        `There is no sample "${id}" in ${index}: give one of ${rows.map((r) => r.id).join(', ')}.`,
      );
    files = {
      coronal: row.coronal,
      transverse: row.transverse,
      spacing: row.spacing,
      kind: row.kind,
    };
    caseLabel = `${row.id} (bundled sample)`;
    trueVolumeMl = row.trueVolumeMl;
  }

  // Decode first: a bad file is reported at once, without loading the models.
  const views = await loadCaseFiles(files);
  // Each input the options leave out is the coronal image's DICOM header's, as the app's fields
  // start with it (--height alone must not drop the header's age).
  const { patient, fromHeader: patientFromHeader } = withStudyPatient(
    given,
    views.coronal.decoded.meta,
  );
  const engine = await engineFromArgs(values);
  try {
    const estimate = await estimateLoadedCase(engine, views, files.kind, { patient });
    const context = { caseLabel, trueVolumeMl, patient, patientFromHeader };
    process.stdout.write(
      values.json
        ? `${JSON.stringify(estimateJson(estimate, { ...context, files: { coronal: files.coronal, transverse: files.transverse ?? null, kind: files.kind } }), null, 2)}\n`
        : `${formatEstimateTable(estimate, context)}\n`,
    );
    return EXIT.ok;
  } finally {
    await engine.close();
  }
}
